// Load hosts without running anything: how a host is written (and every way it can be written
// wrong, with file:line in a sweep file), how a point is split over hosts, and how their result
// lines merge: counts added, distributions merged bucket by bucket.
import Foundation
import MuxCLI
import MuxMessages
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit

@Suite struct LoadHostParsingTests {
    static func host(_ text: String) -> LoadHost? { try? LoadHost.parse(text).get() }
    static func problem(_ text: String) -> String? {
        if case let .failure(error) = LoadHost.parse(text) { return error.message }
        return nil
    }

    @Test func theDocumentedFormsParse() {
        #expect(Self.host("local") == LoadHost(launcher: [], target: nil))
        #expect(Self.host("local @127.0.0.2") == LoadHost(launcher: [], target: "127.0.0.2"))
        #expect(Self.host("ip netns exec ns1 @198.18.0.1") == LoadHost(launcher: ["ip", "netns", "exec", "ns1"], target: "198.18.0.1"))
        // The last '@' starts the address, so ssh's user@host stays in the launcher.
        #expect(Self.host("ssh user@h2 @10.0.0.1") == LoadHost(launcher: ["ssh", "user@h2"], target: "10.0.0.1"))
        #expect(Self.host("ssh user@h2@10.0.0.1") == LoadHost(launcher: ["ssh", "user@h2"], target: "10.0.0.1"))
        #expect(Self.host("  kubectl   exec -i pod --   @10.0.0.1 ") == LoadHost(launcher: ["kubectl", "exec", "-i", "pod", "--"], target: "10.0.0.1"))
        #expect(Self.host("ip netns exec ns1 @198.18.0.1")?.description == "ip netns exec ns1 @198.18.0.1")
    }

    @Test func badHostsSayWhatIsWrong() {
        #expect(Self.problem("ssh user@h2")?.contains("'h2' is not an IPv4 address") == true)
        #expect(Self.problem("ip netns exec ns1")?.contains("expected LAUNCHER @ADDRESS") == true)
        #expect(Self.problem("ssh h2")?.hasPrefix("'ssh h2': expected LAUNCHER @ADDRESS") == true)
        #expect(Self.problem("@198.18.0.1")?.contains("no launcher before '@'") == true)
        #expect(Self.problem("ssh h2 @10.0.0.300")?.contains("'10.0.0.300' is not an IPv4 address") == true)
        #expect(Self.problem("") != nil)
        if case let .failure(error) = LoadHost.parseList("local; ; local") {
            #expect(error.message == "host 2 is empty (hosts are separated by ';')")
        } else {
            Issue.record("an empty host in a list was accepted")
        }
        #expect((try? LoadHost.parseList("local; ip netns exec a @198.18.0.1").get())?.count == 2)
    }

    @Test func aSetupNeedsOneAddressToListenOn() throws {
        let a = LoadHost(launcher: ["ip", "netns", "exec", "a"], target: "198.18.0.1")
        let b = LoadHost(launcher: ["ip", "netns", "exec", "b"], target: "198.18.2.1")
        #expect(try LoadHostSetup.checked(hosts: [a, LoadHost(launcher: [], target: nil)], binary: nil, listen: nil).get().serverAddress == "198.18.0.1")
        #expect(try LoadHostSetup.checked(hosts: [LoadHost(launcher: [], target: nil)], binary: nil, listen: nil).get().serverAddress == "127.0.0.1")
        guard case let .failure(error) = LoadHostSetup.checked(hosts: [a, b], binary: nil, listen: nil) else {
            Issue.record("hosts aiming at two addresses were accepted without a listen address")
            return
        }
        #expect(error.message.contains("198.18.0.1, 198.18.2.1") && error.message.contains("--listen"))
        #expect(try LoadHostSetup.checked(hosts: [a, b], binary: nil, listen: "0.0.0.0").get().serverAddress == "0.0.0.0")
        #expect(throws: LoadHostError.self) { try LoadHostSetup.checked(hosts: [a], binary: "/opt/mux load", listen: nil).get() }
        #expect(throws: LoadHostError.self) { try LoadHostSetup.checked(hosts: [a], binary: nil, listen: "here").get() }
    }

