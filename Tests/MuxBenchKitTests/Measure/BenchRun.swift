// Running the real mux-bench executable (which starts mux-server and mux-load beside it) and
// reading the CSVs it writes, shared by the collector and sweep test files.
import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The suites that start mux-bench run one test at a time, and never beside another target's
/// process-heavy tests (`.machineExclusive`): each run pins a server and a load generator to the
/// machine's CPUs, and two at once would measure each other.
@Suite(.serialized, .machineExclusive) enum BenchProcessSuites {}

/// One finished mux-bench run.
struct BenchRun {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String
    let seconds: Double

    var stderrLines: [Substring] { stderr.split(separator: "\n") }
    /// What a failed expectation prints: enough to see what happened without rerunning.
    var diagnosis: String { "mux-bench \(arguments.joined(separator: " ")) → exit \(status) after \(seconds) s\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs mux-bench to completion.
func runBench(_ arguments: [String], timeout: Double = 90) throws -> BenchRun {
    let started = Date()
    let (status, stdout, stderr) = try runToCompletion("mux-bench", arguments, timeout: timeout)
    return BenchRun(arguments: arguments, status: status, stdout: stdout, stderr: stderr,
                    seconds: Date().timeIntervalSince(started))
}

/// `mux-bench run OPTIONS` that must measure one row: run into a fresh directory (removed after),
/// its exit status checked, its one row required; a failed expectation prints the run.
func measuredRow(_ options: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (run: BenchRun, row: [String: String]) {
    let dir = try makeTemporaryDirectory("row")
    defer { removeDirectory(dir) }
    let run = try runBench(["run"] + options + ["--out", "\(dir)/run.csv"])
    #expect(run.status == 0, "\(run.diagnosis)", sourceLocation: sourceLocation)
    let rows = (try? readCSV("\(dir)/run.csv").rows) ?? []
    #expect(rows.count == 1, "one row: \(run.diagnosis)", sourceLocation: sourceLocation)
    return (run, try #require(rows.first, "\(run.diagnosis)", sourceLocation: sourceLocation))
}

/// A fresh empty directory under /tmp, removed by the caller's `defer`.
func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "mux-bench-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// Writes `DIR/NAME.sweep` and returns its path.
func writeSweep(_ directory: String, _ name: String, _ text: String) throws -> String {
    let path = "\(directory)/\(name).sweep"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A sweep file NAME.sweep of `text` in a fresh directory, its results folder beside it: what a
/// sweep test starts from. `remove()` (in a defer) removes the directory.
struct SweepFolder {
    let directory: String
    let name: String
    let file: String
    var results: String { "\(directory)/results" }

    init(_ name: String, _ text: String) throws {
        directory = try makeTemporaryDirectory(name)
        self.name = name
        file = try writeSweep(directory, name, text)
    }

    /// The command line of `mux-bench sweep FILE --results RESULTS --no-plot` and `options`.
    func arguments(_ options: [String] = []) -> [String] { ["sweep", file, "--results", results, "--no-plot"] + options }

    /// The sweep run to completion.
    func run(_ options: [String] = [], timeout: Double = 90) throws -> BenchRun { try runBench(arguments(options), timeout: timeout) }

    /// results/NAME.csv's rows and results/NAME-summary.csv.
    func rows() throws -> [[String: String]] { try readCSV("\(results)/\(name).csv").rows }
    func summary() throws -> CSVTable { try readCSV("\(results)/\(name)-summary.csv") }

    func remove() { removeDirectory(directory) }
}

/// A short sweep file: every run takes about two seconds.
func shortSweep(backends: String, connections: String, active: String = "10", duration: String = "1s",
                repetitions: Int = 1) -> String {
    """
    # written by a test: short runs
    backends    = \(backends)
    connections = \(connections)
    active      = \(active)
    warmup      = 200ms
    duration    = \(duration)
    repetitions = \(repetitions)
    """
}

/// One short open-loop point (1,000 req/s, its ladder row) and a search for the highest rate
/// with p99 ≤ 50 ms from `start`: an easy bound, so the search has an answer on a busy machine.
func searchSweep(start: String) -> String {
    """
    # written by a test: one ladder point and a search
    backends     = epoll-et
    connections  = 20
    active       = 10
    rate         = 1000
    warmup       = 100ms
    duration     = 300ms
    repetitions  = 1
    search       = p99 <= 50ms
    search-start = \(start)
    """
}

func readCSV(_ path: String) throws -> CSVTable { try CSVTable.read(path: path) }

/// The file's lines (no trailing empty one).
func lines(of path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        .map(String.init).filter { !$0.isEmpty }
}

/// The live mux-server, mux-load and perf children of a running mux-bench.
func benchChildren(of benchPID: Int32) -> [ProcessEntry] {
    childProcesses(of: benchPID).filter { ["mux-server", "mux-load", "perf"].contains($0.name) && $0.state != "Z" }
}

/// Waits (instead of sleeping a guessed time) until a running point's traffic flows: both
/// processes hold its `connections` sockets (beyond their standard streams), then the server
/// reads 32 KiB more. mux-load announces the run (its "connected" line) before it sends a byte,
/// so from then on the run is in its warm-up or window, where a test's fault belongs.
func trafficHasBegun(server: ProcessEntry, load: ProcessEntry, connections: Int = 20) -> Bool {
    let held = { (pid: Int32) in (try? ProcessProbe.openDescriptors(pid)) ?? 0 }
    let read = { (try? ProcessProbe.bytesRead(server.pid)) ?? 0 }
    guard waitUntil(timeout: 15, { held(server.pid) >= connections + 3 && held(load.pid) >= connections + 3 }) else {
        return false
    }
    let before = read()
    return waitUntil(timeout: 15) { read() >= before + 32 << 10 }
}

/// Ends `entry` if a test left it behind: it is ours (a child of the mux-bench the test started),
/// ended by its PID after checking the PID still names that program.
func endLeftover(_ entry: ProcessEntry) {
    guard let now = processEntry(entry.pid), now.name == entry.name, now.state != "Z" else { return }
    kill(entry.pid, SIGCONT)
    kill(entry.pid, SIGKILL)
}

/// The mux-server and mux-load of the point a running mux-bench measures, once traffic flows
/// between them (20 connections).
func pointProcesses(of bench: ChildProcess) throws -> (server: ProcessEntry, load: ProcessEntry) {
    let load = try #require(waitForChildProcess(of: bench.pid, named: "mux-load", timeout: 15), "mux-load started")
    let server = try #require(childProcesses(of: bench.pid).first { $0.name == "mux-server" && $0.state != "Z" },
                              "mux-server started")
    #expect(trafficHasBegun(server: server, load: load), "20 connections open")
    return (server, load)
}

/// A `mux-bench run` in the background, for a test that does something to its processes while
/// it runs (stops, kills): 20 connections, 5 active, 200 ms warm-up, `options` for the rest, rows
/// to `out` in a directory of its own. Made once traffic flows between its mux-server and
/// mux-load; `cleanUp()` (in a defer) ends by PID whichever of the two a failing test left behind
/// and removes the directory.
struct RunInProgress {
    let bench: ChildProcess
    let directory: String
    var out: String { "\(directory)/run.csv" }
    let server: ProcessEntry
    let load: ProcessEntry

    init(_ options: [String]) throws {
        let directory = try makeTemporaryDirectory("in-progress")
        self.directory = directory
        do {
            bench = try ChildProcess("mux-bench", ["run", "--connections", "20", "--active", "5", "--warmup", "200ms"]
                                     + options + ["--out", "\(directory)/run.csv"])
            (server, load) = try pointProcesses(of: bench)
        } catch {
            removeDirectory(directory)
            throw error
        }
    }

    /// Waits (bounded) for mux-bench to end: its exit status and everything it said on stderr.
    func finish(timeout: Double) -> (status: Int32, stderr: String) {
        let status = bench.wait(timeout: timeout)
        return (status, bench.standardError())
    }

    /// The rows the run wrote (none when the file was never made).
    var rowCount: Int { (try? readCSV(out).rows.count) ?? 0 }

    func cleanUp() {
        endLeftover(server)
        endLeftover(load)
        removeDirectory(directory)
    }
}
