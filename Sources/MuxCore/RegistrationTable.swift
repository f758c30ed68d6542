// Who is registered, with which interest, under which registration id — indexed by fd, owned
// by each backend (like SwiftNIO's generic selector). Grows per connection, never per request.

public struct RegistrationTable {
    private var ids: [UInt32] = []          // 0: not registered
    private var interests: [Interest] = []
    private var nextID: UInt32 = 0
    public private(set) var count = 0

    public init() {}

    /// Records a new registration of `fd` and returns its id.
    public mutating func add(fd: Int32, interest: Interest) throws -> UInt32 {
        let index = Int(fd)
        if index >= ids.count {
            let size = max(index + 1, ids.count * 2, 64)
            ids += repeatElement(0, count: size - ids.count)
            interests += repeatElement(.none, count: size - interests.count)
        }
        guard ids[index] == 0 else { throw MultiplexerError.alreadyRegistered(fd: fd) }
        nextID &+= 1
        if nextID == 0 { nextID = 1 }
        ids[index] = nextID
        interests[index] = interest
        count += 1
        return nextID
    }

    /// The current interest, or nil when `fd` is not registered.
    @inline(__always)
    public func interest(of fd: Int32) -> Interest? {
        let index = Int(fd)
        guard index >= 0, index < ids.count, ids[index] != 0 else { return nil }
        return interests[index]
    }

    @inline(__always)
    public func id(of fd: Int32) -> UInt32 {
        let index = Int(fd)
        guard index >= 0, index < ids.count else { return 0 }
        return ids[index]
    }

    public mutating func setInterest(_ interest: Interest, of fd: Int32) throws {
        guard self.interest(of: fd) != nil else { throw MultiplexerError.notRegistered(fd: fd) }
        interests[Int(fd)] = interest
    }

    public mutating func remove(fd: Int32) throws {
        guard self.interest(of: fd) != nil else { throw MultiplexerError.notRegistered(fd: fd) }
        ids[Int(fd)] = 0
        interests[Int(fd)] = .none
        count -= 1
    }

    @inline(__always)
    public func isCurrent(_ event: ReadyEvent) -> Bool { id(of: event.fd) == event.registration }
}
