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

    /// An open-loop host's line with exponential arrivals, its pacing, busy share and the
    /// Kolmogorov–Smirnov fits of real gap samples (in units of the mean gap, as GapSample keeps them).
    static func exponentialHost(pacing: String, seed: UInt64, busyShare: Double, gaps: [Double], schedule: [Double]) throws -> ResultMessage {
        var message = result(latencies: [20_000, 30_000], requests: 2, throughput: 2, cpu: 1_000, open: true)
        message.pacing = pacing
        message.arrivals = "exponential"
        message.seed = seed
        message.busyShare = busyShare
        let gapFit = try #require(KolmogorovSmirnov.exponentialFit(gaps))
        message.gapKS = gapFit.statistic; message.gapKSCritical = gapFit.critical; message.gapSampleCount = gapFit.count
        let scheduleFit = try #require(KolmogorovSmirnov.exponentialFit(schedule))
        message.scheduleKS = scheduleFit.statistic; message.scheduleKSCritical = scheduleFit.critical
        return message
    }

    /// `count` draws of Exp(1); a share `stalled` of them 0 (sends fired back to back, catching up).
    static func gaps(_ count: Int, seed: UInt64, stalled: Double = 0) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            Double(index) < Double(count) * stalled ? 0 : -log(1 - generator.nextUnit())
        }
    }

    /// One host kept up (few gaps, a large D within its wide critical value), the other did not
    /// (many gaps, 3% of them back to back: a smaller D over its narrow critical value).
    /// The merged line must say the client fell behind, whichever host reported first.
    @Test func whatJudgesTheClientIsMergedSoThatTheHostThatFellBehindShows() throws {
        let kept = try Self.exponentialHost(pacing: "spin", seed: 11, busyShare: 0.35,
                                            gaps: Self.gaps(40, seed: 1), schedule: Self.gaps(40, seed: 2))
        let behind = try Self.exponentialHost(pacing: "sleep", seed: 12, busyShare: 0.97,
                                              gaps: Self.gaps(20_000, seed: 3, stalled: 0.03), schedule: Self.gaps(20_000, seed: 4))
        // What makes the case: the host that kept up has the larger D, and only the other fails.
        let keptD = try #require(kept.gapKS), behindD = try #require(behind.gapKS)
        #expect(keptD > behindD)
        #expect(keptD <= kept.gapKSCritical! && behindD > behind.gapKSCritical!)
        for order in [[kept, behind], [behind, kept]] {
            let lines = order.map { ResultMessage.decode(line: $0.jsonLine())! }
            let merged = try LoadResultMerge.merge(lines).message
            // The client was the limit if any host was: the largest busy share.
            #expect(merged.busyShare == 0.97)
            // The fit fails if any host's gaps did not fit: that host's D with its own critical value and count.
            #expect(merged.gapKS == behind.gapKS && merged.gapKSCritical == behind.gapKSCritical)
            #expect(merged.gapSampleCount == 20_000)
            var row: [String: String] = ["rate_target_rps": "10000", "gap_ks_d": "\(merged.gapKS!)",
                                         "gap_ks_critical": "\(merged.gapKSCritical!)"]
            OpenLoopChecks.record(into: &row)
            #expect(row["gap_check"] == "fail")
            // The schedule's own test: the worse fit of the two, with its own critical value.
            let worse = [kept, behind].max { $0.scheduleKS! - $0.scheduleKSCritical! < $1.scheduleKS! - $1.scheduleKSCritical! }!
            #expect(merged.scheduleKS == worse.scheduleKS && merged.scheduleKSCritical == worse.scheduleKSCritical)
            // Hosts that waited differently say so; the seed is the first host's (the point's).
            #expect(merged.pacing == order.map { $0.pacing! }.joined(separator: "/"))
            #expect(merged.arrivals == "exponential" && merged.seed == order[0].seed)
        }
        let same = try LoadResultMerge.merge([kept, kept]).message
        #expect(same.pacing == "spin" && same.busyShare == 0.35 && same.gapKS == kept.gapKS)
    }

    @Test func aResultWithoutHistogramsIsRefused() {
        var bare = Self.result(latencies: [1_000], requests: 1, throughput: 1, cpu: 1)
        bare.histograms = nil
        #expect(throws: LoadHostError("result 2 has no histograms (its mux-load ran without --histograms, or is older)")) {
            try LoadResultMerge.merge([Self.result(latencies: [1], requests: 1, throughput: 1, cpu: 1), bare])
        }
    }
}

