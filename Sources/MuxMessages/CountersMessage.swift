// mux-server's counters line (on SIGUSR1, and once more as "final" on exit): every syscall by
// kind, what the connections did, and the server's own CPU time in microseconds (getrusage, far
// finer than /proc's 10 ms ticks).
import MuxCore

public struct CountersMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["counters", "final"]

    public var type: String
    public var seq: UInt64
    public var tNs: UInt64
    public var wait: UInt64 = 0
    public var ctl: UInt64 = 0
    public var accept: UInt64 = 0
    public var read: UInt64 = 0
    public var write: UInt64 = 0
    public var close: UInt64 = 0
    public var other: UInt64 = 0
    public var readEAGAIN: UInt64 = 0
    public var readEOF: UInt64 = 0
    public var writeEAGAIN: UInt64 = 0
    public var acceptEAGAIN: UInt64 = 0
    public var events: UInt64 = 0
    /// io_uring backends: submission entries consumed and completions reaped (0 for the others).
    public var sqes: UInt64 = 0
    public var cqes: UInt64 = 0
    public var requests: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var accepted: UInt64 = 0
    public var closed: UInt64 = 0
    public var rejected: UInt64 = 0
    public var resets: UInt64 = 0
    public var badRequests: UInt64 = 0
    public var idleClosed: UInt64 = 0
    public var shed: UInt64 = 0
    public var open: Int = 0
    public var cpuUserMicroseconds: UInt64 = 0
    public var cpuSystemMicroseconds: UInt64 = 0

    public init(final: Bool, sequence: UInt64, monotonicNanoseconds: UInt64, syscalls: SyscallCounters) {
        type = final ? "final" : "counters"
        seq = sequence
        tNs = monotonicNanoseconds
        self.syscalls = syscalls
    }

    public var isFinal: Bool { type == "final" }

    /// The syscall part, as the counting layer keeps it.
    public var syscalls: SyscallCounters {
        get {
            var s = SyscallCounters()
            for kind in SyscallKind.allCases { s[kind] = self[keyPath: Self.field(of: kind)] }
            s.readEAGAIN = readEAGAIN; s.readEOF = readEOF; s.writeEAGAIN = writeEAGAIN
            s.acceptEAGAIN = acceptEAGAIN; s.events = events; s.sqes = sqes; s.cqes = cqes
            return s
        }
        set {
            for kind in SyscallKind.allCases { self[keyPath: Self.field(of: kind)] = newValue[kind] }
            readEAGAIN = newValue.readEAGAIN; readEOF = newValue.readEOF; writeEAGAIN = newValue.writeEAGAIN
            acceptEAGAIN = newValue.acceptEAGAIN; events = newValue.events
            sqes = newValue.sqes; cqes = newValue.cqes
        }
    }

    /// The line's field for each syscall kind (named as the kind: `"wait": 12`). A kind added to
    /// SyscallKind does not compile until it has one.
    private static func field(of kind: SyscallKind) -> WritableKeyPath<CountersMessage, UInt64> {
        switch kind {
        case .wait: return \.wait
        case .ctl: return \.ctl
        case .accept: return \.accept
        case .read: return \.read
        case .write: return \.write
        case .close: return \.close
        case .other: return \.other
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, seq, wait, ctl, accept, read, write, close, other, events, requests, accepted, closed
        case rejected, resets, shed, open, sqes, cqes
        case tNs = "t_ns", readEAGAIN = "read_eagain", readEOF = "read_eof", writeEAGAIN = "write_eagain"
        case acceptEAGAIN = "accept_eagain", bytesIn = "bytes_in", bytesOut = "bytes_out"
        case badRequests = "bad_requests", idleClosed = "idle_closed"
        case cpuUserMicroseconds = "cpu_user_us", cpuSystemMicroseconds = "cpu_sys_us"
    }
}
