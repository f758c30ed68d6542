import MuxCore
import Testing

// A backend that cannot run here (io_uring refused by kernel.io_uring_disabled, seccomp or an old
// kernel) is skipped where the test runner shows it, with the reason, never passed in silence:
// a test for that one backend is disabled (`.runnable`), shown as skipped; a test parameterized
// over backends runs the runnable ones (`runnable(_:)`), and `everyBackendRunsHere` (in
// MuxCoreTests) is shown as skipped, naming the backends left out and why.

/// `backends` less those that cannot run here: the arguments of a test parameterized over backends.
public func runnable(_ backends: [Backend]) -> [Backend] { backends.filter { $0.unavailableReason == nil } }

/// "io-uring: io_uring unavailable: ...; ...": the backends that cannot run here and why, or "".
public var unrunnableBackends: String {
    Backend.allCases.compactMap { backend in backend.unavailableReason.map { "\(backend.rawValue): \($0)" } }
        .joined(separator: "; ")
}

extension Trait where Self == ConditionTrait {
    /// For a test written for one backend: disabled, and shown as skipped with the reason, when
    /// that backend cannot run here.
    public static func runnable(_ backend: Backend, sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: backend.unavailableReason == nil,
                 Comment(rawValue: "\(backend.rawValue) cannot run here: \(backend.unavailableReason ?? "")"),
                 sourceLocation: sourceLocation)
    }
}
