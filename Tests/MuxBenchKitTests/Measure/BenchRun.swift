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
/// it runs (stops, kills): 20 connections, 5 active, 200 ms warm-up, `options` for the rest.
/// Made once traffic flows between its mux-server and mux-load; `endLeftovers()` (in a defer)
/// ends by PID whichever of the two a failing test left behind.
struct RunInProgress {
    let bench: ChildProcess
    let out: String
    let server: ProcessEntry
    let load: ProcessEntry

    init(_ options: [String], out: String) throws {
        self.out = out
        bench = try ChildProcess("mux-bench", ["run", "--connections", "20", "--active", "5", "--warmup", "200ms"]
                                 + options + ["--out", out])
        (server, load) = try pointProcesses(of: bench)
    }

    /// Waits (bounded) for mux-bench to end: its exit status and everything it said on stderr.
    func finish(timeout: Double) -> (status: Int32, stderr: String) {
        let status = bench.wait(timeout: timeout)
        return (status, bench.standardError())
    }

    /// The rows the run wrote (none when the file was never made).
    var rowCount: Int { (try? readCSV(out).rows.count) ?? 0 }

    func endLeftovers() {
        endLeftover(server)
        endLeftover(load)
    }
}
