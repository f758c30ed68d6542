// A platform hiccup meter in the spirit of jHiccup: a thread that sleeps 1 ms at a time and
// records by how much each sleep overshot. Whatever delays it — the hypervisor taking the vCPU,
// interrupts and softirqs, timer slack — delays the load generator's own pacing and reply
// handling just the same, so its distribution is the noise floor under every open-loop latency.
//
// It runs inside mux-load, so it shares the load generator's CPUs (CPU 1 when the collector pins
// the server to CPU 0), where the pacing happens. It asks for SCHED_FIFO so that a busy worker
// thread on the same CPU cannot delay its wake-ups: then it measures the platform, not our own
// load. Without the privilege it runs as an ordinary thread and says so (`sched`).
import CMuxShim
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

final class HiccupMeter: @unchecked Sendable {
    static let interval: UInt64 = 1_000_000

    /// Overshoot of every sleep that ended inside the window, in ns.
    private(set) var histogram = LatencyHistogram()
    /// `fifo` (real-time priority: the platform's hiccups) or `other` (also waits for our threads).
    private(set) var scheduling = "other"
    /// The CPU it last woke on.
    private(set) var cpu: Int32 = -1

    /// Sleeps in 1 ms steps from now until `end`, recording overshoots of sleeps that end in [warmupEnd, end).
    func run(warmupEnd: UInt64, end: UInt64) {
        var parameters = sched_param(sched_priority: 1)
        if pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters) == 0 { scheduling = "fifo" }
        // Ordinary threads get 50 µs of timer slack by default; ask for none.
        _ = mux_set_timer_slack(1)
        var target = monotonicNanoseconds() + Self.interval
        while target < end {
            var until = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
            // Absolute deadline: an interruption (EINTR) just sleeps again to the same instant.
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nil) == EINTR {}
            let woke = monotonicNanoseconds()
            if woke >= warmupEnd { histogram.record(woke > target ? woke - target : 0) }
            // Next deadline from now, not from the missed one: one long stall is one hiccup, not a burst.
            target = woke + Self.interval
        }
        cpu = mux_current_cpu()
    }
}
