// One load-generator thread: its own epoll, its share of the connections, its own histogram and
// counters (summed after join, no locks — as wrk does). Hot path: no allocation, nothing
// proportional to the number of connections per request.
import CMuxShim
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

final class LoadWorker: @unchecked Sendable {
    let configuration: LoadConfiguration
    private let mux: EpollMultiplexer
    private let syscalls: Syscalls
    private var connections: UnsafeMutablePointer<ClientConnection>
    private let count: Int
    private var slotOfFD: [Int32]
    private var activeSlots: [Int] = []
    private let scratch: UnsafeMutableRawPointer     // what reads land in
    private let scratchSize = 65536
    private let outgoing: UnsafeMutableRawPointer    // the echo request being written: never `scratch`,
                                                     // which may still hold replies being verified
    private let httpRequest: UnsafeMutableRawBufferPointer  // the fixed request (HTTP or redis)
    private let payload: Int
    private let pipeline: Int
    private let isEcho: Bool
    private let isRedis: Bool
    var result = WorkerResult()

    private let serverAddress: SocketAddress
    private let sourceAddresses: [SocketAddress]

    // Window and schedule, set by `run`.
    private var warmupEnd: UInt64 = 0
    private var end: UInt64 = 0
    private var openLoopInterval: Double = 0   // ns between this worker's requests (open loop)
    private var nextDue: Double = 0
    private var nextActive = 0
    private var exponentialArrivals = false
    private var schedule = SplitMix64(seed: 0)
    private var gaps: GapSample
    private var scheduleGaps: GapSample
    private var lastOnTimeSend: UInt64 = 0   // actual time of the previous due request sent at once; 0: none

    init(configuration: LoadConfiguration, fds: [Int32], ids: [UInt32], syscalls: Syscalls = Syscalls()) throws {
        self.configuration = configuration
        self.syscalls = syscalls
        mux = try EpollMultiplexer(syscalls: syscalls, edgeTriggered: false, maxEvents: 1024)
        count = fds.count
        connections = .allocate(capacity: max(1, count))
        slotOfFD = Array(repeating: -1, count: Int(fds.max() ?? 0) + 1)
        payload = configuration.payloadBytes
        pipeline = configuration.pipeline
        isEcho = configuration.wireProtocol == .echo
        isRedis = configuration.wireProtocol == .redis
        let version = configuration.shortConnections ? "1.0" : "1.1"
        let request = configuration.wireProtocol == .redis ? Array(redisRequest.utf8)
            : Array("GET / HTTP/\(version)\r\nHost: \(configuration.host):\(configuration.port)\r\n\r\n".utf8)
        serverAddress = try SocketAddress(host: configuration.host, port: configuration.port)
        sourceAddresses = configuration.sourceAddresses.compactMap { try? SocketAddress(host: $0, port: 0) }
        httpRequest = .allocate(byteCount: request.count, alignment: 1)
        httpRequest.copyBytes(from: request)
        gaps = GapSample(seed: configuration.seed)
        scheduleGaps = GapSample(seed: configuration.seed)
        scratch = .allocate(byteCount: scratchSize, alignment: 16)
        outgoing = .allocate(byteCount: payload, alignment: 16)
        for (slot, fd) in fds.enumerated() {
            let active = ids[slot] < UInt32(configuration.active)
            (connections + slot).initialize(to: ClientConnection(fd: fd, id: ids[slot], isActive: active))
            slotOfFD[Int(fd)] = Int32(slot)
            if active { activeSlots.append(slot) }
            // Idle connections are watched too: a server that drops one is an error, not silence.
            try mux.register(fd: fd, interest: .read)
        }
    }

    deinit {
        for slot in 0..<count {
            if connections[slot].isOpen { close(connections[slot].fd) }
            connections[slot].times.deallocate()
            connections[slot].sentTimes.deallocate()
            connections[slot].pendingOutput.deallocate()
            connections[slot].input.deallocate()
        }
        connections.deinitialize(count: count)
        connections.deallocate()
        scratch.deallocate()
        outgoing.deallocate()
        httpRequest.deallocate()
        gaps.deallocate()
        scheduleGaps.deallocate()
    }

