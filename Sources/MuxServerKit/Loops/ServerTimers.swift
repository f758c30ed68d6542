import MuxCore

/// The deadlines both server loops wait on besides I/O: the end of an accept pause (out of
/// descriptors), the next idle sweep and the lingering closes. Only the loop turn consults them,
/// never a request; a loop without any of them armed skips its timer pass.
struct ServerTimers {
    /// Accepting is paused until this instant (monotonic ns); 0 when it is not paused.
    private(set) var acceptPausedUntil: UInt64 = 0
    var lingering = LingeringCloses()
    private let idleTimeout: Bool
    private let idleLimit: UInt64
    private var nextIdleSweep: UInt64 = 0

    init(idleTimeoutSeconds: Double) {
        idleTimeout = idleTimeoutSeconds > 0
        idleLimit = idleTimeout ? UInt64(idleTimeoutSeconds * 1e9) : 0
    }

    var isAcceptPaused: Bool { acceptPausedUntil != 0 }

    /// Whether the loop has a timer pass to run after this turn.
    var isArmed: Bool { acceptPausedUntil != 0 || idleTimeout || !lingering.isEmpty }

    /// The earliest deadline of all, 0 when there is none (wait without a timeout).
    var nextDeadline: UInt64 {
        var deadline: UInt64 = 0
        if acceptPausedUntil != 0 { deadline = acceptPausedUntil }
        if idleTimeout, deadline == 0 || nextIdleSweep < deadline { deadline = nextIdleSweep }
        let lingeringDeadline = lingering.nextDeadline
        if lingeringDeadline != 0, deadline == 0 || lingeringDeadline < deadline { deadline = lingeringDeadline }
        return deadline
    }

    /// 100 ms without accepting: out of descriptors, a listener re-armed at once fails again at once.
    mutating func pauseAccepting() {
        acceptPausedUntil = monotonicNanoseconds() + 100_000_000
    }

    /// True (once) when the accept pause is over by `now`; the loop then resumes accepting.
    mutating func acceptPauseEnded(now: UInt64) -> Bool {
        guard acceptPausedUntil != 0, now >= acceptPausedUntil else { return false }
        acceptPausedUntil = 0
        return true
    }

    /// When an idle sweep is due by `now`, the idle limit (ns) to close connections by, and the
    /// next sweep is scheduled half a timeout on: one pass over the table per half timeout.
    mutating func idleSweepDue(now: UInt64) -> UInt64? {
        guard idleTimeout, now >= nextIdleSweep else { return nil }
        nextIdleSweep = now + max(idleLimit / 2, 1_000_000)
        return idleLimit
    }
}
