// The io-uring backend's own loop: completions, not readiness. Multishot accept on the
// listener, a multishot recv per connection filling buffers from a provided buffer ring, one
// IORING_OP_SEND in flight per connection, and one io_uring_enter per loop turn that submits
// everything queued and waits. The echo and HTTP protocols are the readiness loop's
// (`ProtocolResponder`). Pitfalls handled here, as the issue lists them:
//   - a completion without IORING_CQE_F_MORE ends a multishot request (EOF, errors, EMFILE on
//     accept, ENOBUFS when the buffer ring runs dry): re-armed or the connection closed;
//   - one send in flight per connection, short sends continued from where they stopped;
//   - closing a descriptor does not cancel its requests: a cancel-by-fd hard-linked to the
//     close (both through the ring), and a 24-bit generation in user_data so completions of an
//     earlier connection on a reused fd are dropped (their buffers still handed back).
// Hot path: no allocation; buffers are recycled in the completion that delivered them.
import CMuxShim
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public final class CompletionServerLoop {
    public let configuration: ServerConfiguration
    public let syscalls: Syscalls
    public private(set) var statistics = ServerStatistics()
    public var port: UInt16 { descriptors.port }

    /// What a request is, in user_data's top byte.
    private enum Kind: UInt64 {
        case control = 0   // cancels: their completions carry nothing to act on
        case accept = 1
        case recv = 2
        case send = 3
        case signal = 4
        case close = 5     // the descriptor is closed: counted then, not when the close was queued
    }

    private let ring: IOURing
    private let buffers: UnsafeMutablePointer<mux_buffer_ring>
    private static let bufferGroup: UInt16 = 1
    private let descriptors: ServerDescriptors  // the listener and the signalfd, closed by it
    private var reserve = ReserveDescriptor()
    private var connections: [RingConnection?] = []
    private let responder: ProtocolResponder
    private var accepting = false
    private var timers: ServerTimers
    private var running = true
    private var reportSequence: UInt64 = 0
    private var admission = ConnectionAdmission()
    private var warnedDescriptors = false

    /// Sets the ring and its buffers up, listens (so the port is known) and blocks
    /// SIGUSR1/SIGINT/SIGTERM into a signalfd watched by a multishot poll.
    /// `bufferCount` × `bufferSize` bytes are what the kernel receives into.
    public init(configuration: ServerConfiguration, syscalls: Syscalls,
                submissionEntries: UInt32 = 4096, completionEntries: UInt32 = 65536,
                bufferCount: UInt32 = 1024, bufferSize: UInt32 = 8192) throws {
        self.configuration = configuration
        self.syscalls = syscalls
        timers = ServerTimers(idleTimeoutSeconds: configuration.idleTimeoutSeconds)
        ring = try IOURing(entries: submissionEntries, completionEntries: completionEntries, syscalls: syscalls)
        buffers = .allocate(capacity: 1)
        let (raw, bufferRing) = (ring.raw, buffers)   // the closure may not capture self yet
        let registered = syscalls.counted(.other) { mux_buffer_ring_setup(raw, bufferRing, bufferCount, bufferSize, Self.bufferGroup) }
        guard registered == 0 else {
            buffers.deallocate()
            throw SyscallError("io_uring_register(PBUF_RING)", -registered)
        }
        responder = ProtocolResponder(wireProtocol: configuration.wireProtocol, readSize: Int(bufferSize))
        descriptors = try ServerDescriptors(configuration: configuration, syscalls: syscalls)
        reserve.take(syscalls: syscalls)
        try armAccept()
        try armSignals()
    }

    deinit {
        // Closing the ring (IOURing's deinit) cancels whatever is still in flight.
        for case let connection? in connections where connection.isOpen { syscalls.close(connection.fd) }
        reserve.release(syscalls: syscalls)
        mux_buffer_ring_release(ring.raw, buffers)
        buffers.deallocate()
    }

    // MARK: - user_data

    @inline(__always)
    private static func userData(_ kind: Kind, fd: Int32, generation: UInt32) -> UInt64 {
        kind.rawValue << 56 | UInt64(generation & 0xFF_FFFF) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// Writes one SQE; when the SQ is full, submits what is there first (one more enter).
    @inline(__always)
    private func queue(_ prepare: () -> Int32) throws {
        if prepare() == 0 { return }
        _ = try ring.enter(waitFor: 0, timeoutNanoseconds: -1, syscalls: syscalls)
        guard prepare() == 0 else { throw SyscallError("io_uring_enter", EBUSY) }
    }

    private func armAccept() throws {
        accepting = true
        let data = Self.userData(.accept, fd: descriptors.listener, generation: 0)
        try queue { mux_ring_accept_multishot(ring.raw, descriptors.listener, data) }
    }

    private func armSignals() throws {
        let data = Self.userData(.signal, fd: descriptors.control, generation: 0)
        try queue { mux_ring_poll_add(ring.raw, descriptors.control, UInt32(MUX_POLLIN), 1, data) }
    }

    private func armReceive(_ connection: RingConnection) {
        connection.receiving = true
        let data = Self.userData(.recv, fd: connection.fd, generation: connection.generation)
        do { try queue { mux_ring_recv_multishot(ring.raw, connection.fd, Self.bufferGroup, data) } } catch {
            connection.receiving = false
            log("mux-server: descriptor \(connection.fd): \(error)")
            close(connection)
        }
    }

    // MARK: - The loop

    /// Runs until SIGINT/SIGTERM; `report` receives each counters line (SIGUSR1) and the final one.
    public func run(report: (String) -> Void) throws {
        while running {
            // Completions left from the last turn are handled before waiting for more.
            let timeout = nextTimeoutNanoseconds()
            let waitFor: UInt32 = ring.readyCount == 0 && timeout != 0 ? 1 : 0
            _ = try ring.enter(waitFor: waitFor, timeoutNanoseconds: timeout, syscalls: syscalls)
            try reap(report: report)
            if timers.isArmed { try runTimers() }
        }
        report(countersLine(final: true))
    }

    private func reap(report: (String) -> Void) throws {
        let available = ring.readyCount
        var index = 0
        while index < available {
            let completion = ring.completion(at: index)
            index += 1
            let kind = Kind(rawValue: completion.userData >> 56) ?? .control
            let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: completion.userData))
            let generation = UInt32(truncatingIfNeeded: completion.userData >> 32) & 0xFF_FFFF
            switch kind {
            case .control: break
            case .close: statistics.closed += 1
            case .accept: try accepted(completion)
            case .signal: try signalled(completion, report: report)
            case .recv: received(completion, fd: fd, generation: generation)
            case .send: sent(completion, fd: fd, generation: generation)
            }
        }
        syscalls.recordDelivered(events: available)
        ring.advance(available, syscalls: syscalls)
    }

    /// The connection a completion belongs to, or nil when it is from an earlier one on the fd.
    @inline(__always)
    private func current(_ fd: Int32, _ generation: UInt32) -> RingConnection? {
        guard fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)],
              connection.isOpen, connection.generation == generation else { return nil }
        return connection
    }

    /// A warning on stderr, written through the counted layer like every other call of the loop.
    private func log(_ line: String) { emit(line, to: STDERR_FILENO) }

    public func countersLine(final: Bool) -> String {
        reportSequence += 1
        return ServerReport.countersLine(sequence: reportSequence, syscalls: syscalls, statistics: statistics, final: final)
    }

    /// Writes one line to `fd` (blocking stdout) through the counted syscall layer.
    public func emit(_ line: String, to fd: Int32) { ServerReport.emit(line, to: fd, syscalls: syscalls) }

    private func signalled(_ completion: Completion, report: (String) -> Void) throws {
        // Closes and cancels queued so far go in first: a snapshot that counts a connection as
        // closed finds its descriptor closed too.
        if ring.unsubmitted > 0 { _ = try ring.enter(waitFor: 0, timeoutNanoseconds: -1, syscalls: syscalls) }
        while let signal = (try? syscalls.readSignal(descriptors.control)) ?? nil {
            if signal == SIGUSR1 { report(countersLine(final: false)) } else { running = false }
        }
        if !completion.hasMore { try armSignals() }
    }

    private func nextTimeoutNanoseconds() -> Int64 {
        let deadline = timers.nextDeadline
        guard deadline != 0 else { return -1 }
        let now = monotonicNanoseconds()
        return deadline > now ? Int64(deadline - now) : 0
    }

    // MARK: - Accepting

    private func accepted(_ completion: Completion) throws {
        if !completion.hasMore { accepting = false }
        if completion.result >= 0 {
            admit(completion.result)
        } else {
            let error = SyscallError("accept4", -completion.result)
            if error.isDescriptorExhaustion {
                // Out of descriptors: the multishot accept ended. Shed what is pending, then
                // pause: re-armed at once it would fail again at once (Linux checks for a free
                // descriptor before the backlog), a spin through the ring.
                shedPending(error)
                timers.pauseAccepting()
                return
            }
            if completion.result != -ECANCELED { log("mux-server: \(error)") }
        }
        if !accepting, !timers.isAcceptPaused, running { try armAccept() }
    }

    /// Accepts and closes pending connections with the reserve descriptor freed, until none is
    /// pending or even that fails, so no client waits in the backlog for a server that cannot serve it.
    private func shedPending(_ error: SyscallError) {
        if !warnedDescriptors {
            warnedDescriptors = true
            log("mux-server: accept: \(error.name): out of file descriptors; shedding connections until some close")
        }
        while reserve.isHeld {
            if !reserve.shedOne(from: descriptors.listener, syscalls: syscalls, statistics: &statistics) { return }
        }
    }

    private func admit(_ fd: Int32) {
        guard admission.admits(fd, configuration: configuration, statistics: &statistics, syscalls: syscalls, log: log) else { return }
        let connection = ConnectionAdmission.open(fd, in: &connections, make: RingConnection.init, configuration: configuration,
                                                  statistics: &statistics, syscalls: syscalls)
        armReceive(connection)
    }

    // MARK: - Receiving

    private func received(_ completion: Completion, fd: Int32, generation: UInt32) {
        let bufferID = completion.bufferID
        // The buffer goes back to the kernel whatever happens: the bytes are used right here.
        defer { if let bufferID { mux_buffer_ring_recycle(buffers, bufferID) } }
        guard let connection = current(fd, generation) else { return }
        if !completion.hasMore { connection.receiving = false }
        let result = completion.result
        if result > 0, let bufferID {
            if configuration.idleTimeoutSeconds > 0 { connection.lastActivity = monotonicNanoseconds() }
            statistics.bytesIn &+= UInt64(result)
            let bytes = UnsafeMutableRawPointer(mux_buffer_ring_buffer(buffers, bufferID)!)
            if connection.draining {
                if connection.dropLingeringInput(Int(result)) { close(connection); return }
            } else if !connection.closeAfterFlush {
                let reply = responder.respond(to: bytes, count: Int(result), input: &connection.input, statistics: &statistics)
                if reply.closeAfterReply { connection.closeAfterFlush = true }
                if reply.count > 0 { send(reply.bytes!, reply.count, on: connection) }
                guard connection.isOpen else { return }
                if connection.closeAfterFlush, connection.pendingOutput == 0 { closeLingering(connection) }
            }
        } else if result == 0 {
            close(connection)   // EOF
            return
        } else if result == -ENOBUFS || result == -ECANCELED {
            // The buffer ring ran dry (buffers come back as completions are handled: re-arm),
            // or the recv was cancelled to pause reading.
        } else {
            peerFailed(connection, SyscallError("recv", -result))
            return
        }
        if connection.isOpen, !connection.receiving, !connection.readingPaused { armReceive(connection) }
    }

    // MARK: - Sending

    /// Queues reply bytes and starts a send when none is in flight. Reading pauses (the recv is
    /// cancelled) while the pending output is over its high-water mark.
    private func send(_ bytes: UnsafeRawPointer, _ count: Int, on connection: RingConnection) {
        connection.output.append(bytes, count: count)
        if !connection.sendInFlight { startSend(connection) }
        if connection.isOpen, !connection.readingPaused,
           connection.pendingOutput > configuration.outputHighWater || connection.closeAfterFlush {
            pauseReading(connection)
        }
    }

    /// Hands `output` to the kernel as `sending` (or continues `sending` after a short send).
    private func startSend(_ connection: RingConnection) {
        if connection.sending.isEmpty {
            let spare = connection.sending
            connection.sending = connection.output
            connection.output = spare
        }
        guard !connection.sending.isEmpty else { return }
        connection.sendInFlight = true
        let data = Self.userData(.send, fd: connection.fd, generation: connection.generation)
        let pointer = connection.sending.readPointer
        let length = UInt32(min(connection.sending.count, Int(UInt32.max)))
        do { try queue { mux_ring_send(ring.raw, connection.fd, pointer, length, data) } } catch {
            connection.sendInFlight = false
            log("mux-server: descriptor \(connection.fd): \(error)")
            close(connection)
        }
    }

    private func sent(_ completion: Completion, fd: Int32, generation: UInt32) {
        guard let connection = current(fd, generation) else { return }
        connection.sendInFlight = false
        let result = completion.result
        guard result >= 0 else {
            if result != -ECANCELED { peerFailed(connection, SyscallError("send", -result)) }
            return
        }
        statistics.bytesOut &+= UInt64(result)
        connection.sending.consume(Int(result))
        if connection.pendingOutput > 0 {
            startSend(connection)   // the rest of a short send, or what was produced meanwhile
        } else if connection.closeAfterFlush {
            closeLingering(connection)
            return
        }
        if connection.readingPaused, !connection.closeAfterFlush,
           connection.pendingOutput <= configuration.outputHighWater / 2 {
            connection.readingPaused = false
            if !connection.receiving { armReceive(connection) }
        }
    }

    private func pauseReading(_ connection: RingConnection) {
        connection.readingPaused = true
        guard connection.receiving else { return }
        let target = Self.userData(.recv, fd: connection.fd, generation: connection.generation)
        try? queue { mux_ring_cancel(ring.raw, target, Self.userData(.control, fd: connection.fd, generation: 0)) }
        // Submitted now, not with the next turn's enter: until it lands the kernel keeps
        // receiving into buffers (up to a whole multishot batch each time it runs), all of which
        // become output to hold. Pauses are rare (back-pressure only): one extra enter each.
        _ = try? ring.enter(waitFor: 0, timeoutNanoseconds: -1, syscalls: syscalls)
    }

    // MARK: - Closing

    /// The reply is out and the connection is to close: a lingering close (`LingeringCloses.begin`).
    /// Here, reading it means a multishot recv armed.
    private func closeLingering(_ connection: RingConnection) {
        switch timers.lingering.begin(connection, syscalls: syscalls) {
        case .alreadyLingering: return
        case .shutdownFailed: close(connection)
        case .started: if !connection.receiving { armReceive(connection) }
        }
    }

    private func peerFailed(_ connection: RingConnection, _ error: SyscallError) {
        if error.isPeerGone { statistics.resets += 1 } else { log("mux-server: descriptor \(connection.fd): \(error)") }
        close(connection)
    }

    /// Cancels the connection's requests, then closes its descriptor — both through the ring,
    /// hard-linked so the close waits for the cancel; the fd's number cannot come back from
    /// accept before then. Completions still on their way carry the old generation.
    private func close(_ connection: RingConnection) {
        guard connection.isOpen else { return }
        let fd = connection.fd
        let cancel = Self.userData(.control, fd: fd, generation: 0)
        let closing = Self.userData(.close, fd: fd, generation: 0)
        // Nothing in flight (the usual close, at EOF: the recv has ended, no send pending):
        // the close alone. Otherwise cancel-by-fd first, which costs the kernel a search.
        let idle = !connection.receiving && !connection.sendInFlight
        if (try? queue({ idle ? mux_ring_close(ring.raw, fd, closing)
                              : mux_ring_cancel_and_close(ring.raw, fd, cancel, closing) })) == nil {
            syscalls.close(fd)   // the ring refused even after a submit: close here, counted
            statistics.closed += 1
        }
        connection.isOpen = false
        connection.draining = false
        connection.receiving = false
        connection.input.clear()
        connection.output.clear()
        // `sending` stays as it is: a send may still read it until the cancel has run.
        statistics.open -= 1
    }

    // MARK: - Timers

    private func runTimers() throws {
        let now = monotonicNanoseconds()
        if timers.acceptPauseEnded(now: now) {
            if !reserve.isHeld { reserve.take(syscalls: syscalls) }
            if !accepting { try armAccept() }
        }
        while let connection = timers.lingering.nextExpired(now: now, in: connections) { close(connection) }
        if let limit = timers.idleSweepDue(now: now) {
            for case let connection? in connections where connection.isOpen && now - connection.lastActivity >= limit {
                statistics.idleClosed += 1
                close(connection)
            }
        }
    }
}