    /// Traffic from `start` to `end` (monotonic ns); only replies completing in [warmupEnd, end)
    /// are counted and recorded. `workerIndex`/`workerCount` stagger open-loop schedules; `pacing`
    /// says how an open-loop thread waits (closed loop always blocks until a reply comes).
    func run(start: UInt64, warmupEnd: UInt64, end: UInt64, workerIndex: Int, workerCount: Int, pacing: Pacing = .sleep) {
        self.warmupEnd = warmupEnd
        self.end = end
        while monotonicNanoseconds() < start {}
        if let rate = configuration.rate, !activeSlots.isEmpty {
            // This worker's share of the total rate, in proportion to its active connections.
            let share = rate * Double(activeSlots.count) / Double(max(1, configuration.active))
            openLoopInterval = 1e9 / share
            // A thread's sleeps may end up to its timer slack late (50 µs by default): measured as
            // the median of our send lateness, and added to every latency from intended send time.
            // The pacing timeout must end when asked.
            _ = mux_set_timer_slack(1)
            nextDue = Double(start) + openLoopInterval * Double(workerIndex) / Double(max(1, workerCount))
            // Each thread its own stream of the run's seed, so a seeded run repeats its schedule.
            exponentialArrivals = configuration.arrivals == .exponential
            schedule = SplitMix64(seed: configuration.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(workerIndex))
            gaps.reseed(configuration.seed &+ 0x5EED &+ UInt64(workerIndex))
            scheduleGaps.reseed(configuration.seed &+ 0x5EED &+ UInt64(workerIndex))
        } else {
            for slot in activeSlots {
                for _ in 0..<pipeline where connections[slot].isOpen { sendNew(slot, at: start) }
            }
        }
        var nextTimeoutCheck = start + 100_000_000
        var now = monotonicNanoseconds()
        let isOpenLoop = openLoopInterval > 0
        // Spinning: never block, so a send goes out within one turn of this loop of its time.
        let spins = isOpenLoop && pacing == .spin
        var cpuAtWindowStart: UInt64?
        while now < end {
            if isOpenLoop, cpuAtWindowStart == nil, now >= warmupEnd { cpuAtWindowStart = threadCPUNanoseconds() }
            let turnStart = now
            if isOpenLoop, sendDue(now), turnStart >= warmupEnd {
                result.busyNanoseconds &+= monotonicNanoseconds() &- turnStart
            }
            var wakeAt = min(end, nextTimeoutCheck)
            if isOpenLoop { wakeAt = min(wakeAt, UInt64(nextDue)) }
            let timeout = spins ? 0 : wakeAt > now ? Int64(wakeAt - now) : 0
            let ready: Int
            do { ready = try mux.wait(timeoutNanoseconds: timeout) } catch {
                // This worker can wait no more: say so, and let the report divide by the part of
                // the window it really ran for, not by the configured duration.
                result.errors.wait += 1
                result.failure = "\(error)"
                now = monotonicNanoseconds()
                break
            }
            let woke = isOpenLoop && ready > 0 ? monotonicNanoseconds() : 0
            for i in 0..<ready {
                let event = mux.event(at: i)
                // A handler earlier in this batch may have closed this event's connection and a
                // reconnect reused its number: such an event is the old connection's, dropped.
                guard mux.isCurrent(event) else { continue }
                let slot = Int(slotOfFD[Int(event.fd)])
                guard slot >= 0, connections[slot].isOpen else { continue }
                if connections[slot].connecting {
                    finishConnect(slot)
                    continue
                }
                if !event.flags.isDisjoint(with: [.readable, .hangup, .error]) { readReplies(slot) }
                if connections[slot].isOpen, event.flags.contains(.writable) { flushOutput(slot) }
            }
            now = monotonicNanoseconds()
            if woke >= warmupEnd, woke > 0 { result.busyNanoseconds &+= now &- woke }
            if now >= nextTimeoutCheck {
                checkTimeouts(now)
                nextTimeoutCheck = now + 100_000_000
            }
        }
        let stopped = min(now, end)
        result.windowNanoseconds = stopped > warmupEnd ? stopped - warmupEnd : 0
        recordUnfinished(at: stopped)
        if let cpuAtWindowStart { result.runningNanoseconds = threadCPUNanoseconds() &- cpuAtWindowStart }
        let base = spins ? result.runningNanoseconds : result.windowNanoseconds
        if isOpenLoop, base > 0 { result.busyShare = min(1, Double(result.busyNanoseconds) / Double(base)) }
        if exponentialArrivals {
            result.gapSample = gaps.values
            result.scheduleSample = scheduleGaps.values
        }
    }

