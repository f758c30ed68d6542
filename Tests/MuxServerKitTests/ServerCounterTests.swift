import MuxCore
import MuxTestSupport
import Testing

/// Syscall counts are what the harness reports; they must be exact, not approximate.
@Suite struct ServerCounterTests {
    static let roundTrips = 200

    func window(_ arguments: [String], roundTrips k: Int) throws -> [String: Int] {
        let server = try ServerProcess(arguments)
        let client = try TestClient(port: server.port)
        try client.send("warm")
        _ = try client.receive(exactly: 4)
        let start = try server.counters()
        for i in 0..<k {
            let message = Array("message \(i % 10)".utf8)
            try client.send(message)
            #expect(try client.receive(exactly: message.count) == message)
        }
        let end = try server.counters()
        _ = try server.stop()
        return delta(end, start)
    }

    @Test func levelTriggeredEchoMakesOneReadAndOneWritePerRoundTrip() throws {
        let k = Self.roundTrips
        let d = try window(["--backend", "epoll-lt"], roundTrips: k)
        #expect(d["read"]! - d["read_eagain"]! - d["read_eof"]! == k, "\(d)")
        #expect(d["read_eagain"] == 0)
        // The counters line written at the window's start is itself a write: K + 1.
        #expect(d["write"] == k + 1, "\(d)")
        #expect(d["ctl"] == 0)
        #expect(d["requests"] == k)
    }

    @Test func edgeTriggeredDrainsToEAGAIN() throws {
        let k = Self.roundTrips
        let d = try window(["--backend", "epoll-et"], roundTrips: k)
        #expect(d["read"]! - d["read_eagain"]! - d["read_eof"]! == k, "\(d)")
        // Drain-to-EAGAIN costs a wasted read per wake-up; when the next message is already
        // there (the client answered before the drain), the drain read finds it instead.
        #expect(d["read_eagain"]! >= 1 && d["read_eagain"]! <= k, "\(d)")
        #expect(d["read_eagain"]! + d["requests"]! - k <= k)
        #expect(d["write"] == k + 1)
    }

    @Test func onWritableCostsTwoEpollCtlAndAnExtraWaitPerRequest() throws {
        let k = Self.roundTrips
        let immediate = try window(["--backend", "epoll-lt"], roundTrips: k)
        let onWritable = try window(["--backend", "epoll-lt", "--write-mode", "on-writable"], roundTrips: k)
        #expect(onWritable["ctl"] == 2 * k, "switch to writable and back: \(onWritable)")
        #expect(onWritable["write"] == k + 1)
        #expect(onWritable["wait"]! >= 2 * k, "\(onWritable)")
        #expect(immediate["ctl"] == 0)
        #expect(immediate["wait"]! <= k + 2, "\(immediate)")
    }

    @Test(arguments: [Backend.select, .poll])
    func onWritableUnderSelectAndPollCostsWaitsNotCtl(_ backend: Backend) throws {
        if backendUnavailable(backend) { return }
        let k = Self.roundTrips
        let d = try window(["--backend", backend.rawValue, "--write-mode", "on-writable"], roundTrips: k)
        #expect(d["ctl"] == 0)
        #expect(d["wait"]! >= 2 * k)
        #expect(d["write"] == k + 1)
    }
}
