import MuxCore
import MuxTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide test set-up every test relies on without asking for it: a raised descriptor
/// limit, `.machineExclusive` keeping process-heavy tests apart, and the backends that run here.
@Suite struct TestSupportTests {
    @Test func descriptorLimitWasRaisedBeforeAnyTest() {
        let (soft, hard) = DescriptorLimit.current()
        // Enough for 1,100 clients and a descriptor at 1500, unless the hard limit forbids it.
        #expect(DescriptorLimit.raised >= min(hard, 65536), "raised at load time to \(DescriptorLimit.raised), hard \(hard)")
        #expect(soft >= min(hard, 4096), "soft \(soft), hard \(hard)")
    }

    @Test func highDescriptorNeverReplacesAnOpenOne() throws {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let first = duplicateDescriptor(fds[0], atLeast: 1500)
        #expect(first >= 1500, "errno \(errno)")
        defer { close(first) }
        let second = duplicateDescriptor(fds[0], atLeast: first)
        #expect(second > first, "the first duplicate stays open")
        close(second)
        #expect(fcntl(first, F_GETFD) >= 0)
    }

    /// Tests parameterized over backends run only the runnable ones (`runnable(_:)`): where one
    /// cannot run, this test is shown as skipped, naming it and why. Where all can, each readiness
    /// backend's multiplexer really is made (io-uring-poll's ring set up).
    @Test(.enabled(if: unrunnableBackends.isEmpty, Comment(rawValue: "backends left out of every test here: \(unrunnableBackends)")))
    func everyBackendRunsHere() throws {
        #expect(runnable(Backend.allCases) == Backend.allCases)
        for backend in Backend.multiplexed {
            #expect(throws: Never.self, "\(backend.rawValue)") { _ = try makeMultiplexer(backend, syscalls: Syscalls()) }
        }
    }

    static let inside = Atomic<Int>(0)
    static let mostAtOnce = Atomic<Int>(0)

    /// Eight cases that Swift Testing would otherwise run in parallel: with the trait, never
    /// two at once. The last case to run sees the record of all of them.
    @Suite(.machineExclusive) struct Exclusive {
        @Test(arguments: 0..<8)
        func neverTwoAtOnce(_ index: Int) {
            let now = TestSupportTests.inside.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
            TestSupportTests.mostAtOnce.max(now, ordering: .sequentiallyConsistent)
            usleep(30_000)
            TestSupportTests.inside.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            #expect(TestSupportTests.mostAtOnce.load(ordering: .sequentiallyConsistent) == 1)
        }
    }
}