    /// Requests due (open loop) or sent (closed loop) inside the window and still unanswered when
    /// it ends (in flight, or queued behind a full pipeline) are recorded as having waited until
    /// the end: a lower bound of their latency, so that a stall at the end of the window shows like
    /// one in the middle. Once per connection at the end of the run, not per request.
    private func recordUnfinished(at stop: UInt64) {
        for slot in activeSlots where connections[slot].isOpen {
            connections[slot].times.forEach { recordUnfinished(intended: $0, at: stop) }
        }
        // Open loop: due before the end but never sent: the last wait woke up past the end.
        while openLoopInterval > 0, nextDue < Double(stop) {
            let slot = activeSlots[nextActive]
            nextActive = nextActive + 1 == activeSlots.count ? 0 : nextActive + 1
            if connections[slot].isOpen {
                recordUnfinished(intended: UInt64(nextDue), at: stop)
            } else {
                result.errors.dropped += 1
            }
            nextDue += nextGap()
        }
    }

    /// This thread's CPU time (CLOCK_THREAD_CPUTIME_ID, a vDSO-less syscall: twice a run).
    private func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The gap to the next intended send: fixed, or drawn from Exp(mean = the interval).
    @inline(__always)
    private func nextGap() -> Double {
        guard exponentialArrivals else { return openLoopInterval }
        let units = -log(1 - schedule.nextUnit())
        if nextDue >= Double(warmupEnd) { scheduleGaps.offer(units) }
        return openLoopInterval * units
    }

    @inline(__always)
    private func recordUnfinished(intended: UInt64, at stop: UInt64) {
        guard intended >= warmupEnd, intended < stop else { return }
        result.histogram.record(stop - intended)
        result.unfinished += 1
    }

    // MARK: - Sending

    /// Closed loop: a new request now. Open loop: `sendDue` calls `transmit` with intended times.
    @inline(__always)
    private func sendNew(_ slot: Int, at time: UInt64) {
        connections[slot].times.push(time)
        connections[slot].outstanding += 1
        transmit(slot)
    }

    /// Open loop: every request whose intended time has come, round-robin over the active
    /// connections. A connection whose pipeline is full queues it, keeping its intended time,
    /// so a stalled server shows in the latencies (no coordinated omission). True if any came due.
    @discardableResult
    private func sendDue(_ now: UInt64) -> Bool {
        var any = false
        while nextDue <= Double(now), nextDue < Double(end) {
            any = true
            let slot = activeSlots[nextActive]
            nextActive = nextActive + 1 == activeSlots.count ? 0 : nextActive + 1
            if connections[slot].isOpen {
                if connections[slot].outstanding < pipeline {
                    let intended = UInt64(nextDue)
                    connections[slot].times.push(intended)
                    connections[slot].outstanding += 1
                    // The clock once more per request (vDSO, no syscall): when it really went out.
                    let actual = monotonicNanoseconds()
                    if intended >= warmupEnd {
                        result.sendLateness.record(actual > intended ? actual - intended : 0)
                        if exponentialArrivals, lastOnTimeSend > 0 {
                            gaps.offer(Double(actual &- lastOnTimeSend) / openLoopInterval)
                        }
                    }
                    lastOnTimeSend = actual
                    connections[slot].sentTimes.push(actual)
                    transmit(slot)
                } else {
                    connections[slot].times.push(UInt64(nextDue))
                    connections[slot].queued += 1
                    lastOnTimeSend = 0  // a gap across a held-back request is not one of the schedule's
                }
            } else {
                // Due on a connection that is gone: never sent, never answered, counted.
                result.errors.dropped += 1
                lastOnTimeSend = 0
            }
            nextDue += nextGap()
        }
        return any
    }

    /// Writes the connection's next request (or queues its bytes behind pending output).
    private func transmit(_ slot: Int) {
        let sequence = connections[slot].sendSequence
        connections[slot].sendSequence += 1
        result.sent += 1
        let bytes: UnsafeRawPointer
        let length: Int
        if isEcho {
            fillEchoPayload(outgoing, count: payload, connection: connections[slot].id, sequence: sequence)
            bytes = UnsafeRawPointer(outgoing)
            length = payload
        } else {
            length = httpRequest.count
            bytes = UnsafeRawPointer(httpRequest.baseAddress!)
        }
        if !connections[slot].pendingOutput.isEmpty {
            connections[slot].pendingOutput.append(bytes, count: length)
            return
        }
        var written = 0
        do {
            if case let .transferred(n) = try syscalls.write(connections[slot].fd, bytes, length) { written = n }
        } catch {
            fail(slot, error)
            return
        }
        if written < length {
            connections[slot].pendingOutput.append(bytes + written, count: length - written)
            try? mux.modify(fd: connections[slot].fd, interest: [.read, .write])
        }
    }

