// `mux-server --control stdin`, as a collector uses it for a server behind a launcher (ssh, ip
// netns exec): each `snapshot` line gives one counters line, with the server's own CPU time;
// other lines get one line on stderr and change nothing; end of file ends the server cleanly.
import MuxCore
import MuxTestSupport
import Testing

@Suite(.machineExclusive) struct StdinControlTests {
    @Test(arguments: runnable([Backend.poll, .epollET, .ioUring]))
    func snapshotLinesGiveCountersAndEndOfFileEndsTheServer(_ backend: Backend) throws {
        let server = try ServerProcess(["--backend", backend.rawValue, "--control", "stdin"], input: true)
        let client = try TestClient(port: server.port)
        let message = Array("stdin control".utf8)
        for _ in 0..<100 {
            try client.send(message)
            #expect(try client.receive(exactly: message.count) == message)
        }
        #expect(server.child.writeInput("snapshot\n"))
        let first = try #require(server.child.readJSON(type: "counters"), "a counters line for 'snapshot'")
        #expect(first["seq"] as? Int == 1)
        #expect(first["bytes_in"] as? Int == 100 * message.count, "\(first)")
        let cpu = (first["cpu_user_us"] as? Int ?? -1) + (first["cpu_sys_us"] as? Int ?? -1)
        #expect(cpu > 0, "the line carries the server's own CPU time: \(first)")

        // Two commands in one write: each is owed its own line (signals do not queue).
        #expect(server.child.writeInput("snapshot\nsnapshot\n"))
        let second = try #require(server.child.readJSON(type: "counters"))
        let third = try #require(server.child.readJSON(type: "counters"), "the second of two snapshots in one write")
        #expect(second["seq"] as? Int == 2 && third["seq"] as? Int == 3)

        // Anything else: one line on stderr, and the server goes on.
        #expect(server.child.writeInput("  \nshutdown now\n"))
        #expect(server.child.waitForStandardError(containing: "unknown command 'shutdown now'"))
        try client.send(message)
        #expect(try client.receive(exactly: message.count) == message)

        // End of file: the final counters line, exit 0.
        server.child.closeInput()
        let final = try #require(server.child.readJSON(type: "final"), "the final line at stdin's end")
        #expect(final["seq"] as? Int == 4 && final["bytes_in"] as? Int == 101 * message.count, "\(final)")
        #expect(server.child.wait(timeout: 10) == 0)
        let complaints = server.child.standardError().split(separator: "\n").filter { $0.contains("--control stdin") }
        #expect(complaints.count == 1, "one line per unknown command, none for a blank line: \(complaints)")
    }
}
