// One io_uring: the ring descriptor and its mmap'd queues, owned by this value alone (it is
// ~Copyable; deinit unmaps and closes). Every io_uring_enter is counted as the wait syscall,
// SQEs submitted and CQEs reaped in their own counters: operations done through the ring are
// not syscalls and are never counted as such.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

/// One completion, copied out of the CQ.
public struct Completion: Sendable {
    public var userData: UInt64
    public var result: Int32
    public var flags: UInt32

    /// More completions will follow for this (multishot) request; without it, the request ended.
    @inline(__always) public var hasMore: Bool { flags & MUX_CQE_F_MORE != 0 }
    /// The provided buffer the kernel filled, when it chose one.
    @inline(__always) public var bufferID: UInt16? {
        flags & MUX_CQE_F_BUFFER != 0 ? UInt16(truncatingIfNeeded: flags >> MUX_CQE_BUFFER_SHIFT) : nil
    }
}

public struct IOURing: ~Copyable {
    @usableFromInline let ring: UnsafeMutablePointer<mux_ring>

    /// Sets up a ring of `entries` SQEs and `completionEntries` CQEs (setup flags with fallbacks:
    /// SINGLE_ISSUER|DEFER_TASKRUN, then COOP_TASKRUN|TASKRUN_FLAG, then none).
    public init(entries: UInt32, completionEntries: UInt32, syscalls: Syscalls) throws(SyscallError) {
        ring = .allocate(capacity: 1)
        let result = syscalls.counted(.other) { mux_ring_setup(ring, entries, completionEntries) }
        guard result == 0 else {
            ring.deallocate()
            throw SyscallError("io_uring_setup", -result)
        }
    }

    deinit {
        mux_ring_release(ring)
        ring.deallocate()
    }

    /// The setup flags the kernel accepted.
    public var setupFlags: UInt32 { ring.pointee.setup_flags }
    public var completionCapacity: Int { Int(ring.pointee.cq_entries) }
    public var submissionCapacity: Int { Int(ring.pointee.sq_entries) }
    public var unsubmitted: Int { Int(mux_ring_unsubmitted(ring)) }
    /// Raw pointer for the SQE-preparing shim calls and the buffer ring.
    public var raw: UnsafeMutablePointer<mux_ring> { ring }

    /// One io_uring_enter: submits what is written and waits for `waitFor` completions or the
    /// timeout (nanoseconds, -1: none). EINTR returns 0. Counted as a wait call (Syscalls.ioUringEnter).
    @inline(__always)
    public func enter(waitFor: UInt32, timeoutNanoseconds: Int64, syscalls: Syscalls) throws(SyscallError) -> Int {
        try syscalls.ioUringEnter(ring, waitFor: waitFor, timeoutNanoseconds: timeoutNanoseconds)
    }

    /// Completions ready to read now.
    @inline(__always) public var readyCount: Int { Int(mux_ring_cq_ready(ring)) }

    @inline(__always)
    public func completion(at index: Int) -> Completion {
        let i = UInt32(index)
        return Completion(userData: mux_ring_cqe_user_data(ring, i), result: mux_ring_cqe_res(ring, i),
                          flags: mux_ring_cqe_flags(ring, i))
    }

    /// Marks `count` completions consumed; they are counted as reaped.
    @inline(__always)
    public func advance(_ count: Int, syscalls: Syscalls) {
        guard count > 0 else { return }
        syscalls.recordReaped(completions: count)
        mux_ring_cq_advance(ring, UInt32(count))
    }

    /// Why io_uring cannot run on this machine — "io_uring_setup: EPERM (...); kernel.io_uring_disabled = 2" —
    /// or nil. Probed once per process.
    public static var unavailableReason: String? { probedUnavailableReason }
}

private let probedUnavailableReason: String? = {
    var sysctl: Int32 = -1
    let code = mux_ring_probe(&sysctl)
    guard code != 0 else { return nil }
    let setting = sysctl >= 0 ? "kernel.io_uring_disabled = \(sysctl)" : "kernel.io_uring_disabled unreadable"
    return "io_uring unavailable: \(SyscallError("io_uring_setup", code).description); \(setting)"
}()
