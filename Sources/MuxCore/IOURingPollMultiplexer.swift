// io_uring as a readiness backend: one multishot IORING_OP_POLL_ADD per descriptor, reads and
// writes stay ordinary syscalls. register arms the poll, unregister removes it, modify does
// both; the SQEs wait in the ring and go in with the next wait, which is one io_uring_enter
// that submits and waits, after which the CQEs are reaped. A multishot poll reports each new
// wake-up, not a level: like edge-triggered epoll, readers drain to EAGAIN. A CQE without
// IORING_CQE_F_MORE means the poll ended (the kernel may end it, e.g. when the CQ overflows):
// it is re-armed. Each armed poll carries a token in user_data beside the fd, so completions of
// a removed poll (and of a closed descriptor's reused number) are told from the current one's.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

public final class IOURingPollMultiplexer: Multiplexer {
    public let syscalls: Syscalls
    public var backend: Backend { .ioUringPoll }
    public var isEdgeTriggered: Bool { true }

    private let ring: IOURing
    private var table = RegistrationTable()
    /// The token of the poll armed on each fd (0: none armed).
    private var armed: [UInt32] = []
    private var nextToken: UInt32 = 0
    private let maxEvents: Int
    private let fired: UnsafeMutablePointer<ReadyEvent>
    /// user_data of poll-remove requests: their own completions carry nothing to report.
    private static let removalTag: UInt64 = 0

    public init(syscalls: Syscalls, maxEvents: Int = 1024, submissionEntries: UInt32 = 1024,
                completionEntries: UInt32 = 16384) throws {
        self.syscalls = syscalls
        self.maxEvents = max(1, maxEvents)
        do {
            ring = try IOURing(entries: submissionEntries, completionEntries: completionEntries, syscalls: syscalls)
        } catch { throw MultiplexerError.syscall(error) }
        fired = .allocate(capacity: self.maxEvents)
    }

    deinit { fired.deallocate() }

    public var registeredCount: Int { table.count }
    public func interest(of fd: Int32) -> Interest? { table.interest(of: fd) }
    /// The setup flags the kernel accepted (for the ready line and tests).
    public var setupFlags: UInt32 { ring.setupFlags }

    @inline(__always)
    private static func userData(fd: Int32, token: UInt32) -> UInt64 {
        UInt64(token) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    private static func mask(for interest: Interest) -> UInt32 {
        var mask: UInt32 = 0
        if interest.contains(.read) { mask |= UInt32(MUX_POLLIN) }
        if interest.contains(.write) { mask |= UInt32(MUX_POLLOUT) }
        return mask
    }

    public func register(fd: Int32, interest: Interest) throws {
        _ = try table.add(fd: fd, interest: interest)
        let index = Int(fd)
        if index >= armed.count { armed += repeatElement(0, count: max(index + 1, armed.count * 2, 64) - armed.count) }
        do { try arm(fd, interest) } catch {
            try? table.remove(fd: fd)
            throw error
        }
    }

    public func modify(fd: Int32, interest: Interest) throws {
        guard let current = table.interest(of: fd) else { throw MultiplexerError.notRegistered(fd: fd) }
        if current == interest { return }
        try table.setInterest(interest, of: fd)
        try disarm(fd)
        try arm(fd, interest)
    }

    /// Removes the poll before the owner closes: a pending poll holds its own reference to the
    /// socket, so a close alone would neither end the poll nor release the socket.
    public func unregister(fd: Int32) throws {
        try table.remove(fd: fd)
        try disarm(fd)
    }

    private func arm(_ fd: Int32, _ interest: Interest) throws {
        guard interest != .none else { return }
        nextToken &+= 1
        if nextToken == 0 { nextToken = 1 }
        armed[Int(fd)] = nextToken
        let data = Self.userData(fd: fd, token: nextToken)
        try submitWhenFull { mux_ring_poll_add(ring.raw, fd, Self.mask(for: interest), 1, data) }
    }

    private func disarm(_ fd: Int32) throws {
        let token = armed[Int(fd)]
        guard token != 0 else { return }
        armed[Int(fd)] = 0
        let target = Self.userData(fd: fd, token: token)
        try submitWhenFull { mux_ring_poll_remove(ring.raw, target, Self.removalTag) }
    }

    /// Writes one SQE; when the SQ is full, submits what is there first (one more enter).
    @inline(__always)
    private func submitWhenFull(_ prepare: () -> Int32) throws {
        if prepare() == 0 { return }
        do { _ = try ring.enter(waitFor: 0, timeoutNanoseconds: -1, syscalls: syscalls) } catch {
            throw MultiplexerError.syscall(error)
        }
        guard prepare() == 0 else { throw MultiplexerError.syscall(SyscallError("io_uring_enter", EBUSY)) }
    }

    public func wait(timeoutMilliseconds: Int32) throws -> Int {
        // CQEs left over from a full batch are reported before waiting for more.
        let waitFor: UInt32 = ring.readyCount == 0 && timeoutMilliseconds != 0 ? 1 : 0
        if waitFor == 1 || ring.unsubmitted > 0 || ring.readyCount == 0 {
            do {
                _ = try ring.enter(waitFor: waitFor,
                                   timeoutNanoseconds: timeoutMilliseconds < 0 ? -1 : Int64(timeoutMilliseconds) * 1_000_000,
                                   syscalls: syscalls)
            } catch { throw MultiplexerError.syscall(error) }
        }
        return try reap()
    }

    private func reap() throws -> Int {
        let available = ring.readyCount
        var consumed = 0
        var count = 0
        while consumed < available, count < maxEvents {
            let completion = ring.completion(at: consumed)
            consumed += 1
            guard completion.userData != Self.removalTag else { continue }
            let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: completion.userData))
            let token = UInt32(truncatingIfNeeded: completion.userData >> 32)
            // A removed poll, or one of a descriptor since closed and reused: stale.
            guard fd >= 0, Int(fd) < armed.count, armed[Int(fd)] == token else { continue }
            if !completion.hasMore {
                // The poll ended: arm a new one (it fires at once if the fd is still ready).
                armed[Int(fd)] = 0
                if let interest = table.interest(of: fd) { try arm(fd, interest) }
            }
            var flags: ReadyFlags = []
            if completion.result < 0 {
                if completion.result == -ECANCELED { continue }
                flags.insert(.error)
            } else {
                let events = completion.result
                if events & Int32(MUX_POLLIN) != 0 { flags.insert(.readable) }
                if events & Int32(MUX_POLLOUT) != 0 { flags.insert(.writable) }
                if events & Int32(MUX_POLLERR) != 0 { flags.insert(.error) }
                if events & Int32(MUX_POLLHUP) != 0 { flags.insert(.hangup) }
            }
            fired[count] = ReadyEvent(fd: fd, flags: flags, registration: table.id(of: fd))
            count += 1
        }
        ring.advance(consumed, syscalls: syscalls)
        syscalls.recordDelivered(events: count)
        return count
    }

    @inline(__always)
    public func event(at index: Int) -> ReadyEvent { fired[index] }

    @inline(__always)
    public func isCurrent(_ event: ReadyEvent) -> Bool { table.isCurrent(event) }
}
