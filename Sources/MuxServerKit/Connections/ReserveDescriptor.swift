import MuxCore

/// A descriptor (/dev/null) kept open so that, when accept fails for want of descriptors, a loop
/// can free it, accept one pending connection and close it at once (shed it) rather than leave
/// clients waiting in the backlog for a server that cannot serve them. Owned by its loop, which
/// calls `release` when it ends.
struct ReserveDescriptor {
    private(set) var fd: Int32 = -1

    var isHeld: Bool { fd >= 0 }

    /// Opens the reserve (stays -1 when even that fails).
    mutating func take(syscalls: Syscalls) {
        fd = (try? syscalls.openReadOnly("/dev/null")) ?? -1
    }

    /// Frees the reserve, accepts one pending connection and closes it (counted as accepted,
    /// shed and rejected), then takes the reserve back. Returns whether one was shed.
    mutating func shedOne(from listener: Int32, syscalls: Syscalls, statistics: inout ServerStatistics) -> Bool {
        guard fd >= 0 else { return false }
        syscalls.close(fd)
        fd = -1
        var shed = false
        if case let .accepted(pending)? = try? syscalls.accept(listener) {
            statistics.accepted += 1
            statistics.shed += 1
            statistics.rejected += 1
            syscalls.close(pending)
            shed = true
        }
        take(syscalls: syscalls)
        return shed
    }

    func release(syscalls: Syscalls) {
        if fd >= 0 { syscalls.close(fd) }
    }
}
