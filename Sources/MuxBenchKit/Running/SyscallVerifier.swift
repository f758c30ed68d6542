// The kernel's own count of the server's syscalls over the window (perf's sys_enter_*
// tracepoints), to confirm the server's counting layer. perf starts disabled and is switched on
// and off through its control FIFO at the window's edges.
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

    /// nil with a reason when perf is missing or cannot attach.
    static func attach(to pid: Int32) -> (SyscallVerifier?, String?) {
        guard let perfPath else { return (nil, "perf is not installed (apt-get install linux-perf)") }
        do {
            return (try SyscallVerifier(perfPath: perfPath, pid: pid), nil)
        } catch {
            return (nil, "perf could not attach: \(error)")
        }
    }

    private init(perfPath: String, pid: Int32) throws {
        directory = NSTemporaryDirectory() + "mux-perf-\(getpid())-\(pid)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ctl = directory + "/ctl"
        let ack = directory + "/ack"
        output = directory + "/stat.csv"
        guard mkfifo(ctl, 0o600) == 0, mkfifo(ack, 0o600) == 0 else { throw SyscallError("mkfifo", errno) }
        perf = try Subprocess(name: "perf", executable: perfPath, arguments: [
            "stat", "-x", ",", "-o", output, "-e", "syscalls:sys_enter_*", "-p", "\(pid)",
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
        var total: UInt64 = 0
        var byCall: [String: UInt64] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, let count = UInt64(fields[0]) else { continue }
            let name = fields[2].replacingOccurrences(of: "syscalls:sys_enter_", with: "")
            total += count
            if count > 0 { byCall[name] = count }
        }
        return (total, byCall)
    }

    /// Calls that may move between kinds around the two counters snapshots in perf's span.
    static let bookkeepingSlack = 6.0

    /// The counting layer's kind for a perf tracepoint name (`pselect6` is glibc's select).
    static func kind(ofTracepoint name: String) -> String {
        switch name {
        case "select", "pselect6", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2": return "wait"
        case "epoll_ctl": return "ctl"
        case "accept", "accept4": return "accept"
        case "read", "readv", "recvfrom", "recvmsg": return "read"
        case "write", "writev", "sendto", "sendmsg": return "write"
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
