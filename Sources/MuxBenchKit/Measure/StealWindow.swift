// Steal time over a window (`steal_pct`): the hypervisor's share of the CPUs the server and the
// load generator may run on, from /proc/stat's counters (CPUTimes, in MuxProcStats).
import MuxMetrics
import MuxProcStats

/// One window's steal over the CPUs the given processes may run on: started at the window's
/// start, finished into the row (`steal_pct`, and a note from 5%) at its end.
struct StealWindow {
    let cpus: Set<Int>
    let start: CPUTimes?

    init(pids: [Int32]) {
        cpus = Set(pids.flatMap { (try? CPUPlan.affinity(of: $0)) ?? [] })
        start = CPUTimes.now()
    }

    /// The figure from the start until now.
    func stealPercent() -> Double? {
        start.flatMap { start in CPUTimes.now()?.stealPercent(since: start, cpus: cpus) }
    }

    /// `steal` (taken at the window's end, `stealPercent()`) into the row, and a note from 5%.
    func record(_ steal: Double?, into row: inout [String: String], notes: inout [String]) {
        row["steal_pct"] = steal.map(formatCompactNumber) ?? ""
        if let steal, steal >= 5 {
            notes.append("the hypervisor took \(formatCompactNumber(steal))% of CPU \(formatCPUList(cpus.sorted())) "
                         + "during the window (steal time): latencies include it")
        }
    }
}
