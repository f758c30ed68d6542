// One process-heavy or timing-sensitive test at a time, across every test target.
//
// Swift Testing runs the suites of all test targets in one process, in parallel; `.serialized`
// only orders the tests inside one suite. On a 2-core machine, two suites that each start a
// server and a load generator (or measure CPU share over a wall-clock window) measure each other.
// Every such suite carries `.machineExclusive`: each of its test cases holds one process-wide
// lock while it runs, so no two of them overlap, whichever target they are in. Waiting test
// cases are suspended tasks, not blocked threads: lighter tests run meanwhile.
import Synchronization
import Testing

public struct MachineExclusiveTrait: SuiteTrait, TestTrait, TestScoping {
    /// Applied to a suite, it reaches every test inside it, nested suites included.
    public var isRecursive: Bool { true }

    /// Scope around each test case (each argument of a parameterized test), never a whole suite:
    /// holding the lock for a suite would deadlock a nested suite that waits for it too.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? { testCase == nil ? nil : self }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        await MachineLock.shared.acquire()
        defer { MachineLock.shared.release() }
        try await function()
    }
}

extension Trait where Self == MachineExclusiveTrait {
    /// No other `.machineExclusive` test runs at the same time, in any test target.
    public static var machineExclusive: Self { Self() }
}

/// A first-come, first-served lock for async code: `release` hands it straight to the next waiter.
final class MachineLock: Sendable {
    static let shared = MachineLock()

    private struct State: ~Copyable {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()  // stays held: ownership passes to the waiter
        }
        next?.resume()
    }
}
