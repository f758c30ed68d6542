// This process's CPU time, all threads, in microseconds: what the server puts in its counters
// line and the load generator in its result (getrusage, not /proc's 10 ms clock ticks).
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessCPUTime: Equatable, Sendable {
    public var userMicroseconds: UInt64
    public var systemMicroseconds: UInt64

    public init(userMicroseconds: UInt64, systemMicroseconds: UInt64) {
        self.userMicroseconds = userMicroseconds
        self.systemMicroseconds = systemMicroseconds
    }

    /// RUSAGE_SELF: every thread of this process, those still running and those joined.
    public static func now() -> ProcessCPUTime {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func micro(_ t: timeval) -> UInt64 { UInt64(max(0, t.tv_sec)) * 1_000_000 + UInt64(max(0, t.tv_usec)) }
        return ProcessCPUTime(userMicroseconds: micro(usage.ru_utime), systemMicroseconds: micro(usage.ru_stime))
    }

    /// `self - earlier`: the CPU time spent in between (never negative).
    public func since(_ earlier: ProcessCPUTime) -> ProcessCPUTime {
        ProcessCPUTime(userMicroseconds: userMicroseconds &- min(earlier.userMicroseconds, userMicroseconds),
                       systemMicroseconds: systemMicroseconds &- min(earlier.systemMicroseconds, systemMicroseconds))
    }
}
