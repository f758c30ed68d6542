import Foundation
import MuxCore
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real mux-server process, over real loopback sockets, for every backend.
@Suite(.machineExclusive) struct ServerEchoTests {
    @Test(arguments: runnable(Backend.allCases))
    func echoesOneByte(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue])
        let client = try TestClient(port: server.port)
        try client.send([0x5A])
        #expect(try client.receive(exactly: 1) == [0x5A])
        client.close()
        let (status, final) = try server.stop()
        #expect(status == 0)
        #expect(final["accepted"] == 1)
    }

    @Test(arguments: runnable(Backend.allCases))
    func echoesOneMebibyteThroughASlowReader(_ backend: Backend) throws {
        // A small output limit forces queued output, paused reading and partial writes.
        let server = try ServerProcess(["--backend", backend.rawValue, "--output-limit", "16KiB", "--send-buffer", "4096"])
        let client = try TestClient(port: server.port, receiveBuffer: 4096)
        let size = 1 << 20
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let writer = Thread { try? client.send(payload) }
        writer.start()
        var received: [UInt8] = []
        received.reserveCapacity(size)
        while received.count < size {
            received += try client.receive(exactly: min(4096, size - received.count))
            if received.count % 65536 == 0 { usleep(2_000) }  // read slowly
        }
        #expect(received == payload)
        let counters = try server.counters()
        #expect(counters["bytes_out"] == size)
        if backend.traits.model == .completion {
            // Sends go through the ring (one SQE each, no write syscall): a reply sent in several
            // pieces, short sends continued, shows as more SQEs than requests. The byte-exact
            // comparison above proves the pieces were continued in order (one send in flight).
            #expect(counters["sqes"]! > counters["requests"]!, "a slow reader must cause short sends: \(counters)")
        } else {
            #expect(counters["write"]! > counters["requests"]!, "a slow reader must cause partial writes: \(counters)")
        }
        client.close()
        #expect(try server.stop().status == 0)
    }

    @Test(arguments: runnable(Backend.allCases))
    func thousandSimultaneousConnectionsEachEchoTheirOwnPayload(_ backend: Backend) throws {
        let count = backend == .select ? 900 : 1000
        let server = try ServerProcess(["--backend", backend.rawValue])
        var clients: [TestClient] = []
        for _ in 0..<count { clients.append(try TestClient(port: server.port)) }
        for (i, client) in clients.enumerated() { try client.send("payload-\(i)-" + String(repeating: "x", count: i % 37)) }
        for (i, client) in clients.enumerated() {
            let expected = Array(("payload-\(i)-" + String(repeating: "x", count: i % 37)).utf8)
            #expect(try client.receive(exactly: expected.count) == expected)
        }
        let counters = try server.counters()
        #expect(counters["open"] == count)
        #expect(counters["rejected"] == 0)
        clients.removeAll()
        #expect(try server.stop().status == 0)
    }

    @Test(arguments: runnable(Backend.allCases))
    func peerResetMidStreamLeavesOthersServed(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue])
        let victim = try TestClient(port: server.port)
        let bystander = try TestClient(port: server.port)
        // The victim floods without reading, then resets: the server's writes meet ECONNRESET/EPIPE.
        try victim.send([UInt8](repeating: 1, count: 256 * 1024))
        victim.reset()
        for round in 0..<20 {
            try bystander.send("round \(round)")
            #expect(try bystander.receive(exactly: "round \(round)".utf8.count) == Array("round \(round)".utf8))
        }
        let later = try TestClient(port: server.port)
        try later.send("still here")
        #expect(try later.receive(exactly: 10) == Array("still here".utf8))
        let counters = try server.counters(until: { $0["closed"] == 1 })
        #expect(counters["closed"] == 1, "the reset connection is closed: \(counters)")
        #expect(try server.stop().status == 0)
    }

    @Test func selectRejectsDescriptorsBeyondItsLimitAndServesTheRest() throws {
        // 1,100 clients: the server's descriptors pass 1023 and those connections are refused.
        let server = try ServerProcess(["--backend", "select"])
        var clients: [TestClient] = []
        for _ in 0..<1100 { clients.append(try TestClient(port: server.port)) }
        let counters = try server.counters(until: { ($0["open"] ?? 0) + ($0["rejected"] ?? 0) == 1100 })
        #expect((counters["rejected"] ?? 0) > 0)
        #expect((counters["open"] ?? 0) + (counters["rejected"] ?? 0) == 1100)
        // The first clients are still served.
        try clients[0].send("ok")
        #expect(try clients[0].receive(exactly: 2) == Array("ok".utf8))
        clients.removeAll()
        let stopped = try server.stop()
        #expect(stopped.status == 0)
        let stderr = server.child.standardError()
        #expect(stderr.components(separatedBy: "FD_SETSIZE").count == 2, "says why, once: \(stderr)")
    }
}
