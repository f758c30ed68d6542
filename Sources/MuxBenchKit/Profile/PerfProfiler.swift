// A CPU profile of a server over the measurement window: `perf record -e cpu-clock -g` attached
// to its processes by PID before traffic, its events switched on and off at the window's edges
// (PerfControlFIFO), then `perf script` folded into stacks (FoldedStacks). Where perf is missing
// or may not attach, `attach` says why in one line and the point runs without a profile.
import Foundation
import MuxCore
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

final class PerfProfiler {
    /// Samples per second of CPU time, off any round number so sampling does not beat with the
    /// server's periodic timers. 999, not 4999: in closed loop at 10,000 connections 4999 Hz cost
    /// poll 13% and epoll-et 14% more CPU per request, 999 Hz nothing outside the noise
    /// (results/profile-overhead-frequency-closed-2026-12-06.csv); 3,000 samples per 3 s window
    /// of a busy server still give each category's share to about ±1 point. `MUX_PROFILE_HZ` overrides it
    /// (Benchmarks/tools/profile-overhead.sh compares frequencies with it).
    static let defaultFrequency = 999

    /// The frequency in force: `MUX_PROFILE_HZ` when set, else `defaultFrequency`; the reason
    /// when the variable is not a whole number from 1 to 100,000.
    static func frequency(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<Int, Failure> {
        guard let text = environment["MUX_PROFILE_HZ"] else { return .success(defaultFrequency) }
        guard let hz = Int(text), (1...100_000).contains(hz) else {
            return .failure(Failure(description: "MUX_PROFILE_HZ=\(text): not a sampling frequency (a whole number of Hz, 1 to 100000)"))
        }
        return .success(hz)
    }

    private let perfPath: String
    /// Samples per second it was started with (the profile's note names it).
    let frequency: Int
    private let perf: Subprocess
    private let control: PerfControlFIFO
    /// Scratch directory with the FIFOs and perf.data; owned, removed by deinit.
    let directory: String
    var dataPath: String { directory + "/perf.data" }
    /// perf's own CPU seconds (user + system) at `finish`, for the note on its cost.
    private(set) var perfCPUSeconds: Double?

    /// The processes whose samples count (perf script's and perf report's `--pid`).
    private let pids: [Int32]

    /// nil with the one-line reason when perf is not installed or cannot attach to `pids`.
    /// perf itself is pinned to `cpus` (the load generator's), so reading its buffers does not
    /// take the server's CPU; the sampling interrupt runs on the server's and is part of what
    /// the profile costs it. With `serverCPUs` (the server pinned there), perf samples those
    /// CPUs and keeps the server's samples, instead of following the server's tasks: a per-task
    /// event is switched out and in with the task, and on this VM that costs a server which
    /// sleeps and wakes per request more than the sampling does (Sources/README.md, Profiles).
    static func attach(to pids: [Int32], serverCPUs: [Int]? = nil, pinTo cpus: [Int]?) -> (PerfProfiler?, String?) {
        let frequency: Int
        switch Self.frequency() {
        case .success(let hz): frequency = hz
        case .failure(let failure): return (nil, failure.description)
        }
        guard let perfPath = executableInPath("perf") else {
            return (nil, "perf is not installed (Debian: apt-get install linux-perf)")
        }
        do {
            return (try PerfProfiler(perfPath: perfPath, pids: pids, frequency: frequency, serverCPUs: serverCPUs, pinTo: cpus), nil)
        } catch {
            return (nil, "perf record could not attach: \(error)")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private init(perfPath: String, pids: [Int32], frequency: Int, serverCPUs: [Int]?, pinTo cpus: [Int]?) throws {
        self.frequency = frequency
        self.perfPath = perfPath
        self.pids = pids
        let target = serverCPUs.map { ["-C", $0.map(String.init).joined(separator: ",")] }
            ?? ["-p", pids.map(String.init).joined(separator: ",")]
        var template = Array("\(NSTemporaryDirectory())mux-profile-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SyscallError("mkdtemp", errno) }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        do {
            control = try PerfControlFIFO(directory: directory)
            perf = try Subprocess(name: "perf", executable: perfPath, arguments: [
                "record", "-e", "cpu-clock", "-F", "\(frequency)", "-g", "-o", directory + "/perf.data",
                "--delay=-1", control.perfArgument,
            ] + target)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        if let cpus { _ = try? CPUPlan.pin(perf.pid, to: cpus) }
        // perf says "Events disabled" once its events exist; an enable sent before that is lost.
        guard control.connect(while: { perf.isRunning }),
              perf.waitForStandardError(containing: "Events disabled", until: monotonicNanoseconds() + 20_000_000_000) else {
            let said = perf.lastErrorLine()
            perf.stop(grace: 1)
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: said.isEmpty ? "perf record did not get ready" : said)
        }
    }

    /// Sampling on, at the window's start; false when perf did not acknowledge.
    func enable() -> Bool { control.send("enable") }

    /// Sampling off, at the window's end.
    func disable() -> Bool { control.send("disable") }

    /// Ends perf record (SIGINT: it writes perf.data's header then) and folds what it sampled.
    /// Throws with perf's reason when there is nothing to read.
    func finish() throws -> FoldedStacks {
        perfCPUSeconds = ProcessStats.read(pid: perf.pid).map { $0.userSeconds + $0.systemSeconds }
        perf.signal(SIGINT)
        _ = perf.waitForExit(timeout: 30)
        perf.stop(grace: 1)
        guard FileManager.default.fileExists(atPath: dataPath) else {
            throw Failure(description: "perf record wrote no data: \(perf.lastErrorLine())")
        }
        let script = try runPerf(["script", "-i", dataPath, "--no-inline", "-F", "comm,tid,ip,sym,dso", "--pid", pidList])
        return FoldedStacks(perfScript: script)
    }

    /// The same samples read by `perf report` instead (after `finish`): the independent check.
    func reportReading() throws -> PerfReportReading {
        PerfReportReading(parentReport: try runPerf(PerfReportReading.parentArguments + ["-i", dataPath, "--pid", pidList]),
                          leafReport: try runPerf(PerfReportReading.leafArguments + ["-i", dataPath, "--pid", pidList]))
    }

    private var pidList: String { pids.map(String.init).joined(separator: ",") }

    /// `perf ARGUMENTS` run to completion, its stdout through a file (a profile's script runs to
    /// tens of megabytes); throws with its last stderr line when it fails.
    func runPerf(_ arguments: [String]) throws -> String {
        let output = directory + "/perf-output.txt"
        let errors = directory + "/perf-errors.txt"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        guard let out = FileHandle(forWritingAtPath: output), let err = FileHandle(forWritingAtPath: errors) else {
            throw Failure(description: "cannot write \(output)")
        }
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: perfPath)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8))?.split(separator: "\n").last.map(String.init) ?? ""
            throw Failure(description: "perf \(arguments.first ?? "") failed (status \(process.terminationStatus)): \(said)")
        }
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    deinit {
        perf.stop(grace: 1)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
