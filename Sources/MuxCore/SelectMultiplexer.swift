// select(2) the way a careful C programmer uses it: master read/write sets and the highest fd
// kept up to date; the sets copied before every call (select overwrites them); the result
// scanned up to maxfd. A descriptor ≥ FD_SETSIZE is refused, never written into a set.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

public final class SelectMultiplexer: Multiplexer {
    public let syscalls: Syscalls
    public var backend: Backend { .select }
    public var isEdgeTriggered: Bool { false }
    public static let descriptorLimit = Int32(MUX_FD_SETSIZE)

    private var table = RegistrationTable()
    private var masterRead = fd_set()
    private var masterWrite = fd_set()
    private var workRead = fd_set()
    private var workWrite = fd_set()
    private var maxFD: Int32 = -1
    private var fired: [ReadyEvent] = []
    private var firedCount = 0

    public init(syscalls: Syscalls) {
        self.syscalls = syscalls
        mux_fd_zero(&masterRead)
        mux_fd_zero(&masterWrite)
    }

    public var registeredCount: Int { table.count }
    public func interest(of fd: Int32) -> Interest? { table.interest(of: fd) }

    public func register(fd: Int32, interest: Interest) throws {
        guard fd >= 0, fd < Self.descriptorLimit else {
            throw MultiplexerError.descriptorOutOfRange(fd: fd, limit: Self.descriptorLimit)
        }
        _ = try table.add(fd: fd, interest: interest)
        apply(interest, to: fd)
        maxFD = max(maxFD, fd)
        if fired.count < table.count {
            fired += repeatElement(ReadyEvent(fd: -1, flags: [], registration: 0), count: max(table.count, fired.count))
        }
    }

    public func modify(fd: Int32, interest: Interest) throws {
        try table.setInterest(interest, of: fd)
        apply(interest, to: fd)
    }

    public func unregister(fd: Int32) throws {
        try table.remove(fd: fd)
        mux_fd_clr(fd, &masterRead)
        mux_fd_clr(fd, &masterWrite)
        if fd == maxFD {
            // Per connection, not per request: walk down to the next registered descriptor.
            var candidate = fd - 1
            while candidate >= 0, table.interest(of: candidate) == nil { candidate -= 1 }
            maxFD = candidate
        }
    }

    private func apply(_ interest: Interest, to fd: Int32) {
        if interest.contains(.read) { mux_fd_set(fd, &masterRead) } else { mux_fd_clr(fd, &masterRead) }
        if interest.contains(.write) { mux_fd_set(fd, &masterWrite) } else { mux_fd_clr(fd, &masterWrite) }
    }

    public func wait(timeoutMilliseconds: Int32) throws -> Int {
        workRead = masterRead
        workWrite = masterWrite
        var timeout = timeval(tv_sec: Int(timeoutMilliseconds / 1000), tv_usec: Int(timeoutMilliseconds % 1000) * 1000)
        let ready: Int
        do {
            if timeoutMilliseconds < 0 {
                ready = try syscalls.select(maxFD + 1, &workRead, &workWrite, nil)
            } else {
                ready = try syscalls.select(maxFD + 1, &workRead, &workWrite, &timeout)
            }
        } catch { throw MultiplexerError.syscall(error) }
        firedCount = 0
        guard ready > 0, maxFD >= 0 else { return 0 }
        // select counts a descriptor once per set it is ready in; stop once all are found.
        var remaining = ready
        var fd: Int32 = 0
        while fd <= maxFD, remaining > 0 {
            var flags: ReadyFlags = []
            if mux_fd_isset(fd, &workRead) != 0 { flags.insert(.readable); remaining -= 1 }
            if mux_fd_isset(fd, &workWrite) != 0 { flags.insert(.writable); remaining -= 1 }
            if !flags.isEmpty {
                fired[firedCount] = ReadyEvent(fd: fd, flags: flags, registration: table.id(of: fd))
                firedCount += 1
            }
            fd += 1
        }
        return firedCount
    }

    @inline(__always)
    public func event(at index: Int) -> ReadyEvent { fired[index] }

    @inline(__always)
    public func isCurrent(_ event: ReadyEvent) -> Bool { table.isCurrent(event) }
}
