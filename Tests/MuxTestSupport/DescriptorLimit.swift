// The test process's descriptor limit (raised at load time by CMuxTestSupport) and a way to get
// a high-numbered descriptor without taking anyone else's.
import CMuxTestSupport
#if canImport(Glibc)
import Glibc
#endif

public enum DescriptorLimit {
    /// The soft RLIMIT_NOFILE as raised when the test bundle was loaded (-1: unknown).
    public static var raised: Int { mux_test_descriptor_limit() }

    /// The current soft and hard RLIMIT_NOFILE.
    public static func current() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (-1, -1) }
        return (Int(clamping: limit.rlim_cur), Int(clamping: limit.rlim_max))
    }
}

/// A duplicate of `fd` numbered `minimum` or above (the lowest free such number), or -1 with
/// errno set. Unlike dup2, it never closes a descriptor that another test, running in parallel
/// in this process, holds at that number.
public func duplicateDescriptor(_ fd: Int32, atLeast minimum: Int32) -> Int32 {
    fcntl(fd, F_DUPFD_CLOEXEC, minimum)
}
