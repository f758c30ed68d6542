// --max-connections, written once for both loops (ConnectionAdmission): against the real
// mux-server on every backend, the connections over the limit are accepted, closed at once and
// counted as rejected, the server says so once, and the admitted ones are served.
import Foundation
import MuxCore
import MuxTestSupport
import Testing

@Suite(.machineExclusive) struct ConnectionAdmissionTests {
    @Test(arguments: runnable(Backend.allCases))
    func connectionsOverTheLimitAreClosedAtOnceAndSaidOnce(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--max-connections", "2"])
        let admitted = try (0..<2).map { _ in try TestClient(port: server.port) }
        for (i, client) in admitted.enumerated() {
            try client.send("in \(i)")
            #expect(try client.receive(exactly: 4) == Array("in \(i)".utf8))
        }
        for _ in 0..<2 {
            let refused = try TestClient(port: server.port)
            #expect(try refused.receiveUntilClose().isEmpty, "closed at once, nothing sent")
        }
        let counters = try server.counters(until: { $0["rejected"] == 2 })
        #expect(counters["accepted"] == 4 && counters["rejected"] == 2 && counters["open"] == 2, "\(counters)")
        try admitted[0].send("still")
        #expect(try admitted[0].receive(exactly: 5) == Array("still".utf8))
        #expect(try server.stop().status == 0)
        let stderr = server.child.standardError()
        #expect(stderr.components(separatedBy: "--max-connections 2 reached").count == 2, "said once: \(stderr)")
    }
}
