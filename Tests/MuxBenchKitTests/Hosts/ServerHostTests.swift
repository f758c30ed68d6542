// Server hosts without running anything: how `--server-host` and a sweep file's `server-host`
// are written, and every way they can be written wrong (flag, or file:line).
import MuxCLI
import Testing
@testable import MuxBenchKit

@Suite struct ServerHostParsingTests {
    static func host(_ arguments: [String]) throws(UsageError) -> ServerHost? {
        let parsed = try RunCommand.parser.parse(arguments)
        let (point, _, _) = try RunCommand.point(from: parsed)
        return try RunCommand.serverHost(from: parsed, point: point, loadHosts: try RunCommand.loadHostSetup(from: parsed))
    }

    static func problem(_ arguments: [String]) -> String? {
        do { _ = try host(arguments); return nil } catch { return error.description }
    }

    @Test func theRunOptionsParse() throws {
        let ns = try #require(try Self.host(["--backend", "poll", "--server-host", "ip netns exec  ns0 ", "--listen", "198.18.202.1"]))
        #expect(ns == ServerHost(launcher: ["ip", "netns", "exec", "ns0"], binary: nil, address: "198.18.202.1"))
        let ssh = try #require(try Self.host(["--backend", "poll", "--server-host", "ssh bench@h1 taskset -c 0",
                                              "--server-binary", "/opt/mux/mux-server", "--listen", "10.0.0.1"]))
        #expect(ssh.launcher == ["ssh", "bench@h1", "taskset", "-c", "0"] && ssh.binary == "/opt/mux/mux-server")
        // Without --listen, where the load hosts aim.
        let aimed = try #require(try Self.host(["--backend", "poll", "--server-host", "ssh h1", "--load-host", "ssh h2 @10.0.0.1"]))
        #expect(aimed.address == "10.0.0.1")
        #expect(try Self.host(["--backend", "poll"]) == nil)
    }

    @Test func badRunOptionsNameTheFlag() {
        let base = ["--backend", "poll", "--listen", "198.18.202.1"]
        #expect(Self.problem(base + ["--server-host", ""])?.hasPrefix("mux-bench run: --server-host: empty launcher") == true)
        #expect(Self.problem(base + ["--server-host", "  "])?.hasPrefix("mux-bench run: --server-host: empty launcher") == true)
        #expect(Self.problem(base + ["--server-host", "local"])?.hasPrefix("mux-bench run: --server-host: 'local'") == true)
        #expect(Self.problem(base + ["--server-host", "ssh h1 @10.0.0.1"])?.contains("takes no '@ADDRESS'") == true)
        #expect(Self.problem(["--backend", "poll", "--server-host", "ssh h1"])?.hasPrefix("mux-bench run: --listen: a server host needs") == true)
        #expect(Self.problem(base + ["--server-host", "ssh h1", "--server-binary", "/a b"])?.hasPrefix("mux-bench run: --server-binary:") == true)
        #expect(Self.problem(["--backend", "poll", "--server-binary", "/opt/mux-server"]) == "mux-bench run: --server-binary: needs --server-host")
        #expect(Self.problem(["--server-command", "redis-server --port {port}", "--server-name", "redis",
                              "--server-host", "ssh h1", "--listen", "10.0.0.1"])?.hasPrefix("mux-bench run: --server-host: only mux-server") == true)
        #expect(Self.problem(base + ["--server-host", "ssh h1", "--verify-syscalls"])?.hasPrefix("mux-bench run: --verify-syscalls:") == true)
    }
}

@Suite struct ServerHostSweepFileTests {
    static let base = "backends = epoll-et\nconnections = 100\n"

    static func error(_ text: String) -> String? {
        do { _ = try SweepSpec.parse(base + text, path: "s.sweep"); return nil } catch { return error.description }
    }

    @Test func hostBinaryAndListenParse() throws {
        let spec = try SweepSpec.parse(Self.base + """
            server-host   = ip netns exec ns0
            server-binary = /opt/mux/mux-server
            server-listen = 198.18.202.1
            """, path: "s.sweep")
        #expect(spec.serverHost == ServerHost(launcher: ["ip", "netns", "exec", "ns0"], binary: "/opt/mux/mux-server", address: "198.18.202.1"))
        #expect(spec.loadHosts == nil)
        let both = try SweepSpec.parse(Self.base + "server-host = ssh h1\nload-hosts = ssh h2 @10.0.0.1\n", path: "s.sweep")
        #expect(both.serverHost?.address == "10.0.0.1" && both.loadHosts?.hosts.count == 1)
        #expect(try SweepSpec.parse(Self.base, path: "s.sweep").serverHost == nil)
    }

    @Test func badLinesAreNamedByFileAndLine() {
        #expect(Self.error("server-host =\n") == "s.sweep:3: empty list for 'server-host'")
        #expect(Self.error("server-host = ssh h1\n") == "s.sweep:3: 'server-host': a server host needs the address mux-server listens on there (--listen, or 'server-listen' in a sweep file)")
        #expect(Self.error("server-host = ssh h1\nserver-listen = nowhere\n") == "s.sweep:4: 'server-listen': listen address 'nowhere' is not an IPv4 address")
        #expect(Self.error("server-binary = /x/mux-server\n") == "s.sweep:3: 'server-binary' needs a 'server-host' line")
        #expect(Self.error("server-listen = 10.0.0.1\n") == "s.sweep:3: 'server-listen' needs a 'load-hosts' or 'server-host' line")
        #expect(Self.error("server.redis = redis-server --port {port}\nserver-host = ssh h1\nserver-listen = 10.0.0.1\n")
            == "s.sweep:4: 'server-host': only mux-server can run there (it takes its snapshots on stdin), not 'server.redis' (line 3)")
    }
}
