// `mux-bench run --load-host ...` on real processes: two load hosts in network namespaces the
// test makes (joined to the server by veth pairs and a bridge, addresses from 198.18.0.0/15)
// give one row whose requests are the hosts' merged count, which the server's own count
// confirms, with percentiles recomputed from the hosts' own histograms; two local hosts need no
// root; a host that cannot start or hangs fails the point with its name, its siblings ended.
import Foundation
import MuxMessages
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

extension BenchProcessSuites {
    @Suite struct LoadHostsRunTests {
        static func number(_ row: [String: String]?, _ column: String) -> Double { Double(row?[column] ?? "") ?? -1 }

        /// The host lines of `NAME-hosts.csv` and the raw result lines of `NAME-hosts.jsonl`.
        static func records(besides out: String) throws -> (rows: [[String: String]], results: [LoadHostResultRecord]) {
            let csv = LoadHostRecords.csvPath(besides: out)
            let rows = try readCSV(csv).rows
            let results = try lines(of: LoadHostRecords.linesPath(forCSV: csv)).map {
                try JSONDecoder().decode(LoadHostResultRecord.self, from: Data($0.utf8))
            }
            return (rows, results)
        }

        /// What every multi-host row must show: one row, the hosts' counts adding up to it, the
        /// server's total equal to what the hosts sent, and the row's percentiles those of the
        /// histogram merged from the hosts' own lines.
        static func checkMerged(rows: [[String: String]]? = nil, out: String, hosts: Int, run: BenchRun) throws {
            let table = try rows ?? readCSV(out).rows
            #expect(table.count == 1, "\(run.diagnosis)")
            let row = try #require(table.first)
            let written = try records(besides: out)
            // This row's lines only (a sweep's file holds every point's).
            let lines = written.rows.filter { $0["point"] == row["point"] && $0["rep"] == row["rep"] }
            let results = written.results.filter { $0.point == row["point"] && "\($0.rep)" == row["rep"] }
            #expect(lines.count == hosts + 1 && results.count == hosts, "\(lines)")
            let all = try #require(lines.first { $0["host"] == "all" })
            let perHost = lines.filter { $0["host"] != "all" }
            func sum(_ column: String) -> Double { perHost.map { number($0, column) }.reduce(0, +) }
            // Merged counts: the row's requests are the hosts' added up.
            #expect(number(row, "requests") > 0 && number(row, "errors") == 0, "\(run.diagnosis)")
            #expect(number(row, "requests") == sum("requests"))
            #expect(number(row, "requests") == number(all, "requests"))
            #expect(number(row, "connections") == sum("connections"))
            // The server's own count (HTTP requests are counted by the server one by one): every
            // request the hosts sent, it answered, but for those still in flight when it was
            // asked (at most `active` × `pipeline`, on a machine slow to deliver them).
            let inFlight = max(number(row, "active"), 1) * max(number(row, "pipeline"), 1)
            let total = number(all, "server_requests_total"), sent = number(all, "sent")
            #expect(total <= sent && total >= sent - inFlight, "server answered \(total) of \(sent) sent: \(all)")
            #expect(sent == sum("sent"))
            // Over the window the server's count and the hosts' differ only by the requests that
            // cross the window's two edges: the server's snapshots and the hosts' clocks mark
            // them a moment apart (longer on a busy machine), so a tenth of the window at most.
            let window = number(all, "server_requests"), merged = number(row, "requests")
            #expect(abs(window - merged) <= max(merged * 0.10, 50), "server \(window) vs hosts \(merged) in the window")
            // Percentiles: those of one histogram holding every host's samples.
            var histogram = LatencyHistogram()
            for record in results {
                histogram.merge(try LatencyHistogram(buckets: try #require(record.result.histograms).latency))
            }
            let expected = ResultMessage.Latency(histogram: histogram)
            #expect(histogram.count == UInt64(number(all, "lat_count")))
            for (column, value) in [("lat_p50_us", expected.p50), ("lat_p90_us", expected.p90), ("lat_p99_us", expected.p99),
                                    ("lat_p999_us", expected.p999), ("lat_max_us", expected.max)] {
                #expect(row[column] == value.map(formatCompactNumber), "\(column)")
            }
        }

        /// Skipped where namespaces cannot be made (not root, no ip); as root they can, so a
        /// namespace that cannot be made fails the test.
        @Test(.enabled(if: TestNamespaces.unavailableReason == nil, TestNamespaces.skipComment))
        func twoNamespaceHostsGiveOneRowMatchingTheServer() throws {
            let namespaces = try TestNamespaces(count: 2)
            defer { namespaces.remove() }
            let dir = try makeTemporaryDirectory("netns")
            defer { removeDirectory(dir) }
            let out = "\(dir)/ns.csv"
            var arguments = ["run", "--backend", "epoll-et", "--protocol", "http", "--connections", "41", "--active", "9",
                             "--warmup", "200ms", "--duration", "1s", "--out", out]
            for name in namespaces.names { arguments += ["--load-host", "ip netns exec \(name) @\(namespaces.serverAddress)"] }
            let run = try runBench(arguments)
            #expect(run.status == 0, "\(run.diagnosis)")
            try Self.checkMerged(out: out, hosts: 2, run: run)
            let lines = try Self.records(besides: out).rows.filter { $0["host"] != "all" }
            // 41 connections and 9 active over two hosts: the first takes the remainder.
            #expect(lines.map { $0["connections"] ?? "" } == ["21", "20"] && lines.map { $0["active"] ?? "" } == ["5", "4"])
            #expect(lines.map { $0["launcher"] ?? "" } == namespaces.names.map { "ip netns exec \($0)" })
            // The server really listened on the bridge, not on loopback.
            #expect(lines.allSatisfy { $0["target"] == namespaces.serverAddress })
        }

        @Test func twoLocalHostsInOpenLoopMergeEveryView() throws {
            let dir = try makeTemporaryDirectory("local-hosts")
            defer { removeDirectory(dir) }
            let out = "\(dir)/l.csv"
            let run = try runBench(["run", "--backend", "poll", "--protocol", "http", "--connections", "20", "--active", "10",
                                    "--rate", "2000", "--warmup", "200ms", "--duration", "1s", "--out", out,
                                    "--load-host", "local", "--load-host", "local @127.0.0.1", "--hgrm", "\(dir)/l.hgrm"])
            #expect(run.status == 0, "\(run.diagnosis)")
            try Self.checkMerged(out: out, hosts: 2, run: run)
            let row = try #require(try readCSV(out).rows.first)
            let lines = try Self.records(besides: out).rows
            #expect(lines.filter { $0["host"] != "all" }.map { $0["rate_target_rps"] ?? "" } == ["1000", "1000"])
            // Hiccups are metered beside sleeping workers only.
            #expect(Self.number(row, "send_late_p99_us") >= 0, "\(row)")
            #expect(row["pacing"]?.contains("spin") == true || Self.number(row, "hiccup_p99_us") >= 0, "\(row)")
            // The merged distribution, written by the collector.
            #expect(FileManager.default.fileExists(atPath: "\(dir)/l.hgrm"))
        }

        /// Exponential arrivals from two hosts: each host draws its own schedule (one seed for
        /// both would send their requests at the same instants), both wait as `--pacing` asked,
        /// and a host that falls behind (stopped for a while inside the window, then catching up
        /// in a burst) shows in the row: its gaps' failed fit and the busiest host's share.
        @Test func hostsDrawTheirOwnSchedulesAndOneThatFellBehindShowsInTheRow() throws {
            let dir = try makeTemporaryDirectory("behind-host")
            defer { removeDirectory(dir) }
            let out = "\(dir)/e.csv"
            // A deep pipeline, so that what fell due goes out at once instead of waiting behind replies.
            let bench = try ChildProcess("mux-bench", ["run", "--backend", "epoll-et", "--connections", "20", "--pipeline", "256",
                                                       "--active", "10", "--rate", "2000", "--arrivals", "exponential",
                                                       "--pacing", "spin", "--warmup", "100ms", "--duration", "3s", "--out", out,
                                                       "--load-host", "local", "--load-host", "local @127.0.0.1"])
            let loads = { childProcesses(of: bench.pid).filter { $0.name == "mux-load" && $0.state != "Z" } }
            guard waitUntil(timeout: 20, { loads().count == 2 }) else {
                Issue.record("two mux-load children never appeared: \(bench.standardError())")
                return
            }
            let hosts = loads().sorted { $0.pid < $1.pid }
            defer { for host in hosts { endLeftover(host) } }
            guard let server = waitForChildProcess(of: bench.pid, named: "mux-server"),
                  trafficHasBegun(server: server, load: hosts[1], connections: 10) else {
                Issue.record("traffic never began: \(bench.standardError())")
                return
            }
            // Past the warm-up, host 2 sends nothing for 0.8 s, then sends what fell due back to back.
            usleep(500_000)
            kill(hosts[1].pid, SIGSTOP)
            usleep(800_000)
            kill(hosts[1].pid, SIGCONT)
            let status = bench.wait(timeout: 40)
            let stderr = bench.standardError()
            #expect(status == 0, "\(stderr)")
            let row = try #require(try readCSV(out).rows.first, "\(stderr)")
            let results = try Self.records(besides: out).results.sorted { $0.host < $1.host }.map(\.result)
            try #require(results.count == 2)
            // Two schedules, the first the point's own seed (the row's); both spun as asked (left to itself,
            // a host pinned to one CPU would sleep, keeping a CPU for a server beside it).
            #expect(results[0].seed != nil && results[1].seed != nil && results[0].seed != results[1].seed)
            #expect(row["arrival_seed"] == results[0].seed.map { "\($0)" })
            #expect(results.map(\.pacing) == ["spin", "spin"] && row["pacing"] == "spin")
            // Host 2's gaps did not fit its schedule (the stop, then the burst) ...
            let behind = results[1]
            try #require((behind.gapKS ?? 0) > (behind.gapKSCritical ?? 1), "host 2 was stopped inside the window")
            // ... so the row's fit is the worse host's, and fails.
            let worst = results.max { $0.gapKS! - $0.gapKSCritical! < $1.gapKS! - $1.gapKSCritical! }!
            #expect(row["gap_ks_d"] == worst.gapKS.map(formatCompactNumber), "\(row)")
            #expect(row["gap_ks_critical"] == worst.gapKSCritical.map(formatCompactNumber))
            #expect(row["gap_check"] == "fail")
            #expect(row["load_busy_share"] == results.compactMap(\.busyShare).max().map(formatCompactNumber))
        }

        /// A sweep file's `load-hosts`: every point through the hosts, per-host lines in
        /// RESULTS/NAME-hosts.csv, moved aside with NAME.csv when the sweep starts afresh.
        @Test func aSweepRunsEveryPointThroughItsHosts() throws {
            let dir = try makeTemporaryDirectory("sweep-hosts")
            defer { removeDirectory(dir) }
            let path = try writeSweep(dir, "hosts", shortSweep(backends: "poll epoll-et", connections: "20", active: "4")
                                      + "\nprotocol = http\nload-hosts = local; local @127.0.0.1\n")
            for round in 1...2 {
                let run = try runBench(["sweep", path, "--results", dir, "--no-plot"])
                #expect(run.status == 0, "\(run.diagnosis)")
                let rows = try readCSV("\(dir)/hosts.csv").rows
                #expect(rows.count == 2, "\(run.diagnosis)")
                for row in rows {
                    try Self.checkMerged(rows: [row], out: "\(dir)/hosts.csv", hosts: 2, run: run)
                }
                let moved = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix("-hosts.csv") }
                #expect(moved.count == round, "the earlier per-host lines moved aside with the rows: \(moved)")
            }
        }

        @Test func aHostThatCannotStartFailsThePointWithItsName() throws {
            let dir = try makeTemporaryDirectory("bad-host")
            defer { removeDirectory(dir) }
            let out = "\(dir)/b.csv"
            let run = try runBench(["run", "--backend", "poll", "--connections", "20", "--active", "4",
                                    "--warmup", "200ms", "--duration", "1s", "--out", out,
                                    "--load-host", "local", "--load-host", "mux-no-such-launcher @127.0.0.1"])
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains("load host 2 (mux-no-such-launcher @127.0.0.1) cannot start"), "\(run.diagnosis)")
            // A launcher that starts but whose command fails at once: named too.
            let exits = try runBench(["run", "--backend", "poll", "--connections", "20", "--active", "4",
                                      "--warmup", "200ms", "--duration", "1s", "--out", out,
                                      "--load-host", "local", "--load-host", "false @127.0.0.1"])
            #expect(exits.status == 1, "\(exits.diagnosis)")
            #expect(exits.stderr.contains("load host 2 (false @127.0.0.1) exited before connecting"), "\(exits.diagnosis)")
            #expect(((try? readCSV(out).rows.count) ?? 0) == 0, "no row for a failed point")
        }

