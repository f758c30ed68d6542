// One point of a sweep's matrix: everything needed to start the server and the load generator
// once, and the stable id that names it in results/NAME.csv and lets `--resume` find it again.

/// How many connections of a point send requests; `all` follows the point's connection count.
public enum ActiveConnections: Hashable, Sendable {
    case all
    case count(Int)

    public func resolved(connections: Int) -> Int {
        switch self {
        case .all: return connections
        case let .count(n): return n
        }
    }
}

/// The load generator's schedule: closed loop (next request on each reply) or an open-loop rate.
public enum RequestRate: Hashable, Sendable {
    case closedLoop
    case perSecond(Double)

    /// The offered rate in requests/s; nil in closed loop.
    public var perSecond: Double? {
        if case let .perSecond(rate) = self { return rate }
        return nil
    }
}

public struct SweepPoint: Hashable, Sendable {
    /// The server's epoll_wait buffer size unless a sweep says otherwise; ids omit it at this value.
    public static let defaultMaxEvents = 1024

    public var sweep: String
    public var backend: String
    public var connections: Int
    public var active: Int
    public var payloadBytes: Int
    public var protocolName: String
    public var writeMode: String
    public var pipeline: Int
    public var rate: RequestRate
    public var threads: Int
    public var maxEvents: Int
    public var warmup: Double
    public var duration: Double
    /// Set when `backend` names a server MuxBench did not write (`server.NAME = ...`): the run
    /// starts that command instead of mux-server. Not part of the id: the name is.
    public var server: ExternalServer?
    /// Open loop: `spin` or `sleep` as the sweep says; nil: spin where each load thread has a CPU
    /// of its own and the server another (PointRunner.pacing).
    public var pacing: String?
    /// Open loop: `constant` or `exponential` arrivals.
    public var arrivals = "constant"

    public init(sweep: String, backend: String, connections: Int, active: Int, payloadBytes: Int = 64,
                protocolName: String = "echo", writeMode: String = "immediate", pipeline: Int = 1,
                rate: RequestRate = .closedLoop, threads: Int = 1,
                maxEvents: Int = SweepPoint.defaultMaxEvents, warmup: Double = 1, duration: Double = 5) {
        self.sweep = sweep
        self.backend = backend
        self.connections = connections
        self.active = active
        self.payloadBytes = payloadBytes
        self.protocolName = protocolName
        self.writeMode = writeMode
        self.pipeline = pipeline
        self.rate = rate
        self.threads = threads
        self.maxEvents = maxEvents
        self.warmup = warmup
        self.duration = duration
    }

    /// `epoll-et-c1000-a100-b64-echo-immediate-p1-closed-t1`: built from the point's own
    /// parameters only, so editing other lines of the sweep file never renames a finished point.
    /// Warm-up and duration are left out on purpose: `ResumeState` reports rows whose timing
    /// differs instead of silently treating them as another point.
    public var id: String { id(rateLabel: rateLabel) }

    /// The id of this point's rate search: the rate replaced by `search`
    /// (`epoll-et-c1000-a100-b64-echo-immediate-p1-search-t1`). Probes at any rate share it.
    public var searchID: String { id(rateLabel: "search") }

    private func id(rateLabel: String) -> String {
        var id = "\(backend)-c\(connections)-a\(active)-b\(payloadBytes)-\(protocolName)-\(writeMode)"
        id += "-p\(pipeline)-\(rateLabel)-t\(threads)"
        if maxEvents != SweepPoint.defaultMaxEvents { id += "-e\(maxEvents)" }
        // Suffixes only away from the defaults, so the points of older sweeps keep their ids.
        if arrivals != "constant" { id += "-\(arrivals)" }
        if let pacing { id += "-\(pacing)" }
        return id
    }

    private var rateLabel: String {
        switch rate {
        case .closedLoop: return "closed"
        case let .perSecond(rps): return "r\(formatCompactNumber(rps))"
        }
    }

    /// The values of `ResultsSchema.pointParameters` for this point.
    public var rowParameters: [String: String] {
        let rateTarget: String
        switch rate {
        case .closedLoop: rateTarget = ""
        case let .perSecond(rps): rateTarget = formatCompactNumber(rps)
        }
        return [
            "sweep": sweep, "point": id, "backend": backend, "protocol": protocolName,
            "mode": writeMode, "connections": String(connections), "active": String(active),
            "payload_bytes": String(payloadBytes), "pipeline": String(pipeline),
            "rate_target_rps": rateTarget, "threads": String(threads), "max_events": String(maxEvents), "warmup_s": formatCompactNumber(warmup),
            "duration_s": formatCompactNumber(duration),
        ]
    }
}
