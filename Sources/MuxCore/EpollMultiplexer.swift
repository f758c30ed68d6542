// epoll(7), level- or edge-triggered: one epoll_ctl per interest change (none when the
// interest is unchanged), a fixed batch of `maxEvents` per epoll_wait, and the registration id
// carried in epoll_data.u64 beside the fd so stale events after fd reuse are recognised.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

public final class EpollMultiplexer: Multiplexer {
    public let syscalls: Syscalls
    public let isEdgeTriggered: Bool
    public var backend: Backend { isEdgeTriggered ? .epollET : .epollLT }

    private let epollFD: Int32          // owned: closed in deinit
    private let maxEvents: Int
    private let rawEvents: UnsafeMutableRawPointer
    private let fired: UnsafeMutablePointer<ReadyEvent>
    private var table = RegistrationTable()
    private let triggerBits: UInt32

    public init(syscalls: Syscalls, edgeTriggered: Bool, maxEvents: Int = 1024) throws {
        self.syscalls = syscalls
        self.isEdgeTriggered = edgeTriggered
        self.maxEvents = max(1, maxEvents)
        triggerBits = edgeTriggered ? MUX_EPOLLET : 0
        do {
            epollFD = try syscalls.other("epoll_create1") { mux_epoll_create() }
        } catch { throw MultiplexerError.syscall(error) }
        rawEvents = .allocate(byteCount: mux_epoll_event_size() * self.maxEvents, alignment: 8)
        fired = .allocate(capacity: self.maxEvents)
    }

    deinit {
        syscalls.close(epollFD)
        rawEvents.deallocate()
        fired.deallocate()
    }

    public var registeredCount: Int { table.count }
    public func interest(of fd: Int32) -> Interest? { table.interest(of: fd) }

    private func bits(for interest: Interest) -> UInt32 {
        var events = triggerBits
        if interest.contains(.read) { events |= MUX_EPOLLIN }
        if interest.contains(.write) { events |= MUX_EPOLLOUT }
        return events
    }

    @inline(__always)
    private static func data(fd: Int32, registration: UInt32) -> UInt64 {
        UInt64(registration) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    public func register(fd: Int32, interest: Interest) throws {
        let id = try table.add(fd: fd, interest: interest)
        do {
            try syscalls.epollCtl(epollFD, MUX_EPOLL_CTL_ADD, fd, bits(for: interest), Self.data(fd: fd, registration: id))
        } catch {
            try? table.remove(fd: fd)
            throw MultiplexerError.syscall(error)
        }
    }

    public func modify(fd: Int32, interest: Interest) throws {
        guard let current = table.interest(of: fd) else { throw MultiplexerError.notRegistered(fd: fd) }
        if current == interest { return }
        try table.setInterest(interest, of: fd)
        do {
            try syscalls.epollCtl(epollFD, MUX_EPOLL_CTL_MOD, fd, bits(for: interest),
                                  Self.data(fd: fd, registration: table.id(of: fd)))
        } catch { throw MultiplexerError.syscall(error) }
    }

    /// Deregisters before the owner closes: closing alone would leave the entry alive while any
    /// duplicate of the descriptor exists.
    public func unregister(fd: Int32) throws {
        try table.remove(fd: fd)
        do { try syscalls.epollCtl(epollFD, MUX_EPOLL_CTL_DEL, fd, 0, 0) } catch { throw MultiplexerError.syscall(error) }
    }

    public func wait(timeoutMilliseconds: Int32) throws -> Int {
        let n: Int
        do { n = try syscalls.epollWait(epollFD, rawEvents, Int32(maxEvents), timeoutMilliseconds) } catch {
            throw MultiplexerError.syscall(error)
        }
        return translate(n)
    }

    /// Like `wait`, with a nanosecond timeout (-1: forever): for timers finer than a millisecond.
    public func wait(timeoutNanoseconds: Int64) throws -> Int {
        let n: Int
        do { n = try syscalls.epollWait(epollFD, rawEvents, Int32(maxEvents), timeoutNanoseconds: timeoutNanoseconds) } catch {
            throw MultiplexerError.syscall(error)
        }
        return translate(n)
    }

    @inline(__always)
    private func translate(_ n: Int) -> Int {
        for i in 0..<n {
            let events = mux_epoll_event_flags(rawEvents, Int32(i))
            let data = mux_epoll_event_data(rawEvents, Int32(i))
            var flags: ReadyFlags = []
            if events & MUX_EPOLLIN != 0 { flags.insert(.readable) }
            if events & MUX_EPOLLOUT != 0 { flags.insert(.writable) }
            if events & MUX_EPOLLERR != 0 { flags.insert(.error) }
            if events & MUX_EPOLLHUP != 0 { flags.insert(.hangup) }
            fired[i] = ReadyEvent(fd: Int32(bitPattern: UInt32(truncatingIfNeeded: data)), flags: flags,
                                  registration: UInt32(truncatingIfNeeded: data >> 32))
        }
        return n
    }

    @inline(__always)
    public func event(at index: Int) -> ReadyEvent { fired[index] }

    @inline(__always)
    public func isCurrent(_ event: ReadyEvent) -> Bool { table.isCurrent(event) }
}
