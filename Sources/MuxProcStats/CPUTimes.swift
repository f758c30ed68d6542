// Each CPU's time counters from /proc/stat, for steal time: how much of the measured CPUs the
// hypervisor took during a window (StealWindow, in MuxBenchKit). On a shared VM it comes in
// episodes (this project's 2-vCPU build VM went from 0% to 40–46% for minutes at a time), during
// which latencies and "who was the limit" read worse for reasons that are neither the server's
// nor the load generator's. The collector records it for every run (`steal_pct`) so a reader can
// set such a run apart; it does not correct anything.
public struct CPUTimes: Equatable, Sendable {
    /// One CPU's counters, in clock ticks since boot.
    public struct Ticks: Equatable, Sendable {
        public var steal: UInt64
        /// Every state the CPU can be in: user, nice, system, idle, iowait, irq, softirq, steal
        /// (guest time is already inside user and nice).
        public var total: UInt64
    }

    public var perCPU: [Int: Ticks]

    /// The `cpuN` lines of /proc/stat's text; the all-CPU `cpu` line and malformed lines are skipped.
    public init(procStat text: String) {
        var perCPU: [Int: Ticks] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let number = Int(fields[0].dropFirst(3)), fields.count >= 9 else { continue }
            let values = fields[1...8].compactMap { UInt64($0) }
            guard values.count == 8 else { continue }
            perCPU[number] = Ticks(steal: values[7], total: values.reduce(0, +))
        }
        self.perCPU = perCPU
    }

    /// Now, or nil where /proc/stat cannot be read.
    public static func now() -> CPUTimes? {
        readProcFile("/proc/stat").map(CPUTimes.init(procStat:))
    }

    /// The share of `cpus`' time, in percent, that was stolen between `earlier` and these
    /// counters; nil when a CPU is missing from either or no tick has passed.
    public func stealPercent(since earlier: CPUTimes, cpus: Set<Int>) -> Double? {
        var stolen: UInt64 = 0
        var total: UInt64 = 0
        for cpu in cpus {
            guard let end = perCPU[cpu], let start = earlier.perCPU[cpu],
                  end.total >= start.total, end.steal >= start.steal else { return nil }
            stolen += end.steal - start.steal
            total += end.total - start.total
        }
        guard total > 0 else { return nil }
        return 100 * Double(stolen) / Double(total)
    }
}
