// `mux-bench run --server-host ...` on real processes: mux-server in a network namespace the
// test makes, started through `ip netns exec` and reached only through its stdin (snapshots,
// then end of file), loaded from this machine and from a load host in a second namespace, and
// for every point of a sweep file with a `server-host` line. The
// row's server figures come from the server's own counters line: its CPU per request is there,
// its request count matches the load's, and nothing of it is left running afterwards.
import Foundation
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

extension BenchProcessSuites {
    @Suite struct ServerHostRunTests {
        static func number(_ row: [String: String]?, _ column: String) -> Double { Double(row?[column] ?? "") ?? -1 }

        /// The processes still in namespace `name` (none once mux-bench has ended its server).
        static func pids(in name: String) -> [String] {
            let listed = (try? runToCompletion(TestNamespaces.ipPath!, ["netns", "pids", name], timeout: 10))?.stdout ?? ""
            return listed.split(whereSeparator: \.isWhitespace).map(String.init)
        }

        /// Skipped where namespaces cannot be made (not root, no ip); as root they can, so a
        /// namespace that cannot be made fails the test.
        @Test(.enabled(if: TestNamespaces.unavailableReason == nil, TestNamespaces.skipComment))
        func aServerInANamespaceIsMeasuredThroughItsStdin() throws {
            let namespaces = try TestNamespaces(count: 2)
            defer { namespaces.remove() }
            let dir = try makeTemporaryDirectory("server-host")
            defer { removeDirectory(dir) }
            let serverNamespace = namespaces.names[0], address = namespaces.addresses[0]
            let common = ["run", "--backend", "epoll-et", "--protocol", "echo", "--connections", "300", "--active", "40",
                          "--warmup", "200ms", "--duration", "1s",
                          "--server-host", "ip netns exec \(serverNamespace)", "--listen", address]

            // The load on this machine, aiming across the bridge at the namespace's address.
            let local = "\(dir)/local.csv"
            let run = try runBench(common + ["--out", local])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("server host: mux-server runs through 'ip netns exec \(serverNamespace)', listening on \(address)"),
                    "\(run.diagnosis)")
            let rows = try readCSV(local).rows
            #expect(rows.count == 1, "\(run.diagnosis)")
            let row = try #require(rows.first)
            #expect(Self.number(row, "requests") > 0 && Self.number(row, "errors") == 0, "\(row)")
            #expect(Self.number(row, "server_cpu_us_per_req") > 0, "CPU per request from the server's own counters: \(row)")
            #expect(Self.number(row, "sc_read") > 0 && Self.number(row, "sc_write") > 0, "syscalls are its own counts: \(row)")
            // Not measurable there: empty, never zero.
            #expect(row["ctx_vol"] == "" && row["ctx_invol"] == "" && row["server_cpus"] == "", "\(row)")
            #expect(Self.pids(in: serverNamespace).isEmpty, "mux-server ended at its stdin's end")

            // A load host in the other namespace: the server's own count beside the load's. HTTP,
            // whose requests the server counts one by one (echo counts reads), so the totals
            // must agree exactly and the window's within the requests in flight at its edges.
            // Through a launcher that stays between the collector and the server, as ssh does
            // (setsid forks and waits): a signal would reach the launcher, so only stdin works.
            let hosted = "\(dir)/hosted.csv"
            let staying = FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid")
                ? "ip netns exec \(serverNamespace) /usr/bin/setsid --fork --wait" : "ip netns exec \(serverNamespace)"
            if !staying.contains("setsid") { print("NOTE: no /usr/bin/setsid: the second run's launcher execs the server") }
            let http = common.map { $0 == "echo" ? "http" : $0 == "ip netns exec \(serverNamespace)" ? staying : $0 }
            let hostedRun = try runBench(http + ["--out", hosted, "--load-host", "ip netns exec \(namespaces.names[1]) @\(address)"])
            #expect(hostedRun.status == 0, "\(hostedRun.diagnosis)")
            try LoadHostsRunTests.checkMerged(out: hosted, hosts: 1, run: hostedRun)
            let hostedRow = try #require(try readCSV(hosted).rows.first)
            #expect(Self.number(hostedRow, "server_cpu_us_per_req") > 0, "\(hostedRow)")
            #expect(Self.pids(in: serverNamespace).isEmpty && Self.pids(in: namespaces.names[1]).isEmpty)

            // A sweep file's `server-host`: every point's server there.
            let sweep = try writeSweep(dir, "remote", shortSweep(backends: "poll epoll-lt", connections: "100")
                                       + "\nserver-host = ip netns exec \(serverNamespace)\nserver-listen = \(address)\n")
            let swept = try runBench(["sweep", sweep, "--results", dir, "--no-plot"])
            #expect(swept.status == 0, "\(swept.diagnosis)")
            let sweptRows = try readCSV("\(dir)/remote.csv").rows
            #expect(sweptRows.count == 2, "\(swept.diagnosis)")
            for row in sweptRows {
                #expect(Self.number(row, "requests") > 0 && Self.number(row, "errors") == 0, "\(row)")
                #expect(Self.number(row, "server_cpu_us_per_req") > 0 && row["ctx_vol"] == "", "\(row)")
            }
            #expect(Self.pids(in: serverNamespace).isEmpty)
        }

        /// Bad input stops before anything runs: one line naming the flag, exit 2.
        @Test func anEmptyLauncherIsRefusedWithTheFlag() throws {
            let run = try runBench(["run", "--backend", "poll", "--server-host", " ", "--listen", "127.0.0.1"])
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1 && run.stderr.hasPrefix("mux-bench run: --server-host: empty launcher"), "\(run.diagnosis)")
        }
    }
}
