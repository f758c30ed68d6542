import CMuxShim
import MuxCore
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A connected pair of stream sockets, both ends closed at the end of the test.
final class SocketPair {
    let a: Int32
    let b: Int32
    init() {
        var fds: [Int32] = [-1, -1]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        a = fds[0]
        b = fds[1]
        Socket.setNonBlocking(a)
    }
    func send(_ byte: UInt8 = 7) { var v = byte; _ = write(b, &v, 1) }
    deinit { close(a); close(b) }
}

func events(_ mux: any Multiplexer, timeout: Int32 = 100) throws -> [ReadyEvent] {
    let n = try mux.wait(timeoutMilliseconds: timeout)
    return (0..<n).map { mux.event(at: $0) }.filter { mux.isCurrent($0) }
}

@Suite struct MultiplexerTests {
    @Test(arguments: runnable(Backend.multiplexed))
    func reportsReadableData(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        #expect(try events(mux, timeout: 0).isEmpty)
        pair.send()
        let ready = try events(mux)
        #expect(ready.count == 1)
        #expect(ready.first?.fd == pair.a)
        #expect(ready.first?.flags.contains(.readable) == true)
        #expect(mux.syscalls.counters.wait == 2)
        // io_uring: one io_uring_enter per wait, the poll's SQE went in with the first.
        if backend.traits.usesIOUring { #expect(mux.syscalls.counters.sqes == 1 && mux.syscalls.counters.cqes == 1) }
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func levelTriggeredReportsAgainEdgeTriggeredOnlyOnNewData(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        pair.send()
        #expect(try events(mux).count == 1)
        // The byte is still unread.
        let again = try events(mux, timeout: 50)
        if backend.traits.isEdgeTriggered {
            #expect(again.isEmpty, "edge-triggered must not report the same unread data twice")
            pair.send()
            #expect(try events(mux).count == 1, "new data is a new edge")
        } else {
            #expect(again.count == 1, "level-triggered reports unread data again")
        }
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func writeInterestAndModify(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        #expect(try events(mux, timeout: 0).isEmpty)
        try mux.modify(fd: pair.a, interest: [.read, .write])
        let ready = try events(mux)
        #expect(ready.count == 1 && ready[0].flags.contains(.writable))
        #expect(mux.interest(of: pair.a) == [.read, .write])
        try mux.unregister(fd: pair.a)
        #expect(mux.interest(of: pair.a) == nil)
        #expect(mux.registeredCount == 0)
        pair.send()
        #expect(try events(mux, timeout: 0).isEmpty)
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func hangupIsReported(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        try mux.register(fd: fds[0], interest: .read)
        close(fds[1])
        let ready = try events(mux)
        #expect(ready.count == 1)
        // select has no hang-up bit: it reports readable, and read returns 0.
        #expect(ready.first.map { !$0.flags.isDisjoint(with: [.readable, .hangup]) } == true)
        var byte: UInt8 = 0
        #expect(read(fds[0], &byte, 1) == 0)
    }

    @Test(arguments: [Backend.poll, .epollLT, .epollET])
    func hangupIsReportedEvenWithoutInterest(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        try mux.register(fd: fds[0], interest: .none)
        close(fds[1])
        let ready = try events(mux)
        #expect(ready.count == 1 && ready[0].flags.contains(.hangup))
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func staleEventAfterDescriptorReuseIsDropped(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let first = SocketPair()
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let victim = fds[0]
        try mux.register(fd: first.a, interest: .read)
        try mux.register(fd: victim, interest: .read)
        first.send()
        var byte: UInt8 = 1
        _ = write(fds[1], &byte, 1)
        let n = try mux.wait(timeoutMilliseconds: 100)
        #expect(n == 2)
        // While handling the batch: close the victim and reuse its number for a new socket.
        try mux.unregister(fd: victim)
        let replacement = SocketPair()
        // dup2 closes the victim and reuses its number atomically (no other test can take it).
        let reused = dup2(replacement.a, victim)
        close(fds[1])
        #expect(reused == victim)
        defer { close(reused) }
        try mux.register(fd: reused, interest: .read)
        let batch = (0..<n).map { mux.event(at: $0) }
        let stale = batch.filter { $0.fd == victim }
        #expect(stale.count == 1)
        #expect(stale.allSatisfy { !mux.isCurrent($0) }, "the old connection's event must not reach the new one")
        #expect(batch.filter { $0.fd == first.a }.allSatisfy { mux.isCurrent($0) })
    }

    /// The server registers accepted sockets in the middle of a batch: a registration that
    /// grows a backend's buffers must leave the events of the current batch intact. 60 ready
    /// descriptors, then 80 registrations (past 64 and 128) before the batch is read. (io_uring
    /// with DEFER_TASKRUN may report fewer per wait, see below: its batch is whatever it reported.)
    @Test(arguments: Backend.multiplexed)
    func registeringMidBatchAcrossGrowthKeepsTheBatch(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let ready = (0..<60).map { _ in SocketPair() }
        for pair in ready { try mux.register(fd: pair.a, interest: .read) }
        for pair in ready { pair.send() }
        let n = try mux.wait(timeoutMilliseconds: 1000)
        if backend.traits.usesIOUring { #expect(n > 0 && n <= ready.count) } else { #expect(n == ready.count) }
        let reported = Set((0..<n).map { mux.event(at: $0).fd })
        let late = (0..<80).map { _ in SocketPair() }
        for pair in late { try mux.register(fd: pair.a, interest: .read) }
        let batch = (0..<n).map { mux.event(at: $0) }
        #expect(Set(batch.map(\.fd)) == reported && reported.isSubset(of: Set(ready.map(\.a))),
                "the batch read after the registrations")
        #expect(batch.allSatisfy { mux.isCurrent($0) && $0.flags.contains(.readable) })
    }

    @Test func selectRefusesDescriptorsBeyondFDSetSize() throws {
        let mux = SelectMultiplexer(syscalls: Syscalls())
        let pair = SocketPair()
        // F_DUPFD takes the lowest free number from 1500 up; dup2 onto 1500 could close a
        // descriptor another test running in parallel holds there.
        let high = duplicateDescriptor(pair.a, atLeast: 1500)
        #expect(high >= 1500, "errno \(errno); descriptor limit \(DescriptorLimit.current())")
        defer { close(high) }
        #expect(throws: MultiplexerError.descriptorOutOfRange(fd: high, limit: 1024)) {
            try mux.register(fd: high, interest: .read)
        }
        #expect(mux.registeredCount == 0)
        // Still works for the descriptors it can watch.
        try mux.register(fd: pair.a, interest: .read)
        pair.send()
        #expect(try events(mux).count == 1)
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func registeringTwiceOrUnknownIsATypedError(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        #expect(throws: MultiplexerError.alreadyRegistered(fd: pair.a)) { try mux.register(fd: pair.a, interest: .read) }
        #expect(throws: MultiplexerError.notRegistered(fd: pair.b)) { try mux.modify(fd: pair.b, interest: .read) }
        #expect(throws: MultiplexerError.notRegistered(fd: pair.b)) { try mux.unregister(fd: pair.b) }
    }

    @Test(arguments: runnable(Backend.multiplexed))
    func manyDescriptorsRegisterAndUnregister(_ backend: Backend) throws {
        let mux = try makeMultiplexer(backend, syscalls: Syscalls())
        let pairs = (0..<200).map { _ in SocketPair() }
        for pair in pairs { try mux.register(fd: pair.a, interest: .read) }
        // Remove every other one (exercises poll's swap-with-last and select's maxfd).
        for (i, pair) in pairs.enumerated() where i % 2 == 0 { try mux.unregister(fd: pair.a) }
        for pair in pairs { pair.send() }
        var ready = try events(mux)
        // io_uring with DEFER_TASKRUN posts at most 20 completions' task work per enter
        // (the kernel's IO_LOCAL_TW_DEFAULT_MAX); the rest come with the following waits.
        while backend.traits.usesIOUring, case let more = try events(mux, timeout: 0), !more.isEmpty { ready += more }
        #expect(Set(ready.map(\.fd)) == Set(pairs.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.a)))
    }

    @Test func epollModifyWithUnchangedInterestMakesNoSyscall() throws {
        let syscalls = Syscalls()
        let mux = try EpollMultiplexer(syscalls: syscalls, edgeTriggered: false)
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        let before = syscalls.counters.ctl
        try mux.modify(fd: pair.a, interest: .read)
        #expect(syscalls.counters.ctl == before)
        try mux.modify(fd: pair.a, interest: .write)
        #expect(syscalls.counters.ctl == before + 1)
    }

    /// A multishot poll the kernel ends (here: its completion did not fit a tiny CQ) arrives
    /// without IORING_CQE_F_MORE; the backend must arm it again or that socket goes deaf.
    @Test(.runnable(.ioUringPoll)) func ioUringPollRearmsAPollTheKernelEnded() throws {
        let syscalls = Syscalls()
        let mux = try IOURingPollMultiplexer(syscalls: syscalls, maxEvents: 64, submissionEntries: 1, completionEntries: 2)
        let pairs = (0..<8).map { _ in SocketPair() }
        for pair in pairs { try mux.register(fd: pair.a, interest: .read) }
        _ = try events(mux, timeout: 0)
        for round in 1...3 {
            for pair in pairs { pair.send() }
            var seen = Set<Int32>()
            for _ in 0..<20 where seen.count < pairs.count {
                for event in try events(mux, timeout: 50) {
                    seen.insert(event.fd)
                    var byte: UInt8 = 0
                    while read(event.fd, &byte, 1) == 1 {}
                }
            }
            #expect(seen == Set(pairs.map(\.a)), "round \(round): \(pairs.count - seen.count) sockets were not reported")
        }
    }

    /// The ring is set up with the best flags the kernel takes, falling back in order.
    @Test(.runnable(.ioUringPoll)) func ioUringSetupFlagsFallBackInOrder() throws {
        let mux = try IOURingPollMultiplexer(syscalls: Syscalls())
        let preferred = MUX_SETUP_SINGLE_ISSUER | MUX_SETUP_DEFER_TASKRUN
        #expect([preferred, MUX_SETUP_COOP_TASKRUN | MUX_SETUP_TASKRUN_FLAG, 0].contains(mux.setupFlags))
        print("io_uring setup flags accepted: \(mux.setupFlags == preferred ? "SINGLE_ISSUER|DEFER_TASKRUN" : String(mux.setupFlags, radix: 16))")
    }
}
