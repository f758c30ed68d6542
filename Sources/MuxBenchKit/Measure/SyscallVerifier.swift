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

    /// The calls of each kind of our counting layer (`kind(ofTracepoint:)`), and
    /// `raw_syscalls:sys_enter`, which counts every call: `other` is the total minus the kinds.
    /// Tracepoints this kernel lacks (no `recvmmsg` on some architectures) are left out, since
    /// perf refuses to start on an unknown one. A server's syscalls by kind at a small cost:
    /// attaching took 0.06 s and detaching about 1 s for redis-server's 5 threads here.
    static func kindTracepoints() -> [String] {
        let calls = ["select", "pselect6", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "io_uring_enter",
                     "epoll_ctl", "accept", "accept4", "read", "readv", "pread64", "recvfrom", "recvmsg", "recvmmsg",
                     "write", "writev", "pwrite64", "sendto", "sendmsg", "sendmmsg", "sendfile64", "close"]
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
        for (call, count) in kernel.byCall {
            switch kind(ofTracepoint: call) {
            case "wait": counters.wait += count
            case "ctl": counters.ctl += count
            case "accept": counters.accept += count
            case "read": counters.read += count
            case "write": counters.write += count
            case "close": counters.close += count
            default: counters.other += count
            }
        }
        let named = counters.total - counters.other
        counters.other = kernel.total > named ? kernel.total - named : 0
        return counters
    }

    /// Calls that may move between kinds around the two counters snapshots in perf's span.
    static let bookkeepingSlack = 6.0

    /// The counting layer's kind for a perf tracepoint name (`pselect6` is glibc's select).
    static func kind(ofTracepoint name: String) -> String {
        switch name {
        case "select", "pselect6", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "io_uring_enter": return "wait"
        case "epoll_ctl": return "ctl"
        case "accept", "accept4": return "accept"
        case "read", "readv", "pread64", "recvfrom", "recvmsg", "recvmmsg": return "read"
        case "write", "writev", "pwrite64", "sendto", "sendmsg", "sendmmsg", "sendfile64": return "write"
        case "close": return "close"
        default: return "other"
        }
    }

    /// One note per kind (wait, ctl, accept, read, write, close, other) and one for the total:
    /// the server's count over the window, the range it counted over perf's span (`low` is what
    /// it counted inside perf's span for sure, `high` what it counted around it), perf's count,
    /// and whether they agree: within 1%, or within a few calls, since the server's bookkeeping
    /// around each counters snapshot inside perf's span (a signalfd `read` the server files under
    /// `other`, getrusage, the line's `write`) can land in another kind than perf's.
    static func compare(server window: SyscallCounters, low: SyscallCounters, high: SyscallCounters,
                        kernel: (total: UInt64, byCall: [String: UInt64])) -> [String] {
        var kernelByKind: [String: UInt64] = [:]
        for (call, count) in kernel.byCall { kernelByKind[kind(ofTracepoint: call), default: 0] += count }
        func byKind(_ c: SyscallCounters) -> [String: UInt64] {
            ["wait": c.wait, "ctl": c.ctl, "accept": c.accept, "read": c.read, "write": c.write, "close": c.close,
             "other": c.other, "total": c.total]
        }
        kernelByKind["total"] = kernel.total
        let (ours, lows, highs) = (byKind(window), byKind(low), byKind(high))
        var notes: [String] = []
        for name in ["wait", "ctl", "accept", "read", "write", "close", "other", "total"] {
            let measured = Double(kernelByKind[name] ?? 0)
            let (lowest, highest) = (Double(min(lows[name]!, highs[name]!)), Double(max(lows[name]!, highs[name]!)))
            let nearest = min(max(measured, lowest), highest)
            let difference = nearest == 0 ? (measured == 0 ? 0 : 100) : abs(measured - nearest) / nearest * 100
            let verdict = difference <= 1 || abs(measured - nearest) <= bookkeepingSlack ? "agree" : "DISAGREE"
            let calls = name == "other" ? " [" + kernel.byCall.filter { kind(ofTracepoint: $0.key) == "other" }
                .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "]" : ""
            notes.append("syscalls \(name): server counted \(ours[name]!) (\(Int(lowest))-\(Int(highest)) over perf's span), "
                         + "kernel (perf) \(Int(measured))\(calls): \(verdict) within \(formatCompactNumber(difference))%")
        }
        return notes
    }
}