    @Test func runOptionsAreRepeatableAndChecked() throws {
        let parsed = try RunCommand.parser.parse(["--backend", "poll", "--load-host", "ip netns exec a @198.18.0.1",
                                                  "--load-host=local", "--load-binary", "/opt/mux/mux-load"])
        let setup = try #require(try RunCommand.loadHostSetup(from: parsed))
        #expect(setup.hosts.map(\.description) == ["ip netns exec a @198.18.0.1", "local"])
        #expect(setup.binary == "/opt/mux/mux-load" && setup.serverAddress == "198.18.0.1")
        #expect(try RunCommand.loadHostSetup(from: RunCommand.parser.parse(["--backend", "poll"])) == nil)
        #expect(throws: UsageError(program: "mux-bench run", message: "--listen: needs --load-host or --server-host")) {
            try RunCommand.loadHostSetup(from: RunCommand.parser.parse(["--listen", "198.18.0.1"]))
        }
        do {
            _ = try RunCommand.loadHostSetup(from: RunCommand.parser.parse(["--load-host", "ssh me@h2"]))
            Issue.record("a host without an address was accepted")
        } catch {
            #expect(error.description.hasPrefix("mux-bench run: --load-host: 'ssh me@h2': 'h2' is not an IPv4 address"), "\(error)")
        }
    }
}

@Suite struct LoadHostSweepFileTests {
    static let base = "backends = epoll-et\nconnections = 100\n"

    static func error(_ text: String) -> String? {
        do { _ = try SweepSpec.parse(base + text, path: "h.sweep"); return nil } catch { return error.description }
    }

    @Test func hostsBinaryAndListenParse() throws {
        let spec = try SweepSpec.parse(Self.base + """
            load-hosts    = ip netns exec ns1 @198.18.0.1; ssh me@h2 @198.18.0.1 ; local
            load-binary   = /opt/mux/mux-load
            server-listen = 198.18.0.1
            """, path: "h.sweep")
        let setup = try #require(spec.loadHosts)
        #expect(setup.hosts.count == 3 && setup.hosts[1] == LoadHost(launcher: ["ssh", "me@h2"], target: "198.18.0.1"))
        #expect(setup.binary == "/opt/mux/mux-load" && setup.serverAddress == "198.18.0.1")
        #expect(try SweepSpec.parse(Self.base, path: "h.sweep").loadHosts == nil)
    }

    @Test func badLinesAreNamedByFileAndLine() {
        #expect(Self.error("load-hosts = local; ssh me@h2\n")
            == "h.sweep:3: bad value for 'load-hosts': host 2: 'ssh me@h2': 'h2' is not an IPv4 address (the server's address as that host reaches it); expected \(LoadHost.syntax) (hosts are separated by ';')")
        #expect(Self.error("load-binary = /x/mux-load\n") == "h.sweep:3: 'load-binary' needs a 'load-hosts' line")
        #expect(Self.error("load-hosts = local\nserver-listen = nowhere\n") == "h.sweep:4: listen address 'nowhere' is not an IPv4 address")
        #expect(Self.error("load-hosts = local\nload-binary = /a b\n") == "h.sweep:4: 'load-binary' takes one value, found 2")
        #expect(Self.error("load-hosts = local @198.18.0.1; local @198.18.2.1\n")?.hasPrefix("h.sweep:3: the load hosts aim at different addresses") == true)
        #expect(Self.error("load-hosts.poll = local\n") == "h.sweep:3: 'load-hosts' cannot be set per backend (in 'load-hosts.poll')")
    }
}

@Suite struct LoadShareTests {
    @Test func theFirstHostsTakeTheRemainder() throws {
        let shares = try LoadShare.split(connections: 10, active: 5, rate: nil, hosts: 3).get()
        #expect(shares.map(\.connections) == [4, 3, 3] && shares.map(\.active) == [2, 2, 1])
        #expect(shares.allSatisfy { $0.rate == nil })
        let even = try LoadShare.split(connections: 1000, active: 100, rate: 20_000, hosts: 2).get()
        #expect(even == [LoadShare(connections: 500, active: 50, rate: 10_000), LoadShare(connections: 500, active: 50, rate: 10_000)])
    }

    @Test func theRateFollowsTheActiveConnections() throws {
        let shares = try LoadShare.split(connections: 7, active: 7, rate: 7_000, hosts: 3).get()
        #expect(shares.map(\.active) == [3, 2, 2])
        #expect(shares.map { $0.rate ?? -1 } == [3_000, 2_000, 2_000])
        #expect(shares.reduce(0) { $0 + ($1.rate ?? 0) } == 7_000)
    }