    private func flushOutput(_ slot: Int) {
        while !connections[slot].pendingOutput.isEmpty {
            let result: IOResult
            do {
                result = try syscalls.write(connections[slot].fd, connections[slot].pendingOutput.readPointer,
                                            connections[slot].pendingOutput.count)
            } catch {
                fail(slot, error)
                return
            }
            guard case let .transferred(n) = result, n > 0 else { return }
            connections[slot].pendingOutput.consume(n)
        }
        try? mux.modify(fd: connections[slot].fd, interest: .read)
    }

    // MARK: - Receiving

    private func readReplies(_ slot: Int) {
        let result: IOResult
        do {
            result = try syscalls.read(connections[slot].fd, scratch, scratchSize)
        } catch {
            fail(slot, error)
            return
        }
        switch result {
        case let .transferred(n):
            let now = monotonicNanoseconds()
            if isEcho { verifyEcho(slot, n, now) } else if isRedis { verifyRedis(slot, n, now) } else { scanHTTP(slot, n, now) }
        case .endOfFile:
            // The server closed: every request in flight is a short reply; an idle connection
            // closed under us is an error too.
            let lost = max(1, connections[slot].outstanding)
            self.result.errors.closed += UInt64(lost)
            shut(slot)
        case .wouldBlock:
            return
        }
    }

    private func verifyEcho(_ slot: Int, _ n: Int, _ now: UInt64) {
        let id = connections[slot].id
        verifyFixedReplies(slot, n, now, length: payload,
                           expected: { sequence, index in echoByte(connection: id, sequence: sequence, index: index) },
                           wrongByte: { _, _ in result.errors.mismatch += 1 })
    }

    /// Every reply must be exactly `+PONG\r\n`, byte for byte, however the reads split them. A
    /// redis error reply (`-ERR ...`) counts as a bad status, anything else as a mismatch.
    private func verifyRedis(_ slot: Int, _ n: Int, _ now: UInt64) {
        let expected = redisReply.utf8Start
        verifyFixedReplies(slot, n, now, length: redisReply.utf8CodeUnitCount,
                           expected: { _, index in expected[index] },
                           wrongByte: { position, byte in
                               if position == 0, byte == UInt8(ascii: "-") { result.errors.status += 1 } else { result.errors.mismatch += 1 }
                           })
    }

    /// Replies of one fixed length, checked byte for byte however the reads split them:
    /// `expected(sequence, index)` is byte `index` of the connection's reply number `sequence`;
    /// `wrongByte(index, byte)` counts a byte that differs, and the connection is shut.
    @inline(__always)
    private func verifyFixedReplies(_ slot: Int, _ n: Int, _ now: UInt64, length: Int,
                                    expected: (_ sequence: UInt64, _ index: Int) -> UInt8,
                                    wrongByte: (_ index: Int, _ byte: UInt8) -> Void) {
        let bytes = scratch.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < n {
            guard connections[slot].outstanding > 0 else {
                result.errors.mismatch += 1  // bytes nobody asked for
                shut(slot)
                return
            }
            let offset = connections[slot].receivedBytes
            let take = min(length - offset, n - i)
            let sequence = connections[slot].receiveSequence
            for k in 0..<take where bytes[i + k] != expected(sequence, offset + k) {
                wrongByte(offset + k, bytes[i + k])
                shut(slot)
                return
            }
            i += take
            connections[slot].receivedBytes += take
            if connections[slot].receivedBytes == length {
                connections[slot].receivedBytes = 0
                connections[slot].receiveSequence += 1
                complete(slot, now)
                if !connections[slot].isOpen { return }
            }
        }
    }

    private func scanHTTP(_ slot: Int, _ n: Int, _ now: UInt64) {
        // Whole responses are scanned where they were read; only a partial one is copied aside.
        let carried = !connections[slot].input.isEmpty
        if carried { connections[slot].input.append(scratch, count: n) }
        var offset = 0
        while true {
            let pending = carried
                ? connections[slot].input.readableBytes
                : UnsafeRawBufferPointer(start: scratch + offset, count: n - offset)
            switch scanHTTPResponse(pending) {
            case .incomplete:
                if !carried, offset < n { connections[slot].input.append(scratch + offset, count: n - offset) }
                return
            case .malformed:
                result.errors.mismatch += 1
                shut(slot)
                return
            case let .response(length, ok, closes):
                if carried { connections[slot].input.consume(length) } else { offset += length }
                guard connections[slot].outstanding > 0 else {
                    result.errors.mismatch += 1
                    shut(slot)
                    return
                }
                if !ok { result.errors.status += 1 }
                if closes { connections[slot].closesAfterReply = true }
                complete(slot, now)
                if !connections[slot].isOpen { return }
                if closes, configuration.shortConnections {
                    reconnect(slot, now)
                    return
                }
                if closes {
                    // The server will close: anything still in flight on it is lost.
                    result.errors.closed += UInt64(connections[slot].outstanding + connections[slot].queued)
                    shut(slot)
                    return
                }
                if !carried, offset == n { return }
            }
        }
    }

