// `server.NAME = COMMAND` lines: a server MuxBench did not write becomes a backend name of the
// sweep, its command kept as written; every mistake is one line naming file:line, found before
// anything runs. `mux-bench run --server-command` is checked the same way.
import Testing
@testable import MuxBenchKit

private func parse(_ text: String) throws(SweepError) -> SweepSpec { try SweepSpec.parse(text, path: "t.sweep") }

private func errorLine(_ text: String) -> String? {
    do { _ = try parse(text); return nil } catch { return error.description }
}

@Suite struct ExternalServerSpecTests {
    @Test func aServerLineMakesANameUsableAsABackendWithItsCommandKeptAsWritten() throws {
        let spec = try parse("""
            server.nginx = nginx -p {dir} -c {dir}/nginx.conf -g 'daemon off;'
            backends     = epoll-lt epoll-et nginx
            connections  = 100 1000
            connections.nginx = 100
            protocol     = http
            """)
        #expect(spec.backends == ["epoll-lt", "epoll-et", "nginx"])
        let nginx = spec.points().filter { $0.backend == "nginx" }
        #expect(nginx.count == 1 && nginx[0].connections == 100, "the per-backend override applies to it")
        #expect(nginx[0].server?.command == "nginx -p {dir} -c {dir}/nginx.conf -g 'daemon off;'")
        #expect(nginx[0].server?.origin == "t.sweep:1")
        #expect(nginx[0].server?.startTimeout == ExternalServer.defaultStartTimeout)
        #expect(nginx[0].id == "nginx-c100-a100-b64-http-immediate-p1-closed-t1")
        #expect(spec.points().filter { $0.backend != "nginx" }.allSatisfy { $0.server == nil })
        #expect(skipReason(for: nginx[0]) == nil)
    }

    @Test func placeholdersAreFilledForOneRun() {
        let server = ExternalServer(name: "redis", command: "redis-server --port {port} --dir {dir} # {user}", origin: "x")
        #expect(server.commandLine(port: 6380, directory: "/tmp/d", user: "root") == "redis-server --port 6380 --dir /tmp/d # root")
    }

    @Test func serverTimeoutAppliesToEveryServer() throws {
        let spec = try parse("server.redis = redis-server --port {port}\nserver-timeout = 2s\nbackends = redis\nconnections = 10\n")
        #expect(spec.servers["redis"]?.startTimeout == 2)
    }

    @Test func anUnknownBackendNamesTheLineAndHowToDefineOne() {
        let message = errorLine("backends = epoll-lt nginx\nconnections = 10\n")
        #expect(message?.hasPrefix("t.sweep:1: bad value 'nginx' for 'backends'") == true, "\(message ?? "")")
        #expect(message?.contains("server.NAME = COMMAND") == true)
        #expect(errorLine("backends = epoll-lt\nconnections = 10\nconnections.nginx = 5\n")?
            .hasPrefix("t.sweep:3: unknown backend 'nginx'") == true)
    }

    @Test func aCommandWithoutPortIsRefusedWithItsLine() {
        let message = errorLine("backends = epoll-lt\nconnections = 10\nserver.redis = redis-server --port 6379\n")
        #expect(message?.hasPrefix("t.sweep:3: 'server.redis': the server command has no {port}") == true, "\(message ?? "")")
    }

    @Test func nginxsPortMayComeFromItsShippedConfigInstead() throws {
        // Benchmarks/servers/nginx/nginx.conf has {port}; the command reads it from {dir}.
        #expect(ExternalServer.problem(withCommand: "nginx -p {dir} -c {dir}/nginx.conf", name: "nginx") == nil)
        #expect(ExternalServer.problem(withCommand: "nginx -c /etc/nginx/nginx.conf", name: "nginx")?.contains("no {port}") == true,
                "without {dir} the shipped config is not used")
        #expect(ExternalServer.problem(withCommand: "other -c {dir}/x.conf", name: "other")?.contains("no {port}") == true)
    }

    @Test func badNamesAndPlaceholdersAreRefusedWithTheirLine() {
        #expect(errorLine("server.poll = x {port}\nbackends = poll\nconnections = 10\n")?
            .hasPrefix("t.sweep:1: server name 'poll' is one of MuxBench's own backends") == true)
        #expect(errorLine("server.Nginx = x {port}\nbackends = epoll-lt\nconnections = 10\n")?.hasPrefix("t.sweep:1: server name 'Nginx'") == true)
        #expect(errorLine("server = x {port}\nbackends = epoll-lt\nconnections = 10\n")?.hasPrefix("t.sweep:1: 'server' needs a name") == true)
        #expect(errorLine("server.x = x {port} {host}\nbackends = x\nconnections = 10\n")?
            .hasPrefix("t.sweep:1: 'server.x': unknown placeholder {host}") == true)
        #expect(errorLine("server.x = a {port}\nserver.x = b {port}\nbackends = x\nconnections = 10\n")?
            .hasPrefix("t.sweep:2: duplicate key 'server.x'") == true)
    }

    @Test func runTakesAServerCommandAndRefusesItsMistakesByFlag() throws {
        func point(_ arguments: [String]) throws -> SweepPoint {
            try RunCommand.point(from: RunCommand.parser.parse(arguments)).0
        }
        func message(_ arguments: [String]) -> String? {
            do { _ = try point(arguments); return nil } catch { return "\(error)" }
        }
        let redis = try point(["--server-command", "redis-server --port {port}", "--server-name", "redis", "--server-timeout", "3s"])
        #expect(redis.backend == "redis" && redis.server?.origin == "--server-command" && redis.server?.startTimeout == 3)
        #expect(message(["--server-command", "redis-server", "--server-name", "redis"])?.contains("--server-command: the server command has no {port}") == true)
        #expect(message(["--server-command", "x {port}"])?.contains("--server-name: required with --server-command") == true)
        #expect(message(["--server-command", "x {port}", "--server-name", "x", "--backend", "poll"])?.contains("--backend and --server-command") == true)
        #expect(message(["--backend", "poll", "--server-name", "x"])?.contains("--server-name: needs --server-command") == true)
        #expect(RunCommand.parser.help().contains("--server-command"))
    }
}
