/// Request failures by kind: never dropped silently, always reported.
public struct RequestErrors: Equatable, Sendable {
    public var mismatch: UInt64 = 0   // echo bytes differ from what was sent, a malformed HTTP reply, or a redis reply other than +PONG
    public var status: UInt64 = 0     // HTTP status other than 200, or a redis error reply
    public var reset: UInt64 = 0      // ECONNRESET / EPIPE
    public var closed: UInt64 = 0     // the server closed the connection (short reply or idle close)
    public var timeout: UInt64 = 0    // no reply within the request timeout
    public var connect: UInt64 = 0
    public var dropped: UInt64 = 0    // open loop: due on a connection already closed, never sent
    public var wait: UInt64 = 0       // a worker's wait call failed: that worker stopped there


    public init() {}

    public var total: UInt64 { mismatch + status + reset + closed + timeout + connect + dropped + wait }

    public mutating func add(_ other: RequestErrors) {
        mismatch += other.mismatch
        status += other.status
        reset += other.reset
        closed += other.closed
        timeout += other.timeout
        connect += other.connect
        dropped += other.dropped
        wait += other.wait
    }

    public var fields: [(String, UInt64)] {
        [("mismatch", mismatch), ("status", status), ("reset", reset), ("closed", closed),
         ("timeout", timeout), ("connect", connect), ("dropped", dropped), ("wait", wait)]
    }
}

/// Why a load run could not start or had to stop.
public enum LoadError: Error, Equatable, CustomStringConvertible {
    case fileLimit(needed: Int, limit: Int)
    case fileLimitReached(opened: Int, limit: Int)
    case portsExhausted(opened: Int, target: String)
    case serverNotListening(target: String)
    case connectFailed(target: String, reason: String)
    case connectTimedOut(target: String, opened: Int)
    /// `--wait-for-go`: the collector's go line never came (why).
    case noGo(String)

    public var description: String {
        switch self {
        case let .fileLimit(needed, limit):
            return "--connections needs about \(needed) file descriptors but the limit is \(limit); raise it (ulimit -n, or the hard limit in /etc/security/limits.conf) or open fewer connections"
        case let .fileLimitReached(opened, limit):
            return "socket: EMFILE after \(opened) connections: the file descriptor limit (\(limit)) is reached; raise ulimit -n"
        case let .portsExhausted(opened, target):
            return "EADDRNOTAVAIL after \(opened) connections to \(target): local ports exhausted; spread connections with --source-addresses 127.0.0.1-127.0.0.8"
        case let .serverNotListening(target):
            return "no server is listening at \(target) (connection refused)"
        case let .connectFailed(target, reason):
            return "cannot connect to \(target): \(reason)"
        case let .connectTimedOut(target, opened):
            return "connecting to \(target) timed out after \(opened) connections"
        case let .noGo(reason):
            return "--wait-for-go: \(reason)"
        }
    }
}
