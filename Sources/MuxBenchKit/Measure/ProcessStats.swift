// A process's context switches (and /proc's coarse CPU ticks), read from /proc at the window's edges;
// the collector takes CPU time from the processes themselves (getrusage, µs) instead.
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessStats: Equatable, Sendable {
    public var userSeconds = 0.0
    public var systemSeconds = 0.0
    public var voluntarySwitches = 0
    public var involuntarySwitches = 0

    public init() {}

    /// nil when the process is gone.
    public static func read(pid: Int32) -> ProcessStats? { read(directory: "/proc/\(pid)") }

    /// From `/proc/PID` or `/proc/PID/task/TID` (one thread); nil when it is gone.
    static func read(directory: String) -> ProcessStats? {
        guard let stat = try? readTextFile("\(directory)/stat"),
              let status = try? readTextFile("\(directory)/status") else { return nil }
        var stats = ProcessStats()
        // Fields after the command name, which is in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime is field 14, stime field 15.
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        stats.userSeconds = utime / ticks
        stats.systemSeconds = stime / ticks
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
    public static func schedulingState(pid: Int32) -> String? {
        guard let stat = try? readTextFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")"),
              let letter = stat[stat.index(after: close)...].split(separator: " ").first?.first else { return nil }
        let words: [Character: String] = ["R": "running", "S": "sleeping", "D": "disk sleep", "T": "stopped",
                                          "t": "stopped by a tracer", "Z": "zombie", "X": "dead", "I": "idle"]
        return words[letter] ?? String(letter)
    }

    public func subtracting(_ earlier: ProcessStats) -> ProcessStats {
        var d = ProcessStats()
        d.userSeconds = userSeconds - earlier.userSeconds
        d.systemSeconds = systemSeconds - earlier.systemSeconds
        d.voluntarySwitches = voluntarySwitches - earlier.voluntarySwitches
        d.involuntarySwitches = involuntarySwitches - earlier.involuntarySwitches
        return d
    }
}
