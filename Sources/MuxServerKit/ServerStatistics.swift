import MuxCore

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

/// One JSON object per line on stdout: what scripts and the collector read.
public enum ServerReport {
    public static func countersLine(sequence: UInt64, monotonicNanoseconds: UInt64, syscalls: SyscallCounters,
                                    statistics s: ServerStatistics, final: Bool) -> String {
        var fields: [String] = ["\"type\":\"\(final ? "final" : "counters")\"", "\"seq\":\(sequence)",
                                "\"t_ns\":\(monotonicNanoseconds)"]
        for (name, value) in syscalls.fields { fields.append("\"\(name)\":\(value)") }
        fields += ["\"requests\":\(s.requests)", "\"bytes_in\":\(s.bytesIn)", "\"bytes_out\":\(s.bytesOut)",
                   "\"accepted\":\(s.accepted)", "\"closed\":\(s.closed)", "\"rejected\":\(s.rejected)",
                   "\"resets\":\(s.resets)", "\"bad_requests\":\(s.badRequests)",
                   "\"idle_closed\":\(s.idleClosed)", "\"shed\":\(s.shed)", "\"open\":\(s.open)"]
        return "{" + fields.joined(separator: ",") + "}"
    }
}
