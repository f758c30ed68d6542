import MuxCore
import MuxMessages

/// What the server did, beyond syscalls: requests answered and connections seen.
public struct ServerStatistics: Equatable, Sendable {
    public var requests: UInt64 = 0       // HTTP requests answered / echo reads that returned data
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var accepted: UInt64 = 0
    public var closed: UInt64 = 0
    public var rejected: UInt64 = 0       // accepted then closed at once: over a limit
    public var resets: UInt64 = 0         // connections the peer reset
    public var badRequests: UInt64 = 0
    public var idleClosed: UInt64 = 0
    public var shed: UInt64 = 0           // accepted and closed at once because descriptors ran out
    public var open: Int = 0

    public init() {}
}

/// One JSON object per line on stdout: what scripts and the collector read (MuxMessages' format).
/// Both server loops (readiness and completion) write through here, so their output is counted alike.
public enum ServerReport {
    /// The counters line with the server's own CPU time. getrusage is a syscall the kernel sees
    /// too: counted before the line that reports it.
    static func countersLine(sequence: UInt64, syscalls: Syscalls, statistics: ServerStatistics, final: Bool) -> String {
        let cpu = syscalls.counted(.other) { ProcessCPUTime.now() }
        return countersLine(sequence: sequence, monotonicNanoseconds: monotonicNanoseconds(),
                            syscalls: syscalls.counters, statistics: statistics, cpu: cpu, final: final)
    }

    /// Writes one line to `fd` (blocking stdout or stderr) through the counted syscall layer.
    static func emit(_ line: String, to fd: Int32, syscalls: Syscalls) {
        var text = line
        text += "\n"
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                guard case let .transferred(n)? = try? syscalls.write(fd, bytes.baseAddress! + offset, bytes.count - offset),
                      n > 0 else { return }
                offset += n
            }
        }
    }

    public static func countersLine(sequence: UInt64, monotonicNanoseconds: UInt64, syscalls: SyscallCounters,
                                    statistics s: ServerStatistics, cpu: ProcessCPUTime, final: Bool) -> String {
        var message = CountersMessage(final: final, sequence: sequence, monotonicNanoseconds: monotonicNanoseconds,
                                      syscalls: syscalls)
        message.requests = s.requests; message.bytesIn = s.bytesIn; message.bytesOut = s.bytesOut
        message.accepted = s.accepted; message.closed = s.closed; message.rejected = s.rejected
        message.resets = s.resets; message.badRequests = s.badRequests; message.idleClosed = s.idleClosed
        message.shed = s.shed; message.open = s.open
        message.cpuUserMicroseconds = cpu.userMicroseconds
        message.cpuSystemMicroseconds = cpu.systemMicroseconds
        return message.jsonLine()
    }
}
