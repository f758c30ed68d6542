// The floor (Sources/README.md, How a point is measured): the loopback TCP round trip of one
// 64-byte message with nothing else going on — one connection, both ends busy-polling, no
// multiplexer, no server — measured once per open-loop sweep and drawn under the latency curves:
// what no backend can beat on this machine. The two ends run where the server and the load
// generator will (the CPU plan), so the floor crosses the same pair of CPUs.
import Foundation
import CMuxShim
import MuxCLI
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

public enum LoopbackFloor {
    public struct Measurement: Sendable {
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var roundTrips: Int
    }

    /// `roundTrips` ping-pongs after `warmup` unrecorded ones, bounded by `timeLimit` seconds.
    /// Nil (with the reason) when the sockets cannot be set up or the echo stops answering.
    public static func measure(payload: Int = 64, roundTrips: Int = 5_000, warmup: Int = 500,
                               plan: CPUPlan?, timeLimit: Double = 10) -> (Measurement?, String?) {
        let syscalls = Syscalls()
        let listener: Int32, port: UInt16, client: Int32
        do {
            let address = try SocketAddress(host: "127.0.0.1", port: 0)
            (listener, port) = try Socket.listen(on: address, backlog: 1, syscalls: syscalls)
        } catch { return (nil, "loopback floor: \(error)") }
        defer { close(listener) }  // owner: this function
        do { client = try Socket.connect(to: try SocketAddress(host: "127.0.0.1", port: port), syscalls: syscalls) } catch {
            return (nil, "loopback floor: \(error)")
        }
        defer { close(client) }  // owner: this function; closing it ends the echo thread
        let deadline = monotonicNanoseconds() + UInt64(timeLimit * 1e9)
        var accepted: Int32 = -1
        while accepted < 0, monotonicNanoseconds() < deadline {
            accepted = mux_accept4_nonblocking(listener)
            if accepted < 0, errno != EAGAIN, errno != EINTR { return (nil, "loopback floor: accept: errno \(errno)") }
        }
        let server = accepted
        guard server >= 0 else { return (nil, "loopback floor: no connection within \(timeLimit) s") }
        try? Socket.setNoDelay(client, syscalls: syscalls)
        try? Socket.setNoDelay(server, syscalls: syscalls)

        let group = DispatchGroup()
        group.enter()
        let echo = Thread {
            defer { close(server); group.leave() }  // owner: the echo thread
            if let cpu = plan?.server.first { pinThisThread(to: cpu) }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer { buffer.deallocate() }
            while monotonicNanoseconds() < deadline {
                let n = recv(server, buffer, 65536, 0)
                if n == 0 { return }
                if n < 0 { if errno == EAGAIN || errno == EINTR { continue } else { return } }
                guard sendAll(server, buffer, n, deadline: deadline) else { return }
            }
        }
        echo.stackSize = 1 << 18
        echo.start()

        // The pinging end is a thread of its own too: pinning it must not move the collector.
        let outcome = PingOutcome()
        group.enter()
        let ping = Thread {
            defer { shutdown(client, Int32(SHUT_RDWR)); group.leave() }  // the echo thread sees end of file
            if let cpu = plan?.load.first { pinThisThread(to: cpu) }
            let message = UnsafeMutableRawPointer.allocate(byteCount: payload, alignment: 16)
            let reply = UnsafeMutableRawPointer.allocate(byteCount: payload, alignment: 16)
            defer { message.deallocate(); reply.deallocate() }
            message.initializeMemory(as: UInt8.self, repeating: 0x5A, count: payload)
            // Past the time limit (a busy machine) the trips so far are the measurement, if enough.
            for trip in 0..<(warmup + roundTrips) where monotonicNanoseconds() < deadline {
                let sent = monotonicNanoseconds()
                guard sendAll(client, message, payload, deadline: deadline) else {
                    if monotonicNanoseconds() < deadline { outcome.failure = "send failed" }
                    return
                }
                var received = 0
                while received < payload {
                    let n = recv(client, reply + received, payload - received, 0)
                    if n > 0 { received += n; continue }
                    if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        outcome.failure = "the echo stopped answering"
                        return
                    }
                    if monotonicNanoseconds() >= deadline { return }
                }
                if trip >= warmup { outcome.histogram.record(monotonicNanoseconds() - sent) }
            }
        }
        ping.stackSize = 1 << 18
        ping.start()
        group.wait()
        let histogram = outcome.histogram
        if outcome.failure == nil, histogram.count < 1000 { outcome.failure = "fewer than 1,000 round trips in \(timeLimit) s" }
        if let failure = outcome.failure { return (nil, "loopback floor: \(failure)") }
        let summary = histogram.summary()
        return (Measurement(p50Microseconds: summary.p50, p99Microseconds: summary.p99, roundTrips: Int(histogram.count)), nil)
    }

    /// What the ping thread leaves for the caller, read after it has been joined.
    /// Measured once before an open-loop run on this machine (nil for closed loop, or with a
    /// server or load elsewhere, where loopback is not the path measured); says it on stderr.
    public static func once(for points: [SweepPoint], elsewhere: Bool) -> Double? {
        guard !elsewhere, points.contains(where: { if case .perSecond = $0.rate { true } else { false } }) else { return nil }
        let (measurement, problem) = measure(plan: CPUPlan.current())
        guard let measurement else {
            printError("\(problem ?? "loopback floor: not measured"): the latency charts go without a floor")
            return nil
        }
        printError("loopback floor: p50 \(formatCompactNumber(measurement.p50Microseconds)) µs, "
            + "p99 \(formatCompactNumber(measurement.p99Microseconds)) µs over \(measurement.roundTrips) round trips "
            + "(one connection, both ends busy-polling: what no backend can beat here)")
        return measurement.p50Microseconds
    }

    private final class PingOutcome: @unchecked Sendable {
        var histogram = LatencyHistogram()
        var failure: String?
    }

    private static func pinThisThread(to cpu: Int) {
        var one = Int32(cpu)
        _ = mux_pin_cpu_list(0, &one, 1)  // pid 0: the calling thread
    }

    private static func sendAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, deadline: UInt64) -> Bool {
        var sent = 0
        while sent < count {
            let n = send(fd, bytes + sent, count - sent, Int32(MSG_NOSIGNAL))
            if n > 0 { sent += n; continue }
            if n < 0, errno == EAGAIN || errno == EINTR, monotonicNanoseconds() < deadline { continue }
            return false
        }
        return true
    }
}
