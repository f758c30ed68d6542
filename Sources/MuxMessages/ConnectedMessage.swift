// mux-load's first line: every connection is open, and when (monotonic ns, the same clock as the
// collector's) traffic starts, the warm-up ends and the window ends.

public struct ConnectedMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["connected"]

    public var type = "connected"
    public var connections: Int
    public var startNs: UInt64
    public var warmupEndNs: UInt64
    public var endNs: UInt64
    public var pid: Int32

    public init(connections: Int, startNs: UInt64, warmupEndNs: UInt64, endNs: UInt64, pid: Int32) {
        self.connections = connections
        self.startNs = startNs
        self.warmupEndNs = warmupEndNs
        self.endNs = endNs
        self.pid = pid
    }

    enum CodingKeys: String, CodingKey {
        case type, connections, pid
        case startNs = "start_ns", warmupEndNs = "warmup_end_ns", endNs = "end_ns"
    }
}
