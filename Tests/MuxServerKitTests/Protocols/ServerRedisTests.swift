// mux-server's redis protocol: inline PING answered +PONG as redis-server answers it, however the
// requests are split or pipelined, on every backend; anything else gets an error and a close.
import MuxCore
import MuxTestSupport
import Testing

@Suite(.machineExclusive) struct ServerRedisTests {
    @Test(arguments: runnable(Backend.allCases))
    func pipelinedAndSplitPingsAreEachAnsweredPong(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "redis"])
        let client = try TestClient(port: server.port)
        // Three pipelined in one write (one with a bare \n, one lowercase), then one split mid-word.
        try client.send("PING\r\nping\nPING\r\n")
        #expect(String(decoding: try client.receive(exactly: 21), as: UTF8.self) == "+PONG\r\n+PONG\r\n+PONG\r\n")
        try client.send("PI")
        try client.send("NG\r\n")
        #expect(String(decoding: try client.receive(exactly: 7), as: UTF8.self) == "+PONG\r\n")
        let counters = try server.counters()
        #expect(counters["requests"] == 4 && counters["bad_requests"] == 0)
        _ = try server.stop()
    }

    @Test func anUnknownCommandGetsAnErrorAndTheConnectionCloses() throws {
        let server = try ServerProcess(["--backend", "epoll-lt", "--protocol", "redis"])
        let client = try TestClient(port: server.port)
        try client.send("PING\r\nGET key\r\nPING\r\n")
        let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("+PONG\r\n-ERR "), "\(reply)")
        #expect(reply.components(separatedBy: "+PONG").count == 2, "nothing after the bad command is answered: \(reply)")
        let counters = try server.counters()
        #expect(counters["bad_requests"] == 1)
        _ = try server.stop()
    }
}
