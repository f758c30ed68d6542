// Opens all N client sockets before any traffic: in batches the listen backlog can take,
// retrying refused or timed-out connects with backoff, naming resource errors for what they are.
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

enum Connector {
    static let batchSize = 512
    static let maxAttempts = 6

    /// Returns N connected non-blocking sockets (the caller owns and closes them).
    static func connectAll(_ configuration: LoadConfiguration, fileLimit: Int) throws(LoadError) -> [Int32] {
        let target = "\(configuration.host):\(configuration.port)"
        guard let address = try? SocketAddress(host: configuration.host, port: configuration.port) else {
            throw .connectFailed(target: target, reason: "'\(configuration.host)' is not an IPv4 address")
        }
        let sources = configuration.sourceAddresses.compactMap { try? SocketAddress(host: $0, port: 0) }
        let syscalls = Syscalls()
        var connected: [Int32] = []
        connected.reserveCapacity(configuration.connections)
        func giveUp(_ error: LoadError) -> LoadError {
            for fd in connected { close(fd) }
            return error
        }
        let waiter: EpollMultiplexer
        do { waiter = try EpollMultiplexer(syscalls: syscalls, edgeTriggered: false, maxEvents: batchSize) } catch {
            throw .connectFailed(target: target, reason: "\(error)")
        }
        var start = 0
        while start < configuration.connections {
            let indices = start..<min(start + batchSize, configuration.connections)
            var waiting: [Int32: Int] = [:]   // fd → connection index
            var attempts: [Int: Int] = [:]
            var toConnect = Array(indices)
            let deadline = monotonicNanoseconds() + UInt64(configuration.connectTimeoutSeconds * 1e9)
            while !toConnect.isEmpty || !waiting.isEmpty {
                var failed: [Int] = []
                for index in toConnect {
                    let source = sources.isEmpty ? nil : sources[index % sources.count]
                    do {
                        let fd = try Socket.connect(to: address, from: source, syscalls: syscalls)
                        try waiter.register(fd: fd, interest: .write)
                        waiting[fd] = index
                    } catch let error as SyscallError {
                        if error.isDescriptorExhaustion { throw giveUp(.fileLimitReached(opened: connected.count, limit: fileLimit)) }
                        if error.code == EADDRNOTAVAIL || (error.code == EADDRINUSE && source != nil) {
                            throw giveUp(.portsExhausted(opened: connected.count, target: target))
                        }
                        guard error.code == ECONNREFUSED || error.code == EAGAIN else {
                            throw giveUp(.connectFailed(target: target, reason: error.description))
                        }
                        failed.append(index)  // loopback refuses synchronously
                    } catch {
                        throw giveUp(.connectFailed(target: target, reason: "\(error)"))
                    }
                }
                toConnect.removeAll()
                let ready = waiting.isEmpty ? 0 : ((try? waiter.wait(timeoutMilliseconds: 100)) ?? 0)
                for i in 0..<ready {
                    let event = waiter.event(at: i)
                    guard let index = waiting.removeValue(forKey: event.fd) else { continue }
                    try? waiter.unregister(fd: event.fd)
                    let code = Socket.pendingError(of: event.fd)
                    if code == 0 {
                        connected.append(event.fd)
                        continue
                    }
                    close(event.fd)
                    if code == EADDRNOTAVAIL { throw giveUp(.portsExhausted(opened: connected.count, target: target)) }
                    guard code == ECONNREFUSED || code == ETIMEDOUT || code == EAGAIN else {
                        throw giveUp(.connectFailed(target: target, reason: SyscallError("connect", code).description))
                    }
                    failed.append(index)
                }
                if monotonicNanoseconds() > deadline {
                    for fd in waiting.keys { close(fd) }
                    throw giveUp(.connectTimedOut(target: target, opened: connected.count))
                }
                guard !failed.isEmpty else { continue }
                var worst = 0
                for index in failed {
                    attempts[index, default: 0] += 1
                    worst = max(worst, attempts[index]!)
                }
                if worst >= maxAttempts {
                    for fd in waiting.keys { close(fd) }
                    if connected.isEmpty { throw giveUp(.serverNotListening(target: target)) }
                    throw giveUp(.connectFailed(target: target, reason: "connection refused \(maxAttempts) times (listen backlog full?)"))
                }
                // Back off before retrying: 20 ms, 40 ms, 80 ms, ...
                usleep(useconds_t(20_000 << min(worst - 1, 5)))
                toConnect = failed
            }
            start = indices.upperBound
        }
        return connected
    }
}
