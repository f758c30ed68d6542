// The kernel's own count of a server's syscalls over the window (perf's sys_enter_*
// tracepoints): for mux-server, all of them, to confirm its counting layer (--verify-syscalls);
// for a server MuxBench did not write, the few that make up our kinds plus raw_syscalls' total,
// which is the only count of its syscalls there is. perf starts disabled and is switched on and
// off through its control FIFO at the window's edges.
import Foundation
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

final class SyscallVerifier {
    private let perf: Subprocess
    private let control: Int32
    private let acknowledgement: Int32
    private let directory: String
    private let output: String

    static var perfPath: String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] where FileManager.default.isExecutableFile(atPath: dir + "/perf") {
            return dir + "/perf"
        }
        return nil
    }

    /// Every syscall tracepoint (~360): each call by name, for --verify-syscalls. Slow: perf
    /// takes seconds to attach and 15-20 s to detach that many counters.
    static let everyTracepoint = ["syscalls:sys_enter_*"]

    /// The calls of each kind of our counting layer (`SyscallKind.kernelCalls`), and
    /// `raw_syscalls:sys_enter`, which counts every call: `other` is the total minus the kinds.
    /// Tracepoints this kernel lacks (no `recvmmsg` on some architectures) are left out, since
    /// perf refuses to start on an unknown one. A server's syscalls by kind at a small cost:
    /// attaching took 0.06 s and detaching about 1 s for redis-server's 5 threads here.
    static func kindTracepoints() -> [String] {
        let calls = SyscallKind.allCases.flatMap(\.kernelCalls)
        let tracefs = ["/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls"]
            .first { FileManager.default.fileExists(atPath: $0) }
        let present = calls.filter { call in tracefs.map { FileManager.default.fileExists(atPath: "\($0)/sys_enter_\(call)") } ?? true }
        return [totalTracepoint] + present.map { "syscalls:sys_enter_\($0)" }
    }

    static let totalTracepoint = "raw_syscalls:sys_enter"

    /// nil with a reason when perf is missing or cannot attach. perf counts every thread of
    /// `pids` that exists when it attaches; threads and processes started later are not counted.
    static func attach(to pids: [Int32], tracepoints: [String] = everyTracepoint) -> (SyscallVerifier?, String?) {
        guard let perfPath else { return (nil, "perf is not installed (apt-get install linux-perf)") }
        do {
            return (try SyscallVerifier(perfPath: perfPath, pids: pids, tracepoints: tracepoints), nil)
        } catch {
            return (nil, "perf could not attach: \(error)")
        }
    }

    private init(perfPath: String, pids: [Int32], tracepoints: [String]) throws {
        directory = NSTemporaryDirectory() + "mux-perf-\(getpid())-\(pids.first ?? 0)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ctl = directory + "/ctl"
        let ack = directory + "/ack"
        output = directory + "/stat.csv"
        guard mkfifo(ctl, 0o600) == 0, mkfifo(ack, 0o600) == 0 else { throw SyscallError("mkfifo", errno) }
        perf = try Subprocess(name: "perf", executable: perfPath, arguments: [
            "stat", "-x", ",", "-o", output, "-e", tracepoints.joined(separator: ","),
            "-p", pids.map(String.init).joined(separator: ","),
            "--delay=-1", "--control=fifo:\(ctl),\(ack)",
        ])
        // A FIFO opened for writing without a reader fails (non-blocking): wait for perf to open
        // its end, but never forever.
        let deadline = monotonicNanoseconds() + 10_000_000_000
        var ctlFD: Int32 = -1
        while ctlFD < 0 {
            ctlFD = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if ctlFD < 0 {
                guard errno == ENXIO, perf.isRunning, monotonicNanoseconds() < deadline else {
                    perf.stop(grace: 1)
                    throw SyscallError("perf did not start: \(perf.lastErrorLine())", errno)
                }
                usleep(10_000)
            }
        }
        control = ctlFD
        acknowledgement = open(ack, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard acknowledgement >= 0 else { throw SyscallError("open perf fifo", errno) }
        // perf says "Events disabled" once its ~360 tracepoint counters exist; an enable sent
        // before that is acknowledged but counts nothing.
        guard perf.waitForStandardError(containing: "Events disabled", until: monotonicNanoseconds() + 20_000_000_000) else {
            perf.stop(grace: 1)
            throw SyscallError("perf did not get ready: \(perf.lastErrorLine())", ETIMEDOUT)
        }
    }

    private func command(_ word: String) -> Bool {
        let text = word + "\n"
        guard text.withCString({ write(control, $0, strlen($0)) }) > 0 else { return false }
        var reply = [UInt8](repeating: 0, count: 16)
        var pfd = pollfd(fd: acknowledgement, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 5000) == 1 else { return false }
        return read(acknowledgement, &reply, reply.count) > 0
    }

    func enable() -> Bool { command("enable") }
    func disable() -> Bool { command("disable") }

    /// Ends perf and returns the total of every sys_enter_* count and the top kinds.
    func finish() -> (total: UInt64, byCall: [String: UInt64])? {
        // SIGINT makes perf write its counts; SIGTERM at once would lose them.
        perf.signal(SIGINT)
        // Detaching ~360 tracepoint counters takes perf 15-20 s on this kernel; it writes the counts
        // only when done.
        _ = perf.waitForExit(timeout: 60)
        perf.stop(grace: 1)
        close(control)
        close(acknowledgement)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let text = try? String(contentsOfFile: output, encoding: .utf8) else { return nil }
        return Self.counts(fromPerfCSV: text)
    }

    /// perf stat's `-x ,` output: each call's count by name (`read`, not
    /// `syscalls:sys_enter_read`) and the total: `raw_syscalls:sys_enter`'s count where it was
    /// counted, else the sum of the calls. nil when perf counted nothing at all.
    static func counts(fromPerfCSV text: String) -> (total: UInt64, byCall: [String: UInt64])? {
        var sum: UInt64 = 0
        var rawTotal: UInt64?
        var byCall: [String: UInt64] = [:]
        var counted = false
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, let count = UInt64(fields[0]) else { continue }
            counted = true
            if fields[2] == totalTracepoint { rawTotal = count; continue }
            let name = fields[2].replacingOccurrences(of: "syscalls:sys_enter_", with: "")
            sum += count
            if count > 0 { byCall[name] = count }
        }
        return counted ? (rawTotal ?? sum, byCall) : nil
    }

    /// The kernel's counts in our counting layer's kinds; `other` is whatever the total has
    /// beyond the named kinds (with `kindTracepoints()`, every other call).
    static func counters(from kernel: (total: UInt64, byCall: [String: UInt64])) -> SyscallCounters {
        var counters = SyscallCounters()
        for (call, count) in kernel.byCall { counters[SyscallKind(kernelCall: call)] += count }
        let named = counters.total - counters.other
        counters.other = kernel.total > named ? kernel.total - named : 0
        return counters
    }

    /// One note per kind (SyscallKind's order) and one for the total: the server's count over
    /// the window, the range it counted over perf's span (`low` is what it counted inside perf's
    /// span for sure, `high` what it counted around it), perf's count, and whether they agree:
    /// perf's count within that range, exactly. Every call the server makes, its bookkeeping
    /// around the snapshots included (the signalfd `read`, getrusage, the counters line's
    /// `write`), is counted under the kind the kernel files it under, so no slack is needed.
    static func compare(server window: SyscallCounters, low: SyscallCounters, high: SyscallCounters,
                        kernel: (total: UInt64, byCall: [String: UInt64])) -> [String] {
        var kernelByKind: [SyscallKind: UInt64] = [:]
        for (call, count) in kernel.byCall { kernelByKind[SyscallKind(kernelCall: call), default: 0] += count }
        let rows: [(name: String, ours: UInt64, low: UInt64, high: UInt64, kernel: UInt64)] =
            SyscallKind.allCases.map { ($0.rawValue, window[$0], low[$0], high[$0], kernelByKind[$0] ?? 0) }
            + [("total", window.total, low.total, high.total, kernel.total)]
        var notes: [String] = []
        for row in rows {
            let (lowest, highest) = (min(row.low, row.high), max(row.low, row.high))
            let nearest = min(max(row.kernel, lowest), highest)
            let off = row.kernel > nearest ? row.kernel - nearest : nearest - row.kernel
            let verdict = off == 0 ? "agree"
                : "DISAGREE by \(off) (\(formatCompactNumber(nearest == 0 ? 100 : Double(off) / Double(nearest) * 100))%)"
            let calls = row.name == SyscallKind.other.rawValue
                ? " [" + kernel.byCall.filter { SyscallKind(kernelCall: $0.key) == .other }
                    .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "]" : ""
            notes.append("syscalls \(row.name): server counted \(row.ours) (\(lowest)-\(highest) over perf's span), "
                         + "kernel (perf) \(row.kernel)\(calls): \(verdict)")
        }
        return notes
    }
}
