// The single-threaded event loop, written once against `Multiplexer` and specialised per
// backend. Hot path: no allocation (buffers reused per fd slot, replies assembled in scratch
// memory) and nothing proportional to the number of connections outside the backend's wait.
import CMuxShim
import MuxCore
import MuxMessages
#if canImport(Glibc)
import Glibc
#endif

public final class ServerLoop<M: Multiplexer> {
    public let configuration: ServerConfiguration
    public let mux: M
    public let syscalls: Syscalls
    public private(set) var statistics = ServerStatistics()
    public var port: UInt16 { descriptors.port }

    private let descriptors: ServerDescriptors  // the listener and the signalfd, closed by it
    private var reserve = ReserveDescriptor()
    private var connections: [Connection?] = []
    private let readScratch: UnsafeMutableRawPointer
    private let readScratchSize: Int
    private let responder: ProtocolResponder
    private var timers: ServerTimers
    private var running = true
    private var reportSequence: UInt64 = 0
    private var warnedSelectLimit = false
    private var admission = ConnectionAdmission()
    private var warnedDescriptors = false
    private let edgeTriggered: Bool

    /// Listens at once (so the port is known) and blocks SIGUSR1/SIGINT/SIGTERM into a signalfd.
    public init(configuration: ServerConfiguration, mux: M) throws {
        self.configuration = configuration
        self.mux = mux
        self.syscalls = mux.syscalls
        edgeTriggered = mux.isEdgeTriggered
        descriptors = try ServerDescriptors(configuration: configuration, syscalls: syscalls)
        timers = ServerTimers(idleTimeoutSeconds: configuration.idleTimeoutSeconds)
        // Echo reads up to 64 KiB at once; HTTP reads 16 KiB so that the replies to every
        // request a read can hold (≥ 16 bytes each) fit in the responder's reply scratch.
        readScratchSize = configuration.wireProtocol == .echo ? 65536 : 16384
        readScratch = .allocate(byteCount: readScratchSize, alignment: 16)
        responder = ProtocolResponder(wireProtocol: configuration.wireProtocol, readSize: readScratchSize)
        try mux.register(fd: descriptors.listener, interest: .read)
        try mux.register(fd: descriptors.control, interest: .read)
        reserve.take(syscalls: syscalls)
    }

    deinit {
        for case let connection? in connections where connection.isOpen { syscalls.close(connection.fd) }
        reserve.release(syscalls: syscalls)
        readScratch.deallocate()
    }

    // MARK: - The loop

    /// Runs until SIGINT/SIGTERM; `report` receives each counters line (SIGUSR1) and the final one.
    public func run(report: (String) -> Void) throws {
        while running {
            let ready = try mux.wait(timeoutMilliseconds: nextTimeout())
            var index = 0
            while index < ready {
                let event = mux.event(at: index)
                index += 1
                // An earlier handler in this batch may have closed the fd, and accept may have
                // reused it: such an event belongs to the old connection and is dropped.
                guard mux.isCurrent(event) else { continue }
                if event.fd == descriptors.listener {
                    acceptConnections()
                } else if event.fd == descriptors.control {
                    handleSignals(report: report)
                } else {
                    handle(event)
                }
            }
            if timers.isArmed { runTimers() }
        }
        report(countersLine(final: true))
    }

    public func countersLine(final: Bool) -> String {
        reportSequence += 1
        return ServerReport.countersLine(sequence: reportSequence, syscalls: syscalls, statistics: statistics, final: final)
    }

    /// Writes one line to `fd` (blocking stdout) through the counted syscall layer.
    public func emit(_ line: String, to fd: Int32) { ServerReport.emit(line, to: fd, syscalls: syscalls) }

    /// A warning on stderr, written through the counted layer like every other call of the loop.
    private func log(_ line: String) { emit(line, to: STDERR_FILENO) }

    private func nextTimeout() -> Int32 {
        let deadline = timers.nextDeadline
        guard deadline != 0 else { return -1 }
        let now = monotonicNanoseconds()
        guard deadline > now else { return 0 }
        // Round up, as redis does: waking a little late beats spinning on a 0 ms timeout.
        return Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
    }

