import MuxCore
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.machineExclusive) struct ServerHTTPTests {
    static let get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test(arguments: runnable(Backend.allCases))
    func keepAliveServesManyRequestsOnOneConnection(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
        let client = try TestClient(port: server.port)
        for _ in 0..<3 {
            try client.send(Self.get)
            let response = try client.receiveHTTPResponse()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("Content-Length: 13\r\n"))
            #expect(response.hasSuffix("\r\n\r\nHello, world!"))
        }
        let counters = try server.counters()
        #expect(counters["requests"] == 3 && counters["closed"] == 0)
        _ = try server.stop()
    }

    @Test(arguments: runnable(Backend.allCases))
    func pipelinedRequestsAreAnsweredInOrder(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
        let client = try TestClient(port: server.port)
        try client.send(Self.get + Self.get + "GET /last HTTP/1.1\r\nConnection: close\r\n\r\n")
        let all = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(all.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        #expect(all.components(separatedBy: "Connection: keep-alive").count == 3)
        #expect(all.hasSuffix("Connection: close\r\n\r\nHello, world!"), "the closing request's reply comes last")
        _ = try server.stop()
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        let server = try ServerProcess(["--backend", "epoll-et", "--protocol", "http"])
        let closing = try TestClient(port: server.port)
        try closing.send("GET / HTTP/1.0\r\n\r\n")
        let reply = String(decoding: try closing.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK") && reply.hasSuffix("Hello, world!"))
        let keeping = try TestClient(port: server.port)
        for _ in 0..<2 {
            try keeping.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.receiveHTTPResponse().contains("Connection: keep-alive"))
        }
        _ = try server.stop()
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/1.1\r\nNoColonHere\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\u{0}b\r\n\r\n",
        "\u{1}\u{2}\u{3}\u{FF}binary",
    ])
    func garbageGets400AndCloseWhileOthersAreServed(_ request: String) throws {
        let server = try ServerProcess(["--backend", "poll", "--protocol", "http"])
        let bad = try TestClient(port: server.port)
        try bad.send(request)
        let reply = String(decoding: try bad.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request"), "\(reply)")
        let good = try TestClient(port: server.port)
        try good.send(Self.get)
        #expect(try good.receiveHTTPResponse().hasPrefix("HTTP/1.1 200 OK"))
        #expect(try server.counters()["bad_requests"] == 1)
        _ = try server.stop()
    }

    /// 100 KB of header in one write: the server refuses it after 8 KiB while most of it is still
    /// unread. Closing then would send an RST that can destroy the 400 before the client reads
    /// it; the server shuts down its side and drains instead, so the client gets 400 then EOF.
    @Test(arguments: runnable(Backend.allCases))
    func hundredKilobyteHeaderInOneGoGets400NotAReset(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
        for _ in 0..<3 {
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n")
            let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request"), "got '\(reply)'")
        }
        let good = try TestClient(port: server.port)
        try good.send(Self.get)
        #expect(try good.receiveHTTPResponse().hasPrefix("HTTP/1.1 200 OK"))
        #expect(try server.counters()["bad_requests"] == 3)
        #expect(try server.stop().status == 0)
    }

    /// Garbage trickled a few bytes at a time, the client still sending after the verdict: 400,
    /// then EOF, and the client's late writes are not refused with a reset.
    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\nMore: x\r\n\r\n",
        "\u{1}\u{2}\u{3}\u{0}GET / HTTP/1.1\r\n\r\n",
    ])
    func trickledGarbageGets400AndClose(_ request: String) throws {
        let server = try ServerProcess(["--backend", "epoll-et", "--protocol", "http"])
        let client = try TestClient(port: server.port)
        let bytes = Array(request.utf8)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            try client.send(Array(bytes[start..<min(start + 3, bytes.count)]))
            usleep(10_000)
        }
        let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request") && reply.hasSuffix("Bad Request\n"), "got '\(reply)'")
        let good = try TestClient(port: server.port)
        try good.send(Self.get)
        #expect(try good.receiveHTTPResponse().hasPrefix("HTTP/1.1 200 OK"))
        #expect(try server.stop().status == 0)
    }

    @Test func oversizedHeadersGet400() throws {
        let server = try ServerProcess(["--backend", "epoll-lt", "--protocol", "http"])
        let client = try TestClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 9000) + "\r\n\r\n")
        let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request"))
        _ = try server.stop()
    }
}
