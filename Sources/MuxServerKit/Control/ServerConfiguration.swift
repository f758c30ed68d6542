import MuxCore

public enum WireProtocol: String, CaseIterable, Sendable {
    case echo
    case http
    /// Redis's inline PING → +PONG, so redis-server can be measured beside mux-server (RedisInline).
    case redis
}

/// When the server writes its replies.
public enum WriteMode: String, CaseIterable, Sendable {
    /// Write at once; ask for writability only when a write comes up short.
    case immediate
    /// The classic tutorials' pattern: after a request switch interest to writable, reply when
    /// told, switch back. Costs an extra wait and, under epoll, two epoll_ctl per request.
    case onWritable = "on-writable"
}

/// How the server is told to report its counters and to end.
public enum ControlChannel: String, CaseIterable, Sendable {
    /// SIGUSR1 for a counters line, SIGINT/SIGTERM to end: the collector's own child.
    case signals
    /// Also `snapshot` lines on stdin, and its end of file to end (StdinControl.swift): a server
    /// started through a launcher (ssh, ip netns exec), which no signal of the collector reaches.
    case stdin
}

public struct ServerConfiguration: Sendable {
    public var backend: Backend
    public var host = "127.0.0.1"
    public var port: UInt16 = 0
    public var wireProtocol = WireProtocol.echo
    public var maxEvents = 1024
    public var writeMode = WriteMode.immediate
    public var maxConnections = Int.max
    /// Close connections silent for this long (0: never).
    public var idleTimeoutSeconds = 0.0
    /// Pending output per connection above which reading from it pauses.
    public var outputHighWater = 256 * 1024
    public var backlog: Int32 = 4096
    /// SO_SNDBUF for accepted sockets (nil: the kernel's autotuning). Small values make
    /// back-pressure and partial writes reproducible.
    public var sendBufferBytes: Int32?
    /// io_uring: SQ entries (the CQ gets 16 times as many: multishot requests post many CQEs each).
    public var ringEntries: UInt32 = 4096
    /// io-uring: provided receive buffers (a power of two) of `ringBufferBytes` each.
    public var ringBuffers: UInt32 = 1024
    public var ringBufferBytes: UInt32 = 8192
    public var control = ControlChannel.signals

    public init(backend: Backend) { self.backend = backend }
}
