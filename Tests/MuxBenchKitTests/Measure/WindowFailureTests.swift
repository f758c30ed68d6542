// A window in which no request completed is a failed run, not a row: the reason's words, and on
// real processes a server that accepts and reads but never answers (a listener of this test,
// reached through `--server-command` / `server.NAME`), through `run` and through a sweep that
// goes on with its other points.
import Foundation
import MuxMessages
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// A result line of `active` connections with `requests` completed and `errors` failed.
private func result(requests: UInt64, errors: UInt64 = 0, active: Int = 10, unfinished: UInt64 = 0,
                    rate: Double? = nil, window: Double = 1) -> ResultMessage {
    var histogram = LatencyHistogram()
    for _ in 0..<requests { histogram.record(50_000) }
    return ResultMessage(wireProtocol: "echo", connections: 20, active: active, threads: 1, pipeline: 1, payloadBytes: 64,
                         warmupSeconds: 0.2, durationSeconds: window, requests: requests, totalRequests: requests, sent: requests + 10,
                         errors: errors, throughput: Double(requests) / window, rateTarget: rate,
                         errorsByKind: errors > 0 ? ["timeout": errors] : [:], latency: ResultMessage.Latency(histogram: histogram),
                         cpuUserMicroseconds: 1000, cpuSystemMicroseconds: 1000, unfinished: unfinished, windowSeconds: window)
}

@Suite struct WindowFailureReasonTests {
    @Test func noRequestCompletedIsAFailureThatSaysWhatHappened() {
        #expect(result(requests: 0).windowFailure == "no request completed in the 1 s window (0 of 10 active connections answered)")
        #expect(result(requests: 0, active: 1, unfinished: 3, rate: 3, window: 0.5).windowFailure
                == "no request completed in the 0.5 s window (0 of 1 active connection answered; 3 requests due in it unanswered at its end)")
        #expect(result(requests: 0, rate: 1, window: 0.5).windowFailure?
            .hasSuffix("; at 1 req/s fewer than one request was due in it)") == true)
    }

    @Test func oneCompletedRequestIsARunAndErrorsKeepTheirOwnReason() {
        #expect(result(requests: 1).windowFailure == nil)
        #expect(result(requests: 1, errors: 5).windowFailure == nil, "errors with answers are a row, with a warning")
        let failed = result(requests: 0, errors: 4)
        #expect(failed.windowFailure != nil && failed.windowFailure == failed.everyRequestFailed)
    }
}

/// A listener on 127.0.0.1:`port` that accepts every connection and reads everything it is sent
/// but never writes a byte back: a server that hangs on every request. One thread, poll(2).
private final class SilentListener: @unchecked Sendable {
    private let listenFD: Int32        // owned, closed by stop()
    private let lock = NSLock()
    private let ended = DispatchSemaphore(value: 0)
    // Guarded by `lock`.
    private var stopping = false
    private var accepted = 0
    private var received = 0

    init(port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && listen(fd, 512) == 0
            }
        }
        guard bound else { let e = errno; close(fd); throw TestFailure("bind/listen on port \(port): errno \(e)") }
        listenFD = fd
        Thread.detachNewThread { [self] in serve(); ended.signal() }
    }

    /// Once `path` holds a port number (the server command writes the port MuxBench chose), a
    /// listener there.
    static func onPort(writtenTo path: String) throws -> SilentListener {
        var port: UInt16?
        _ = waitUntil(timeout: 60) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return false }
            port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return port != nil
        }
        guard let port else { throw TestFailure("no port written to \(path) within 60 s") }
        return try SilentListener(port: port)
    }

    var acceptedConnections: Int { lock.withLock { accepted } }
    var receivedBytes: Int { lock.withLock { received } }

    func stop() {
        lock.withLock { stopping = true }
        ended.wait()
        close(listenFD)
    }

    private func serve() {
        var connections: [Int32] = []  // owned here, closed at EOF or when stopping
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !lock.withLock({ stopping }) {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
                + connections.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 50) > 0 else { continue }
            var open: [Int32] = []
            if fds[0].revents != 0 {
                let fd = accept(listenFD, nil, nil)
                if fd >= 0 { open.append(fd); lock.withLock { accepted += 1 } }
            }
            for entry in fds.dropFirst() {
                guard entry.revents != 0 else { open.append(entry.fd); continue }
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    lock.withLock { received += n }
                    open.append(entry.fd)
                } else if n < 0, errno == EINTR || errno == EAGAIN {
                    open.append(entry.fd)
                } else {
                    close(entry.fd)
                }
            }
            connections = open
        }
        for fd in connections { close(fd) }
    }
}

