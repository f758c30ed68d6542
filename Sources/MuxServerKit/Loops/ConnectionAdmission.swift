import MuxCore

/// What both server loops do with a descriptor accept returned, around their own way of watching
/// it: count it, refuse it past `--max-connections` (closed at once and counted as rejected; the
/// first refusal said on stderr), and once it is admitted, set its socket options and open its
/// slot. Per accept, never per request.
struct ConnectionAdmission {
    private var warnedMaxConnections = false

    /// Counts `fd` as accepted; false when it is over `--max-connections`, and then closed.
    mutating func admits(_ fd: Int32, configuration: ServerConfiguration, statistics: inout ServerStatistics,
                         syscalls: Syscalls, log: (String) -> Void) -> Bool {
        statistics.accepted += 1
        guard statistics.open >= configuration.maxConnections else { return true }
        if !warnedMaxConnections {
            warnedMaxConnections = true
            log("mux-server: --max-connections \(configuration.maxConnections) reached; further connections are closed at once and counted as rejected")
        }
        statistics.rejected += 1
        syscalls.close(fd)
        return false
    }

    /// An admitted `fd` the loop watches: TCP_NODELAY and `--send-buffer` set (a failure costs
    /// only the option), its slot in `table` opened and counted open.
    @discardableResult
    static func open<C: AdmittedConnection>(_ fd: Int32, in table: inout [C?], make: () -> C, configuration: ServerConfiguration,
                                            statistics: inout ServerStatistics, syscalls: Syscalls) -> C {
        try? Socket.setNoDelay(fd, syscalls: syscalls)
        if let size = configuration.sendBufferBytes { try? Socket.setSendBuffer(fd, bytes: size, syscalls: syscalls) }
        let connection = connectionSlot(for: fd, in: &table, make: make)
        connection.open(fd: fd, now: configuration.idleTimeoutSeconds > 0 ? monotonicNanoseconds() : 0)
        statistics.open += 1
        return connection
    }
}

/// A connection object the admission opens (`Connection`, `RingConnection`).
protocol AdmittedConnection: AnyObject {
    func open(fd: Int32, now: UInt64)
}

extension Connection: AdmittedConnection {}
extension RingConnection: AdmittedConnection {}
