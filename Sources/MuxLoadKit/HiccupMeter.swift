// A platform hiccup meter in the spirit of jHiccup: a thread that sleeps 1 ms at a time and
// records by how much each sleep overshot. Whatever delays it — the hypervisor taking the vCPU,
// interrupts and softirqs, timer slack — delays the load generator's own pacing and reply
// handling just the same, so its distribution is the noise floor under every open-loop latency.
//
// It runs inside mux-load, so it shares the load generator's CPUs (CPU 1 when the collector pins
// the server to CPU 0), where the pacing happens, and it is an ordinary SCHED_OTHER thread like
// the workers: what delays it — the hypervisor, interrupts, other processes queued on that CPU —
// delays them. (A SCHED_FIFO meter would see only the hypervisor and interrupts: on the shared
// 2-CPU build VM that read p99 ≈ 70 µs while the workers' send lateness read p99 1–6 ms, i.e. the
// workers' milliseconds were run-queue waits behind other processes, which only an ordinary
// thread sees.) It wakes 1,000 times a second for a few µs: negligible beside the workers.
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
    /// The scheduling class it ran in, as the report names it.
    let scheduling = "other"
    /// The CPU it last woke on.
    private(set) var cpu: Int32 = -1

    /// Sleeps in 1 ms steps from now until `end`, recording overshoots of sleeps that end in [warmupEnd, end).
    func run(warmupEnd: UInt64, end: UInt64) {
        // Ordinary threads get 50 µs of timer slack by default; ask for none, so that the
        // overshoot is delay, not permitted slack.
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