/// A server command for `--server-command` or `server.NAME`: writes the port MuxBench chose to
/// `portFile` and sleeps; the test's SilentListener listens there instead.
private func silentServerCommand(portFile: String) -> String {
    "sh -c 'echo $0 > \(portFile).tmp && mv \(portFile).tmp \(portFile); exec sleep 60' {port}"
}

extension BenchProcessSuites {
    @Suite struct WindowFailureTests {
        @Test func aServerThatNeverAnswersFailsTheRunAndWritesNoRow() throws {
            let dir = try makeTemporaryDirectory("silent-run")
            defer { removeDirectory(dir) }
            let out = "\(dir)/r.csv"
            let bench = try ChildProcess("mux-bench", ["run", "--server-command", silentServerCommand(portFile: "\(dir)/port"),
                                                       "--server-name", "silent", "--connections", "20", "--active", "10",
                                                       "--warmup", "200ms", "--duration", "1s", "--out", out])
            let listener = try SilentListener.onPort(writtenTo: "\(dir)/port")
            defer { listener.stop() }
            let status = bench.wait(timeout: 90)
            let stderr = bench.standardError()
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains(" rep 1 failed: no request completed in the 1 s window (0 of 10 active connections answered"),
                    "\(stderr)")
            #expect(listener.acceptedConnections >= 20 && listener.receivedBytes > 0,
                    "the load reached the listener and sent: \(listener.acceptedConnections) accepted, \(listener.receivedBytes) bytes")
            #expect(((try? readCSV(out).rows.count) ?? 0) == 0, "no row for a window with no request: \(stderr)")
        }

        @Test func aSweepRecordsThatPointFailedAndMeasuresTheOthers() throws {
            let dir = try makeTemporaryDirectory("silent-sweep")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "silent", shortSweep(backends: "epoll-et silent", connections: "20")
                + "\nserver.silent = \(silentServerCommand(portFile: "\(dir)/port"))\n")
            let bench = try ChildProcess("mux-bench", ["sweep", file, "--results", "\(dir)/results", "--no-plot"])
            let listener = try SilentListener.onPort(writtenTo: "\(dir)/port")
            defer { listener.stop() }
            let status = bench.wait(timeout: 120)
            let stderr = bench.standardError()
            #expect(status == 1, "a failed point: \(stderr)")
            #expect(stderr.contains("rep 1: FAILED: no request completed in the 1 s window (0 of 10 active connections answered"),
                    "\(stderr)")
            let rows = try readCSV("\(dir)/results/silent.csv").rows
            #expect(rows.map { $0["backend"] } == ["epoll-et"], "the other point is measured, the silent one has no row: \(stderr)")
            let summary = try readCSV("\(dir)/results/silent-summary.csv").rows
            let silent = try #require(summary.first { $0["backend"] == "silent" }, "\(summary)")
            #expect(silent["status"] == "failed" && silent["reps"] == "0", "\(silent)")
            #expect(silent["reason"]?.contains("no request completed in the 1 s window") == true, "\(silent)")
            #expect(summary.first { $0["backend"] == "epoll-et" }?["status"] == "ok", "\(summary)")
        }
    }
}