    /// One reply done: record it if it landed in the window, then keep the connection busy.
    @inline(__always)
    private func complete(_ slot: Int, _ now: UInt64) {
        connections[slot].outstanding -= 1
        let sent = connections[slot].times.popFirst()
        result.totalRequests += 1
        let isOpenLoop = openLoopInterval > 0
        let actuallySent = isOpenLoop && connections[slot].sentTimes.count > 0 ? connections[slot].sentTimes.popFirst() : sent
        if now >= warmupEnd && now < end {
            result.windowRequests += 1
            result.histogram.record(now > sent ? now - sent : 0)
            if isOpenLoop { result.sentHistogram.record(now > actuallySent ? now - actuallySent : 0) }
        } else if now >= end, sent >= warmupEnd, sent < end {
            // Answered, but after the window: it was unanswered at the end (see recordUnfinished).
            recordUnfinished(intended: sent, at: end)
        }
        guard now < end, !connections[slot].closesAfterReply else { return }
        if isOpenLoop {
            if connections[slot].queued > 0 {
                connections[slot].queued -= 1
                connections[slot].outstanding += 1
                connections[slot].sentTimes.push(now)
                transmit(slot)
            }
        } else {
            sendNew(slot, at: now)
        }
    }

    // MARK: - Short connections

    /// Closes the finished connection and starts the next one; the next request's latency runs
    /// from now, so it includes the connect.
    private func reconnect(_ slot: Int, _ now: UInt64) {
        let old = connections[slot].fd
        shut(slot)
        slotOfFD[Int(old)] = -1
        guard now < end else { return }
        let source = sourceAddresses.isEmpty ? nil : sourceAddresses[Int(connections[slot].id) % sourceAddresses.count]
        let fd: Int32
        do { fd = try Socket.connect(to: serverAddress, from: source, syscalls: syscalls) } catch {
            result.errors.connect += 1
            return
        }
        if Int(fd) >= slotOfFD.count {
            slotOfFD += repeatElement(-1, count: max(Int(fd) + 1, slotOfFD.count * 2) - slotOfFD.count)
        }
        slotOfFD[Int(fd)] = Int32(slot)
        connections[slot].fd = fd
        connections[slot].isOpen = true
        connections[slot].connecting = true
        connections[slot].closesAfterReply = false
        connections[slot].receivedBytes = 0
        connections[slot].input.clear()
        connections[slot].pendingOutput.clear()
        connections[slot].times.push(now)
        connections[slot].outstanding = 1
        do { try mux.register(fd: fd, interest: .write) } catch {
            result.errors.connect += 1
            shut(slot)
        }
    }

    private func finishConnect(_ slot: Int) {
        let code = Socket.pendingError(of: connections[slot].fd)
        guard code == 0 else {
            result.errors.connect += 1
            shut(slot)
            return
        }
        connections[slot].connecting = false
        try? mux.modify(fd: connections[slot].fd, interest: .read)
        transmit(slot)
    }

    private func checkTimeouts(_ now: UInt64) {
        // A timer, every 100 ms, not per request.
        let limit = UInt64(configuration.requestTimeoutSeconds * 1e9)
        for slot in activeSlots where connections[slot].isOpen && connections[slot].outstanding > 0 {
            if let oldest = connections[slot].times.first, now > oldest, now - oldest > limit {
                result.errors.timeout += UInt64(connections[slot].outstanding)
                shut(slot)
            }
        }
    }

    private func fail(_ slot: Int, _ error: SyscallError) {
        if error.isPeerGone { result.errors.reset += UInt64(max(1, connections[slot].outstanding)) } else {
            result.errors.closed += UInt64(max(1, connections[slot].outstanding))
        }
        shut(slot)
    }

    /// The connection is done for this run: deregistered and closed by its one owner, this worker.
    private func shut(_ slot: Int) {
        guard connections[slot].isOpen else { return }
        try? mux.unregister(fd: connections[slot].fd)
        close(connections[slot].fd)
        connections[slot].isOpen = false
        connections[slot].connecting = false
        connections[slot].outstanding = 0
        connections[slot].queued = 0
        connections[slot].times.removeAll()
        connections[slot].sentTimes.removeAll()
    }
}
