// mux-server's first line: it is listening, on this port, as this process.

public struct ReadyMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["ready"]

    public var type = "ready"
    public var backend: String
    public var host: String
    public var port: Int
    public var pid: Int32
    public var wireProtocol: String
    public var writeMode: String
    public var maxEvents: Int
    public var fdLimit: Int

    public init(backend: String, host: String, port: Int, pid: Int32, wireProtocol: String, writeMode: String,
                maxEvents: Int, fdLimit: Int) {
        self.backend = backend
        self.host = host
        self.port = port
        self.pid = pid
        self.wireProtocol = wireProtocol
        self.writeMode = writeMode
        self.maxEvents = maxEvents
        self.fdLimit = fdLimit
    }

    enum CodingKeys: String, CodingKey {
        case type, backend, host, port, pid
        case wireProtocol = "protocol", writeMode = "write_mode", maxEvents = "max_events", fdLimit = "fd_limit"
    }
}
