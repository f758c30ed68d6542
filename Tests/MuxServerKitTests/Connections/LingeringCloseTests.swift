// The lingering close, written once (LingeringCloses.begin, nextExpired; dropLingeringInput) and
// used by both loops: after a reply that ends the connection the server shuts down its side and
// drops what the peer still sends. Each way a linger ends is seen here on every backend: the
// peer's EOF is ServerHTTPTests' 100 KB header; these are the deadline and the byte limit.
import MuxCore
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.machineExclusive) struct LingeringCloseTests {
    /// A request the server answers with 400 and a close.
    static let bad = "GARBAGE\r\n\r\n"

    /// The peer reads the 400 and our EOF but never closes nor sends: only the linger's deadline
    /// can close the connection, and it does (counted closed, the peer sees no more bytes).
    @Test(arguments: runnable(Backend.allCases))
    func aPeerThatNeverClosesIsClosedAtTheDeadline(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
        let client = try TestClient(port: server.port)
        try client.send(Self.bad)
        let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request"), "\(reply)")
        let counters = try server.counters(until: { $0["closed"] == 1 }, timeout: 15)
        #expect(counters["closed"] == 1 && counters["open"] == 0, "\(counters)")
        #expect(try server.stop().status == 0)
    }

    /// The peer keeps sending after the 400: the server drops at most `byteLimit` (1 MiB) and then
    /// closes, whatever the deadline. Sent: 8 MiB, as fast as the server reads; had it drained
    /// until the deadline instead, it would have read them all.
    @Test(arguments: runnable(Backend.allCases))
    func aPeerThatKeepsSendingIsClosedAfterTheByteLimit(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
        let client = try TestClient(port: server.port)
        try client.send(Self.bad)
        let reply = String(decoding: try client.receiveUntilClose(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request"), "\(reply)")
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        var sent = 0
        while sent < 8 << 20 {
            do { try client.send(chunk) } catch { break }   // the server closed: RST
            sent += chunk.count
        }
        let counters = try server.counters(until: { $0["closed"] == 1 }, timeout: 15)
        #expect(counters["closed"] == 1, "\(counters)")
        let bytesIn = try #require(counters["bytes_in"])
        #expect(bytesIn < 2 << 20, "closed at the limit, not after \(sent) bytes at the deadline: \(counters)")
        #expect(try server.stop().status == 0)
    }
}
