// How several load generators start their windows together (`mux-load --wait-for-go`): each one
// connects, says "armed" on stdout and waits; the collector, once every one is armed, writes one
// "go" line to each stdin, and each starts its traffic `delay_ns` after the go arrives, on its own
// monotonic clock. No clock is shared between hosts: the windows line up to within the time the go
// line takes to reach each host.

/// mux-load's line once every connection is open and it waits for the go.
public struct ArmedMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["armed"]

    public var type = "armed"
    public var connections: Int
    public var pid: Int32

    public init(connections: Int, pid: Int32) {
        self.connections = connections
        self.pid = pid
    }
}

/// The collector's line on mux-load's stdin: start the traffic this long after reading it.
public struct GoMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["go"]

    public var type = "go"
    public var delayNs: UInt64

    public init(delayNs: UInt64) { self.delayNs = delayNs }

    enum CodingKeys: String, CodingKey {
        case type, delayNs = "delay_ns"
    }
}