    @Test func tooFewConnectionsAreRefused() {
        #expect(throws: LoadHostError("1 connection(s) cannot be split over 2 load hosts")) {
            try LoadShare.split(connections: 1, active: 1, rate: nil, hosts: 2).get()
        }
        #expect(throws: LoadHostError("1 active connection(s) cannot be split over 2 load hosts (each needs one)")) {
            try LoadShare.split(connections: 10, active: 1, rate: nil, hosts: 2).get()
        }
        #expect((try? LoadShare.split(connections: 10, active: 0, rate: nil, hosts: 2).get())?.map(\.active) == [0, 0])
    }
}

@Suite struct LoadResultMergeTests {
    /// A result line as a host's mux-load writes it with --histograms, from known latencies (ns).
    static func result(latencies: [UInt64], requests: UInt64, throughput: Double, cpu: UInt64, open: Bool = false) -> ResultMessage {
        var histogram = LatencyHistogram()
        for value in latencies { histogram.record(value) }
        var message = ResultMessage(
            wireProtocol: "echo", connections: 50, active: 10, threads: 1, pipeline: 1, payloadBytes: 64,
            warmupSeconds: 0.2, durationSeconds: 1, requests: requests, totalRequests: requests + 100, sent: requests + 101,
            errors: 1, throughput: throughput, rateTarget: open ? 5_000 : nil, errorsByKind: ["timeout": 1],
            latency: ResultMessage.Latency(histogram: histogram), cpuUserMicroseconds: cpu, cpuSystemMicroseconds: cpu / 2)
        message.histograms = ResultMessage.Histograms(latency: histogram.buckets,
                                                      latencySent: open ? histogram.buckets : nil,
                                                      sendLateness: open ? histogram.buckets : nil)
        return message
    }

    @Test func countsAddAndPercentilesAreThoseOfAllSamples() throws {
        var generator = SplitMix64(seed: 42)
        let parts = (0..<3).map { _ in (0..<5_000).map { _ in 10_000 + generator.next() % 5_000_000 } }
        let results = parts.enumerated().map { index, latencies in
            Self.result(latencies: latencies, requests: UInt64(latencies.count), throughput: 5_000 + Double(index), cpu: 100_000)
        }
        // Through JSON, as the lines travel.
        let lines = results.map { ResultMessage.decode(line: $0.jsonLine())! }
        let merged = try LoadResultMerge.merge(lines)
        var all = LatencyHistogram()
        for value in parts.joined() { all.record(value) }
        #expect(merged.latency == all)
        #expect(merged.message.latency == ResultMessage.Latency(histogram: all))
        #expect(merged.message.requests == 15_000 && merged.message.totalRequests == 15_300 && merged.message.sent == 15_303)
        #expect(merged.message.connections == 150 && merged.message.active == 30 && merged.message.threads == 3)
        #expect(merged.message.throughput == 15_003 && merged.message.errors == 3 && merged.message.errorsByKind == ["timeout": 3])
        #expect(merged.message.cpuUserMicroseconds == 300_000 && merged.message.cpuSystemMicroseconds == 150_000)
        #expect(merged.message.rateTarget == nil && merged.message.latencySent == nil)
        #expect(try LatencyHistogram(buckets: merged.message.histograms!.latency) == all)
    }

    @Test func openLoopViewsMergeWhenEveryHostHasThem() throws {
        let open = [Self.result(latencies: [1_000, 2_000], requests: 2, throughput: 2, cpu: 1, open: true),
                    Self.result(latencies: [3_000], requests: 1, throughput: 1, cpu: 1, open: true)]
        let merged = try LoadResultMerge.merge(open)
        #expect(merged.message.rateTarget == 10_000)
        #expect(merged.message.sendLateness?.count == 3 && merged.message.latencySent?.max == 3)
        let mixed = try LoadResultMerge.merge([open[0], Self.result(latencies: [3_000], requests: 1, throughput: 1, cpu: 1)])
        #expect(mixed.message.sendLateness == nil)
    }

    @Test func aResultWithoutHistogramsIsRefused() {
        var bare = Self.result(latencies: [1_000], requests: 1, throughput: 1, cpu: 1)
        bare.histograms = nil
        #expect(throws: LoadHostError("result 2 has no histograms (its mux-load ran without --histograms, or is older)")) {
            try LoadResultMerge.merge([Self.result(latencies: [1], requests: 1, throughput: 1, cpu: 1), bare])
        }
    }
}
