import MuxCore

/// True (after printing why) when `backend` cannot run here, e.g. io_uring refused by
/// kernel.io_uring_disabled or seccomp: the test returns early, and the skip is on the output
/// for everyone to see rather than a silent pass.
public func backendUnavailable(_ backend: Backend) -> Bool {
    guard let reason = backend.unavailableReason else { return false }
    print("SKIPPED for \(backend.rawValue): \(reason)")
    return true
}
