// A process's context switches (/proc/PID/status) and /proc's coarse CPU ticks (/proc/PID/stat,
// through ProcStat), read at the window's edges; the collector takes mux-server's and mux-load's
// CPU time from the processes themselves (getrusage, µs) instead.
public struct ProcessStats: Equatable, Sendable {
    public var userSeconds = 0.0
    public var systemSeconds = 0.0
    public var voluntarySwitches = 0
    public var involuntarySwitches = 0

    public init() {}

    /// nil when the process is gone.
    public static func read(pid: Int32) -> ProcessStats? { read(directory: "/proc/\(pid)") }

    /// From `/proc/PID` or `/proc/PID/task/TID` (one thread); nil when it is gone.
    public static func read(directory: String) -> ProcessStats? {
        guard let stat = ProcStat.read(path: "\(directory)/stat"),
              let status = readProcFile("\(directory)/status") else { return nil }
        var stats = ProcessStats()
        stats.userSeconds = stat.userSeconds
        stats.systemSeconds = stat.systemSeconds
        for line in status.split(separator: "\n") {
            if line.hasPrefix("voluntary_ctxt_switches:") {
                stats.voluntarySwitches = Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
            } else if line.hasPrefix("nonvoluntary_ctxt_switches:") {
                stats.involuntarySwitches = Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
            }
        }
        return stats
    }

    /// The scheduler's state of `pid` in words ("stopped", "running", "sleeping", ...), nil when gone.
    public static func schedulingState(pid: Int32) -> String? { ProcStat.read(pid: pid)?.stateInWords }

    public func subtracting(_ earlier: ProcessStats) -> ProcessStats {
        var d = ProcessStats()
        d.userSeconds = userSeconds - earlier.userSeconds
        d.systemSeconds = systemSeconds - earlier.systemSeconds
        d.voluntarySwitches = voluntarySwitches - earlier.voluntarySwitches
        d.involuntarySwitches = involuntarySwitches - earlier.involuntarySwitches
        return d
    }
}
