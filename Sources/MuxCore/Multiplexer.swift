// The one small API every backend implements (as redis's ae_*.c files do behind ae.c):
// register, modify, unregister, wait → ready events. The server loop is written once against it.

/// What a descriptor is waited on for.
public struct Interest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let read = Interest(rawValue: 1)
    public static let write = Interest(rawValue: 2)
    public static let none: Interest = []
}

/// What a wait found ready. Errors and hang-ups are always reported, whatever the interest.
public struct ReadyFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let readable = ReadyFlags(rawValue: 1)
    public static let writable = ReadyFlags(rawValue: 2)
    public static let error = ReadyFlags(rawValue: 4)
    public static let hangup = ReadyFlags(rawValue: 8)
}

/// One ready descriptor. `registration` identifies which registration of `fd` the event is
/// for, so an event for a descriptor closed and reused within one batch is recognised as stale.
public struct ReadyEvent: Equatable, Sendable {
    public var fd: Int32
    public var flags: ReadyFlags
    public var registration: UInt32

    public init(fd: Int32, flags: ReadyFlags, registration: UInt32) {
        self.fd = fd
        self.flags = flags
        self.registration = registration
    }
}

public enum MultiplexerError: Error, Equatable, CustomStringConvertible {
    /// select(2) cannot watch this descriptor: writing it into an fd_set would corrupt memory.
    case descriptorOutOfRange(fd: Int32, limit: Int32)
    case alreadyRegistered(fd: Int32)
    case notRegistered(fd: Int32)
    case syscall(SyscallError)
    /// A completion backend (io-uring) has no readiness API: it runs its own server loop.
    case completionBackend(Backend)

    public var description: String {
        switch self {
        case let .descriptorOutOfRange(fd, limit):
            return "descriptor \(fd) is beyond select()'s FD_SETSIZE (\(limit)); select cannot watch it"
        case let .alreadyRegistered(fd): return "descriptor \(fd) is already registered"
        case let .notRegistered(fd): return "descriptor \(fd) is not registered"
        case let .syscall(error): return error.description
        case let .completionBackend(backend): return "\(backend.rawValue) is a completion backend: it has no readiness multiplexer"
        }
    }
}

public protocol Multiplexer: AnyObject {
    var backend: Backend { get }
    /// Edge-triggered: a readiness report is given once per change; readers must drain to EAGAIN.
    var isEdgeTriggered: Bool { get }
    var syscalls: Syscalls { get }

    func register(fd: Int32, interest: Interest) throws
    func modify(fd: Int32, interest: Interest) throws
    func unregister(fd: Int32) throws
    /// Waits up to `timeoutMilliseconds` (-1: forever); returns how many events `event(at:)` holds.
    func wait(timeoutMilliseconds: Int32) throws -> Int
    func event(at index: Int) -> ReadyEvent
    /// False for an event whose registration ended (fd unregistered, or closed and reused) since the wait.
    func isCurrent(_ event: ReadyEvent) -> Bool
    func interest(of fd: Int32) -> Interest?
    var registeredCount: Int { get }
}
