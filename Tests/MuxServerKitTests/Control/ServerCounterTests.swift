import MuxCore
import MuxTestSupport
import Testing

/// Syscall counts are what the harness reports; they must be exact, not approximate.
@Suite(.machineExclusive) struct ServerCounterTests {
    static let roundTrips = 200
    /// The signalfd reads inside a window, counted as reads (the kernel's kind): the start
    /// snapshot's second read (finding no signal left), after its counters were taken, and the
    /// end snapshot's first (its SIGUSR1), before.
    static let signalReads = 2

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
        #expect(d["read"]! - d["read_eagain"]! - d["read_eof"]! == k + Self.signalReads, "\(d)")
        #expect(d["read_eagain"] == 0)
        // The counters line written at the window's start is itself a write: K + 1.
        #expect(d["write"] == k + 1, "\(d)")
        #expect(d["ctl"] == 0)
        #expect(d["requests"] == k)
    }

    @Test func edgeTriggeredDrainsToEAGAIN() throws {
        let k = Self.roundTrips
        let d = try window(["--backend", "epoll-et"], roundTrips: k)
        #expect(d["read"]! - d["read_eagain"]! - d["read_eof"]! == k + Self.signalReads, "\(d)")
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
        let k = Self.roundTrips
        let d = try window(["--backend", backend.rawValue, "--write-mode", "on-writable"], roundTrips: k)
        #expect(d["ctl"] == 0)
        #expect(d["wait"]! >= 2 * k)
        #expect(d["write"] == k + 1)
    }

    /// A warning the server logs is a write(2) like any other: counted. Over the window: the
    /// counters line at its start, the --max-connections warning, nothing else.
    @Test func aLoggedWarningIsACountedWrite() throws {
        let server = try ServerProcess(["--backend", "epoll-lt", "--max-connections", "1"])
        let first = try TestClient(port: server.port)
        try first.send("warm")
        _ = try first.receive(exactly: 4)
        let start = try server.counters()
        let second = try TestClient(port: server.port)
        // Over the limit: accepted, the warning logged, closed at once.
        #expect(try second.receiveUntilClose().isEmpty)
        let end = try server.counters()
        let (_, final) = try server.stop()
        let d = delta(end, start)
        #expect(d["rejected"] == 1, "\(d)")
        #expect(d["write"] == 2, "the counters line and the warning: \(d)")
        #expect(final["write"]! - end["write"]! == 1, "the end-of-window counters line only: \(final)")
    }

    /// The counters line carries the server's own CPU time in µs (getrusage), so the collector
    /// needs no 10 ms /proc ticks: it grows with work and, the server being one thread, never
    /// by more than the time between the two lines (t_ns, the server's own clock).
    @Test func countersCarryTheServersOwnCPUTime() throws {
        let d = try window(["--backend", "poll"], roundTrips: 2000)
        let cpu = try #require(d["cpu_user_us"]) + (try #require(d["cpu_sys_us"]))
        #expect(cpu > 0, "2000 round trips cost some CPU: \(d)")
        // 1 ms of slack: each line samples its CPU time a moment before its t_ns.
        #expect(cpu <= d["t_ns"]! / 1000 + 1000, "\(d)")
        #expect(d["other"]! >= 1, "the getrusage of the end snapshot is counted: \(d)")
    }
}
