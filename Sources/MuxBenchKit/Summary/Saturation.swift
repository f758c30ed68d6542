// Whose limit a run measured. A run is saturated when its figures may not be the server's: an
// open loop that delivered under 99% of what it offered, a load generator near all of its CPUs,
// or both processes pegged (then throughput is whoever gives out first and "CPU per request" is
// just utilisation ÷ throughput). The CSV's `saturated_by` column says which side was the limit,
// the summary counts such reps, charts draw them hollow and the check never compares their speed.

/// Which side ran out, for a saturated run.
public enum SaturationLimit: String, Sendable, CaseIterable {
    /// The load generator was at ≥ 90% of the CPUs its threads can use (spinning: busy ≥ 90% of the
    /// time it ran, or a whole mean gap late at the median); the server was not pegged.
    case client
    /// An open loop fell short with the server pegged and the load generator not.
    case server
    /// Both processes pegged.
    case both
    /// An open loop fell short with neither process pegged (the machine, scheduling, the network path).
    case neither
}

public struct SaturationInput: Sendable {
    /// Open loop: requests per second asked for; nil in closed loop.
    public var offeredRPS: Double?
    public var achievedRPS: Double
    /// CPU seconds per window second. The server is single-threaded: 1.0 is all it can use.
    public var serverCPUUtil: Double
    public var loadCPUUtil: Double
    /// How many CPUs the load generator could use at once: its threads, at most the CPUs it is pinned to.
    public var loadCPUCapacity: Double
    /// Open loop with a spinning client (pacing spin): its busiest thread's share of the window
    /// spent working, its median send lateness and a thread's mean gap between sends, in µs. A
    /// spinning thread is always at 100% CPU, so these, not its CPU, say whether it kept up.
    public var spinning: SpinningClient?

    public struct SpinningClient: Sendable {
        public var busyShare: Double
        public var sendLatenessP50Us: Double?
        public var meanGapUs: Double

        public init(busyShare: Double, sendLatenessP50Us: Double?, meanGapUs: Double) {
            self.busyShare = busyShare
            self.sendLatenessP50Us = sendLatenessP50Us
            self.meanGapUs = meanGapUs
        }
    }

    public init(offeredRPS: Double?, achievedRPS: Double, serverCPUUtil: Double, loadCPUUtil: Double, loadCPUCapacity: Double) {
        self.offeredRPS = offeredRPS
        self.achievedRPS = achievedRPS
        self.serverCPUUtil = serverCPUUtil
        self.loadCPUUtil = loadCPUUtil
        self.loadCPUCapacity = loadCPUCapacity
    }
}

public enum Saturation {
    /// An open loop must deliver at least this fraction of its offered rate.
    public static let deliveredFraction = 0.99
    /// A process at this fraction of the CPUs it can use is pegged.
    public static let peggedFraction = 0.90

    /// The side that limited the run, or nil when the run measured the server unhindered.
    /// A closed loop with only the server pegged is not saturated: that is the server's capacity.
    public static func limit(_ input: SaturationInput) -> SaturationLimit? {
        let serverPegged = input.serverCPUUtil >= peggedFraction
        let clientPegged: Bool
        if let spinning = input.spinning {
            // Busy most of the window, or behind its own schedule by a whole gap at the median.
            clientPegged = spinning.busyShare >= peggedFraction
                || (spinning.sendLatenessP50Us.map { $0 >= spinning.meanGapUs } ?? false)
        } else {
            clientPegged = input.loadCPUUtil >= peggedFraction * max(input.loadCPUCapacity, 1)
        }
        let short = input.offeredRPS.map { !delivered(offered: $0, achieved: input.achievedRPS) } ?? false
        switch (clientPegged, serverPegged) {
        case (true, true): return .both
        case (true, false): return .client
        case (false, true): return short ? .server : nil
        case (false, false): return short ? .neither : nil
        }
    }

    /// Whether an open loop delivered what it offered (at least `deliveredFraction` of it): the
    /// rule a saturated row, a sustained search probe and the max-rate chart all use.
    public static func delivered(offered: Double, achieved: Double) -> Bool { achieved >= offered * deliveredFraction }

    /// What decides a measured raw row's saturation: its offered and achieved rates, both
    /// processes' CPU per window second, how many CPUs the load generator could use and, for a
    /// spinning client, its busy share and lateness. The server's side needs no CPU count of any
    /// machine: it is single-threaded, so one CPU second per window second is all it can use, and
    /// its CPU time is its own (counters line), which holds for a server host too.
    /// `loadHostsShare`, with load from several hosts, replaces the load side by the busiest load
    /// machine's share of its CPUs (LoadHostGroup).
    public static func input(of row: [String: String], offeredRPS: Double?, loadHostsShare: Double? = nil) -> SaturationInput {
        let serverCPUUtil = SweepSummary.figureValue("server_cpu_util", in: row) ?? 0
        let achieved = Double(row["throughput_rps"] ?? "") ?? 0
        if let loadHostsShare {
            return SaturationInput(offeredRPS: offeredRPS, achievedRPS: achieved, serverCPUUtil: serverCPUUtil,
                                   loadCPUUtil: loadHostsShare, loadCPUCapacity: 1)
        }
        let capacity = SweepSummary.loadCPUCapacity(of: row)
        var input = SaturationInput(
            offeredRPS: offeredRPS, achievedRPS: achieved, serverCPUUtil: serverCPUUtil,
            loadCPUUtil: (SweepSummary.figureValue("load_cpu_util", in: row) ?? 0) * capacity,
            loadCPUCapacity: capacity)
        if row["pacing"] == "spin", let busy = Double(row["load_busy_share"] ?? ""),
           let gap = OpenLoopChecks.meanGapMicroseconds(of: row) {
            input.spinning = .init(busyShare: busy, sendLatenessP50Us: Double(row["send_late_p50_us"] ?? ""), meanGapUs: gap)
        }
        return input
    }

    /// The CSV value of a row's `saturated_by`: empty when not saturated.
    public static func column(_ limit: SaturationLimit?) -> String { limit?.rawValue ?? "" }

    /// Whether a raw row was saturated (its `saturated_by` is set).
    public static func isSaturated(_ row: [String: String]) -> Bool { !(row["saturated_by"] ?? "").isEmpty }

    /// The side a raw row's `saturated_by` names; nil when the run was not saturated.
    public static func limit(of row: [String: String]) -> SaturationLimit? {
        row["saturated_by"].flatMap(SaturationLimit.init(rawValue:))
    }

    /// Whether the load generator was (one of) the limit(s) of a raw row: `client` or `both`.
    public static func isClientLimited(_ row: [String: String]) -> Bool {
        switch limit(of: row) {
        case .client?, .both?: return true
        case .server?, .neither?, nil: return false
        }
    }
}
