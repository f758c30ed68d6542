import MuxCLI
import MuxCore
import MuxServerKit
import MuxTestSupport
import Testing

@Suite struct ServerCommandTests {
    /// The backend list in help, usage and parsing is `Backend`'s, not a copy.
    @Test func helpAndParsingNameEveryBackend() throws {
        let help = ServerCommand.parser.help()
        for backend in Backend.allCases {
            #expect(help.contains(backend.rawValue), "mux-server --help does not name \(backend.rawValue)")
            #expect(try ServerCommand.configuration(from: ["--backend", backend.rawValue])?.backend == backend)
        }
    }

    @Test func parsesEveryOption() throws {
        let c = try #require(try ServerCommand.configuration(from: [
            "--backend", "epoll-et", "--host=127.0.0.2", "-p", "8080", "--protocol", "http", "--max-events", "64",
            "--write-mode", "on-writable", "--max-connections", "10", "--idle-timeout", "2s",
        ]))
        #expect(c.backend == .epollET && c.host == "127.0.0.2" && c.port == 8080)
        #expect(c.wireProtocol == .http && c.maxEvents == 64 && c.writeMode == .onWritable)
        #expect(c.maxConnections == 10 && c.idleTimeoutSeconds == 2)
    }

    @Test(arguments: [
        (["--backend", "kqueue"], "--backend"),
        (["--port", "70000"], "--port"),
        (["--port"], "--port"),
        (["--protocol", "gopher"], "--protocol"),
        (["--frobnicate"], "--frobnicate"),
        (["--idle-timeout", "soon"], "--idle-timeout"),
        (["--host", "example"], "--host"),
        (["--control", "pigeon"], "--control"),
        (["--backend", "io-uring", "--write-mode", "on-writable"], "--write-mode: io-uring is a completion backend"),
        (["--max-events", "1e9"], "--max-events: expected events per wait from 1 to 1,000,000"),
    ])
    func badArgumentsExit2WithOneLine(_ arguments: [String], _ named: String) throws {
        let result = try runToCompletion("mux-server", arguments, timeout: 10)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("mux-server: ") == true)
        #expect(lines.first?.contains(named) == true)
    }

    /// io-uring's loop never waits for writability: on-writable would be silently ignored while
    /// the collector's row said on-writable, so the pair is refused whichever flag comes first.
    @Test func onWritableIsRefusedForACompletionBackend() throws {
        for arguments in [["--backend", "io-uring", "--write-mode", "on-writable"], ["--write-mode", "on-writable", "-b", "io-uring"]] {
            #expect(throws: UsageError(program: "mux-server", message: "--write-mode: \(Backend.ioUring.onWritableRefusal!)")) {
                try ServerCommand.configuration(from: arguments)
            }
        }
        for backend in Backend.allCases where backend.traits.model == .readiness {
            #expect(try ServerCommand.configuration(from: ["-b", backend.rawValue, "--write-mode", "on-writable"])?.writeMode == .onWritable)
        }
    }

    @Test func helpExitsZero() throws {
        let result = try runToCompletion("mux-server", ["--help"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.stdout.contains("--backend"))
    }

    @Test func portInUseIsAClearErrorNamingHostAndPort() throws {
        let first = try ServerProcess(["--backend", "poll"])
        let result = try runToCompletion("mux-server", ["--backend", "poll", "--port", "\(first.port)"], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:\(first.port)"))
        #expect(result.stderr.contains("EADDRINUSE"))
        _ = try first.stop()
    }
}