        @Test func aHostThatHangsFailsThePointAndTheOthersAreEnded() throws {
            let dir = try makeTemporaryDirectory("hung-host")
            defer { removeDirectory(dir) }
            let out = "\(dir)/h.csv"
            let bench = try ChildProcess("mux-bench", ["run", "--backend", "poll", "--connections", "20", "--active", "4",
                                                       "--warmup", "300ms", "--duration", "2s", "--out", out,
                                                       "--load-host", "local", "--load-host", "local"])
            let loads = { childProcesses(of: bench.pid).filter { $0.name == "mux-load" && $0.state != "Z" } }
            guard waitUntil(timeout: 20, { loads().count == 2 }) else {
                Issue.record("two mux-load children never appeared")
                return
            }
            let hosts = loads().sorted { $0.pid < $1.pid }
            defer { for host in hosts { endLeftover(host) } }
            // Stopped (SIGSTOP) once traffic flows: it never reports, so the point fails naming it.
            guard let server = waitForChildProcess(of: bench.pid, named: "mux-server"),
                  trafficHasBegun(server: server, load: hosts[1], connections: 10) else {
                Issue.record("traffic never began: \(bench.standardError())")
                return
            }
            kill(hosts[1].pid, SIGSTOP)
            let status = bench.wait(timeout: 40)
            let stderr = bench.standardError()
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("load host 2 (local) gave no result (hung)"), "\(stderr)")
            for host in hosts {
                #expect(processEntry(host.pid).map { $0.state == "Z" } ?? true, "mux-load \(host.pid) was ended")
            }
        }
    }
}