    private func handleSignals(report: (String) -> Void) {
        while let signal = (try? syscalls.readSignal(descriptors.control)) ?? nil {
            if signal == SIGUSR1 {
                report(countersLine(final: false))
            } else {
                running = false
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        // Level-triggered backends take a bounded batch per report (the listener is reported
        // again); edge-triggered must accept until EAGAIN or lose the edge.
        var budget = edgeTriggered ? Int.max : 64
        while budget > 0 {
            budget -= 1
            let result: AcceptResult
            do {
                result = try syscalls.accept(descriptors.listener)
            } catch {
                // Out of descriptors: shed the pending connection and go on (edge-triggered must
                // empty the backlog or it is never reported again), until none is pending or even
                // shedding fails; the loop never comes back to a listener it cannot serve.
                if error.isDescriptorExhaustion, shedOneConnection(error) { continue }
                if !error.isDescriptorExhaustion { log("mux-server: \(error)") }
                return
            }
            guard case let .accepted(fd) = result else { return }
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        guard admission.admits(fd, configuration: configuration, statistics: &statistics, syscalls: syscalls, log: log) else { return }
        do {
            try mux.register(fd: fd, interest: .read)
        } catch MultiplexerError.descriptorOutOfRange(let fd, let limit) {
            if !warnedSelectLimit {
                warnedSelectLimit = true
                log("mux-server: select cannot watch descriptor \(fd) (FD_SETSIZE is \(limit)); connections beyond it are closed and counted as rejected, the others are served")
            }
            reject(fd)
            return
        } catch {
            log("mux-server: cannot register descriptor \(fd): \(error)")
            reject(fd)
            return
        }
        ConnectionAdmission.open(fd, in: &connections, make: Connection.init, configuration: configuration,
                                 statistics: &statistics, syscalls: syscalls)
    }

    private func reject(_ fd: Int32) {
        statistics.rejected += 1
        syscalls.close(fd)
    }

    /// Out of descriptors: free the reserve, accept and close one pending connection so the
    /// listener stops being reported, then take the reserve back. Returns true when one was shed
    /// and the reserve is back (the caller may try the next). Linux checks for a free descriptor
    /// before it looks at the backlog, so EMFILE comes with or without a pending connection: when
    /// none was pending, or the reserve cannot be had again, accepting pauses for 100 ms instead
    /// of spinning on a listener that a level-triggered backend keeps reporting.
    private func shedOneConnection(_ error: SyscallError) -> Bool {
        if !warnedDescriptors {
            warnedDescriptors = true
            log("mux-server: accept: \(error.name): out of file descriptors; shedding connections until some close")
        }
        if reserve.shedOne(from: descriptors.listener, syscalls: syscalls, statistics: &statistics), reserve.isHeld { return true }
        try? mux.modify(fd: descriptors.listener, interest: .none)
        timers.pauseAccepting()
        return false
    }

    private func runTimers() {
        let now = monotonicNanoseconds()
        if timers.acceptPauseEnded(now: now) {
            if !reserve.isHeld { reserve.take(syscalls: syscalls) }
            try? mux.modify(fd: descriptors.listener, interest: .read)
        }
        while let connection = timers.lingering.nextExpired(now: now, in: connections) { close(connection) }
        if let limit = timers.idleSweepDue(now: now) {
            // A timer, not per request: one pass over the table per half timeout.
            for case let connection? in connections where connection.isOpen && now - connection.lastActivity >= limit {
                statistics.idleClosed += 1
                close(connection)
            }
        }
    }

    // MARK: - Connections

    @inline(__always)
    private func handle(_ event: ReadyEvent) {
        guard let connection = connections[Int(event.fd)], connection.isOpen else { return }
        if configuration.idleTimeoutSeconds > 0 { connection.lastActivity = monotonicNanoseconds() }
        if !event.flags.isDisjoint(with: [.readable, .hangup, .error]) {
            // A read reports EOF or the pending error; ERR/HUP are never silently ignored.
            if !connection.readingPaused {
                readReady(connection)
            } else if !event.flags.isDisjoint(with: [.hangup, .error]) {
                // Paused for back-pressure and the peer is gone both ways (a level-triggered
                // backend would report the hang-up forever). A write collects the pending error,
                // so a reset is counted as one; then nothing is left to do.
                writeReady(connection)
                close(connection)
                return
            }
        }
        if connection.isOpen, event.flags.contains(.writable) {
            writeReady(connection)
        }
    }

    private func readReady(_ connection: Connection) {
        if connection.draining { drain(connection); return }
        repeat {
            if connection.readingPaused || connection.closeAfterFlush { return }
            guard let count = readInput(connection) else { return }
            received(readScratch, count, on: connection)
            if !connection.isOpen { return }
        } while edgeTriggered  // level-triggered: one read per readiness report
    }

    /// One read into the scratch buffer: the byte count (counted in), or nil when there is
    /// nothing more to read now: EAGAIN, or the connection is closed (EOF, or the read failed).
    /// Inlined: it is the hot path's read, shared with the lingering drain.
    @inline(__always)
    private func readInput(_ connection: Connection) -> Int? {
        let result: IOResult
        do {
            result = try syscalls.read(connection.fd, readScratch, readScratchSize)
        } catch {
            peerFailed(connection, error)
            return nil
        }
        switch result {
        case let .transferred(n):
            statistics.bytesIn &+= UInt64(n)
            return n
        case .endOfFile:
            close(connection)
            return nil
        case .wouldBlock:
            return nil
        }
    }

    /// Bytes arrived: the protocol turns them into reply bytes; send or queue those.
    private func received(_ bytes: UnsafeMutableRawPointer, _ count: Int, on connection: Connection) {
        let reply = responder.respond(to: bytes, count: count, input: &connection.input, statistics: &statistics)
        if reply.closeAfterReply { connection.closeAfterFlush = true }
        if reply.count > 0 { send(reply.bytes!, reply.count, on: connection) }
        if connection.isOpen, connection.closeAfterFlush, connection.output.isEmpty { closeLingering(connection) }
    }

    /// Sends reply bytes now (immediate mode, nothing queued) or queues them and asks for
    /// writability. Reading pauses while the queue is over its high-water mark.
    private func send(_ bytes: UnsafeRawPointer, _ count: Int, on connection: Connection) {
        var offset = 0
        if configuration.writeMode == .immediate, connection.output.isEmpty {
            do {
                if case let .transferred(n) = try syscalls.write(connection.fd, bytes, count) {
                    statistics.bytesOut &+= UInt64(n)
                    offset = n
                }
            } catch {
                peerFailed(connection, error)
                return
            }
            if offset == count { return }
        }
        connection.output.append(bytes + offset, count: count - offset)
        var interest: Interest = configuration.writeMode == .onWritable ? .write : [.read, .write]
        if connection.output.count > configuration.outputHighWater || connection.closeAfterFlush {
            connection.readingPaused = true
            interest.remove(.read)
        }
        setInterest(interest, of: connection)
    }

    private func writeReady(_ connection: Connection) {
        while !connection.output.isEmpty {
            let result: IOResult
            do {
                result = try syscalls.write(connection.fd, connection.output.readPointer, connection.output.count)
            } catch {
                peerFailed(connection, error)
                return
            }
            guard case let .transferred(n) = result else { break }
            statistics.bytesOut &+= UInt64(n)
            connection.output.consume(n)
            if n == 0 { break }
        }
        if connection.output.isEmpty {
            if connection.closeAfterFlush { closeLingering(connection); return }
            connection.readingPaused = false
            setInterest(.read, of: connection)
        } else if connection.readingPaused, !connection.closeAfterFlush,
                  connection.output.count <= configuration.outputHighWater / 2 {
            connection.readingPaused = false
            setInterest([.read, .write], of: connection)
        }
    }

    private func setInterest(_ interest: Interest, of connection: Connection) {
        // Unchanged interest costs nothing: no epoll_ctl, no set update.
        guard mux.interest(of: connection.fd) != interest else { return }
        do { try mux.modify(fd: connection.fd, interest: interest) } catch {
            log("mux-server: cannot change interest of descriptor \(connection.fd): \(error)")
            close(connection)
        }
    }

    /// The reply is out and the connection is to close: a lingering close (`LingeringCloses.begin`:
    /// a peer that gets an RST before it reads may lose the reply, a 400 for a 100 KB header, say).
    /// Here, reading it means read interest and a drain of what is already buffered.
    private func closeLingering(_ connection: Connection) {
        switch timers.lingering.begin(connection, syscalls: syscalls) {
        case .alreadyLingering: return
        case .shutdownFailed: close(connection)
        case .started:
            setInterest(.read, of: connection)
            // Whatever is already buffered goes now: the peer may have closed long ago.
            if connection.isOpen { drain(connection) }
        }
    }

    /// Reads and drops input of a lingering connection until EAGAIN; closes at EOF or the limit.
    private func drain(_ connection: Connection) {
        while let count = readInput(connection) {
            if connection.dropLingeringInput(count) { close(connection); return }
        }
    }

    private func peerFailed(_ connection: Connection, _ error: SyscallError) {
        if error.isPeerGone { statistics.resets += 1 } else { log("mux-server: descriptor \(connection.fd): \(error)") }
        close(connection)
    }

    /// Deregisters, then closes: the fd's one owner is its connection slot.
    private func close(_ connection: Connection) {
        guard connection.isOpen else { return }
        try? mux.unregister(fd: connection.fd)
        syscalls.close(connection.fd)
        connection.isOpen = false
        connection.draining = false
        connection.input.clear()
        connection.output.clear()
        statistics.open -= 1
        statistics.closed += 1
    }
}
