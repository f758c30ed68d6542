// poll(2) with a dense pollfd array and an fd → slot table: registration appends, removal
// swaps the last slot into the hole (O(1)), and the whole array goes to the kernel each call.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

public final class PollMultiplexer: Multiplexer {
    public let syscalls: Syscalls
    public var backend: Backend { .poll }
    public var isEdgeTriggered: Bool { false }

    private var table = RegistrationTable()
    private var slots: UnsafeMutablePointer<pollfd>
    private var capacity = 64
    private var used = 0
    private var slotOf: [Int32] = []   // fd → index in `slots`, -1 when absent
    private var fired: UnsafeMutablePointer<ReadyEvent>
    private var firedCount = 0

    public init(syscalls: Syscalls) {
        self.syscalls = syscalls
        slots = .allocate(capacity: capacity)
        fired = .allocate(capacity: capacity)
    }

    deinit {
        slots.deallocate()
        fired.deallocate()
    }

    public var registeredCount: Int { table.count }
    public func interest(of fd: Int32) -> Interest? { table.interest(of: fd) }

    private static func events(for interest: Interest) -> Int16 {
        var events: Int16 = 0
        if interest.contains(.read) { events |= MUX_POLLIN }
        if interest.contains(.write) { events |= MUX_POLLOUT }
        return events
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newSlots = UnsafeMutablePointer<pollfd>.allocate(capacity: newCapacity)
        newSlots.update(from: slots, count: used)
        slots.deallocate()
        slots = newSlots
        // The server registers accepted sockets in the middle of a batch: the events of that
        // batch not yet handled must survive the move.
        let newFired = UnsafeMutablePointer<ReadyEvent>.allocate(capacity: newCapacity)
        newFired.initialize(from: fired, count: firedCount)
        fired.deallocate()
        fired = newFired
        capacity = newCapacity
    }

    public func register(fd: Int32, interest: Interest) throws {
        _ = try table.add(fd: fd, interest: interest)
        if used == capacity { grow() }
        if Int(fd) >= slotOf.count { slotOf += repeatElement(-1, count: max(Int(fd) + 1, slotOf.count * 2, 64) - slotOf.count) }
        slots[used] = pollfd(fd: fd, events: Self.events(for: interest), revents: 0)
        slotOf[Int(fd)] = Int32(used)
        used += 1
    }

    public func modify(fd: Int32, interest: Interest) throws {
        try table.setInterest(interest, of: fd)
        slots[Int(slotOf[Int(fd)])].events = Self.events(for: interest)
    }

    public func unregister(fd: Int32) throws {
        try table.remove(fd: fd)
        let hole = Int(slotOf[Int(fd)])
        let last = used - 1
        if hole != last {
            slots[hole] = slots[last]
            slotOf[Int(slots[hole].fd)] = Int32(hole)
        }
        slotOf[Int(fd)] = -1
        used -= 1
    }

    public func wait(timeoutMilliseconds: Int32) throws -> Int {
        let ready: Int
        do { ready = try syscalls.poll(slots, used, timeoutMilliseconds) } catch { throw MultiplexerError.syscall(error) }
        firedCount = 0
        var index = 0
        while index < used, firedCount < ready {
            let revents = slots[index].revents
            if revents != 0 {
                var flags: ReadyFlags = []
                if revents & MUX_POLLIN != 0 { flags.insert(.readable) }
                if revents & MUX_POLLOUT != 0 { flags.insert(.writable) }
                if revents & (MUX_POLLERR | MUX_POLLNVAL) != 0 { flags.insert(.error) }
                if revents & MUX_POLLHUP != 0 { flags.insert(.hangup) }
                let fd = slots[index].fd
                fired[firedCount] = ReadyEvent(fd: fd, flags: flags, registration: table.id(of: fd))
                firedCount += 1
            }
            index += 1
        }
        return firedCount
    }

    @inline(__always)
    public func event(at index: Int) -> ReadyEvent { fired[index] }

    @inline(__always)
    public func isCurrent(_ event: ReadyEvent) -> Bool { table.isCurrent(event) }
}