/// The load side judged per machine (LoadHostGroup.busiestLoadMachineShare): a spinning host's
/// threads run all the time, so its CPU time says nothing; its busy share (or a median send a
/// whole gap late) says whether it kept up, as it does for one local spinning mux-load.
@Suite struct LoadMachineShareTests {
    /// A host alone on its kernel: one thread on one CPU, `cpu` seconds over a 1 s window.
    static func host(_ number: Int, pacing: String, cpu: Double, busy: Double? = nil, lateP50: Double = 5) -> (number: Int, result: ResultMessage, connections: Int) {
        var line = LoadResultMergeTests.result(latencies: [20_000], requests: 1, throughput: 1, cpu: 0, open: true)
        line.cpuUserMicroseconds = UInt64(cpu * 1e6); line.cpuSystemMicroseconds = 0
        line.threads = 1; line.active = 10; line.rateTarget = 1_000  // a mean gap of 1,000 µs
        line.pacing = pacing; line.busyShare = busy
        line.sendLateness = ResultMessage.Latency(mean: nil, stddev: nil, p50: lateP50, p90: nil, p99: nil, p999: nil, p9999: nil, max: nil)
        line.bootID = "boot-\(number)"; line.cpus = [number]
        return (number, line, 50)
    }

    static func share(_ hosts: [(number: Int, result: ResultMessage, connections: Int)]) -> Double {
        LoadHostGroup.busiestLoadMachineShare(hosts, windowSeconds: 1)
    }

    @Test func spinningHostsThatKeptUpAreNotPegged() {
        let kept = Self.share([Self.host(1, pacing: "spin", cpu: 1, busy: 0.3), Self.host(2, pacing: "spin", cpu: 1, busy: 0.2)])
        #expect(abs(kept - 0.3) < 1e-9)
        #expect(kept < Saturation.peggedFraction)
    }

    @Test func oneSpinningHostThatFellBehindPegsTheClient() {
        let busy = Self.share([Self.host(1, pacing: "spin", cpu: 1, busy: 0.3), Self.host(2, pacing: "spin", cpu: 1, busy: 0.95)])
        #expect(busy >= Saturation.peggedFraction)
        // Not busy, but its median send a whole mean gap (1,000 µs) late: behind its schedule.
        let late = Self.share([Self.host(1, pacing: "spin", cpu: 1, busy: 0.3), Self.host(2, pacing: "spin", cpu: 1, busy: 0.3, lateP50: 1_500)])
        #expect(late >= Saturation.peggedFraction)
    }

    @Test func aSleepingHostIsJudgedByItsCPU() {
        #expect(abs(Self.share([Self.host(1, pacing: "sleep", cpu: 0.5, busy: 0.5)]) - 0.5) < 1e-9)
        #expect(Self.share([Self.host(1, pacing: "sleep", cpu: 0.95, busy: 0.2)]) >= Saturation.peggedFraction)
    }
}

/// The lateness check with several hosts: each host's send lateness against the mean gap of its
/// own threads (LoadHostGroup.latenessVerdict), not the row's: one host's threads, the whole rate.
@Suite struct LoadHostsLatenessTests {
    /// A host offered 1,000/s over one thread (a mean gap of 1,000 µs), late by `p50`/`p99` µs.
    static func host(p50: Double, p99: Double) -> ResultMessage {
        var line = LoadResultMergeTests.result(latencies: [20_000], requests: 1, throughput: 1_000, cpu: 0, open: true)
        line.threads = 1; line.active = 5; line.rateTarget = 1_000
        line.sendLateness = ResultMessage.Latency(mean: nil, stddev: nil, p50: p50, p90: nil, p99: p99, p999: nil, p9999: nil, max: nil)
        return line
    }

    /// The row as the collector first judges it: the point's threads (one host's), the whole rate.
    static func row(lateP50: Double, lateP99: Double) -> [String: String] {
        var row = ["rate_target_rps": "2000", "threads": "1", "active": "10", "throughput_rps": "2000",
                   "send_late_p50_us": "\(lateP50)", "send_late_p99_us": "\(lateP99)"]
        OpenLoopChecks.record(into: &row)
        return row
    }

    @Test func hostsThatKeptTheirOwnScheduleFailNoLatenessCheck() {
        // 80 µs at the median is within a tenth of each host's 1,000 µs gap, not of the row's 500.
        let row = Self.row(lateP50: 80, lateP99: 600)
        #expect(row["lateness_check"] == "fail", "the row alone judges against half the gap")
        #expect(LoadHostGroup.latenessVerdict(of: [Self.host(p50: 80, p99: 600), Self.host(p50: 80, p99: 600)], row: row) == .ok)
    }

    @Test func oneLateHostFailsTheCheck() {
        let row = Self.row(lateP50: 40, lateP99: 600)
        #expect(LoadHostGroup.latenessVerdict(of: [Self.host(p50: 20, p99: 600), Self.host(p50: 150, p99: 600)], row: row) == .fail)
        #expect(LoadHostGroup.latenessVerdict(of: [Self.host(p50: 20, p99: 600), Self.host(p50: 20, p99: 1_200)], row: row) == .fail)
    }
}
