// The io-uring backend's own pitfalls (issue 12 §3), provoked for real against mux-server:
// a provided-buffer ring that runs dry (ENOBUFS ends each multishot recv it starves) and a
// completion queue too small for the traffic (a full CQ ends multishot requests too). Every
// multishot request ended that way must be re-armed, or its connection goes deaf.
import Foundation
import MuxCore
import MuxTestSupport
import Testing

@Suite struct CompletionLoopTests {
    @Test(.runnable(.ioUring)) func starvedBufferRingAndTinyCQStillServeEveryConnection() throws {
        // 2 SQEs, 32 CQEs and 2 receive buffers of 8 KiB, for 64 connections sending at once.
        let server = try ServerProcess(["--backend", "io-uring", "--ring-entries", "2", "--ring-buffers", "2"])
        let clients = try (0..<64).map { _ in try TestClient(port: server.port, timeout: 5) }
        for round in 0..<5 {
            for (i, client) in clients.enumerated() { try client.send("round \(round) client \(i);") }
            for (i, client) in clients.enumerated() {
                let expected = Array("round \(round) client \(i);".utf8)
                #expect(try client.receive(exactly: expected.count) == expected, "round \(round), client \(i)")
            }
        }
        let counters = try server.counters()
        #expect(counters["open"] == 64 && counters["resets"] == 0, "\(counters)")
        #expect(try server.stop().status == 0)
    }

    @Test func refusesABufferCountThatIsNoPowerOfTwo() throws {
        let result = try runToCompletion("mux-server", ["--backend", "io-uring", "--ring-buffers", "3"], timeout: 10)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--ring-buffers"))
    }
}
