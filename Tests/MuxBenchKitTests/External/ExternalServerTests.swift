// Servers MuxBench did not write, measured by the same collector: the server's columns from its
// process tree and perf (empty, never zero, where they cannot be had), its failures as the
// point's reason with everything else kept. The nginx and redis tests skip, saying why, where
// those servers are not installed.
import Foundation
import MuxCore
import MuxMetrics
import MuxProcStats
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// An executable on the usual paths, or nil.
private func installed(_ name: String) -> Bool {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

private let hasNginx = installed("nginx")
private let hasRedis = installed("redis-server")
private let hasPerf = SyscallVerifier.perfPath != nil

/// Live processes whose command line mentions `marker` (an ExternalServerRun scratch directory).
private func scratchServersRunning(_ marker: String) -> [Int32] {
    let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    return pids.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              processEntry(pid).map({ $0.state != "Z" }) == true else { return false }
        return String(decoding: data, as: UTF8.self).contains(marker)
    }
}

@Suite struct ExternalServerColumnsTests {
    @Test func withoutPerfTheSyscallColumnsAreEmptyAndOnlyOurServersFiguresToo() {
        var cpu = ProcessStats()
        cpu.userSeconds = 0.25; cpu.systemSeconds = 0.75; cpu.voluntarySwitches = 7; cpu.involuntarySwitches = 3
        let row = ExternalServerRun.columns(cpu: cpu, kernel: nil, requests: 100_000)
        #expect(row["server_cpu_us_per_req"] == "10")
        #expect(row["ctx_vol"] == "7" && row["ctx_invol"] == "3")
        for column in ["sc_wait", "sc_ctl", "sc_accept", "sc_read", "sc_write", "sc_close", "sc_other", "sc_per_req",
                       "read_eagain", "events_per_wait", "sqe_per_req", "cqe_per_req", "cqes_per_enter"] {
            #expect(row[column] == "", "\(column) must be empty, not zero")
        }
        #expect(Set(row.keys).isSubset(of: Set(ResultsSchema.columns)))
    }

    @Test func perfsCountsBecomeOurKindsWithOtherAsTheRestOfTheTotal() throws {
        let csv = """
            # started on Thu Nov 26 11:46:39 2026

            1000,,raw_syscalls:sys_enter,100,100.00,,
            90,,syscalls:sys_enter_epoll_wait,100,100.00,,
            10,,syscalls:sys_enter_epoll_ctl,100,100.00,,
            300,,syscalls:sys_enter_read,100,100.00,,
            200,,syscalls:sys_enter_writev,100,100.00,,
            100,,syscalls:sys_enter_sendfile64,100,100.00,,
            <not counted>,,syscalls:sys_enter_accept4,0,100.00,,
            """
        let kernel = try #require(SyscallVerifier.counts(fromPerfCSV: csv))
        #expect(kernel.total == 1000, "raw_syscalls is the total, not a call")
        let counters = SyscallVerifier.counters(from: kernel)
        #expect(counters.wait == 90 && counters.ctl == 10 && counters.read == 300 && counters.write == 300)
        #expect(counters.accept == 0 && counters.other == 300 && counters.total == 1000)
        let row = ExternalServerRun.columns(cpu: ProcessStats(), kernel: kernel, requests: 100)
        #expect(row["sc_other"] == "300" && row["sc_per_req"] == "10" && row["sc_accept"] == "0")
        #expect(SyscallVerifier.counts(fromPerfCSV: "# nothing\n") == nil)
    }

    @Test func kindTracepointsAreFewAndCountTheTotal() {
        let tracepoints = SyscallVerifier.kindTracepoints()
        #expect(tracepoints.first == "raw_syscalls:sys_enter")
        #expect(tracepoints.count < 40 && tracepoints.contains("syscalls:sys_enter_epoll_wait"))
        #expect(SyscallKind(kernelCall: "io_uring_enter") == .wait)
        #expect(SyscallKind(kernelCall: "sendfile64") == .write)
    }

    @Test func externalServersGetColoursNoBackendHas() {
        let settings = chartStyleSettings(externalServers: ["redis", "nginx"])
        func words(_ key: String) -> [String] {
            let value = settings.first { $0.hasPrefix(key + "=") }!.dropFirst(key.count + 2).dropLast()
            return value.split(separator: " ").map(String.init)
        }
        let names = words("style_backends"), colours = words("style_colours")
        #expect(names.suffix(2) == ["nginx", "redis"])
        let ours = Set(Backend.allCases.map(\.traits.colour))
        #expect(!ours.contains(colours[names.firstIndex(of: "nginx")!]) && !ours.contains(colours[names.firstIndex(of: "redis")!]))
        #expect(colours[names.firstIndex(of: "nginx")!] != colours[names.firstIndex(of: "redis")!])
    }
}

extension BenchProcessSuites {
    @Suite struct ProcessTreeTests {
        @Test func theTreeHoldsEveryDescendantAndSumsTheirSwitches() throws {
            let shell = try Subprocess(name: "sh", executable: "/bin/sh", arguments: ["-c", "sleep 30 & sleep 30 & wait"])
            var tree: [Int32] = []
            defer {
                // Ending the shell ends its group; a sleep left over is ended by its own PID.
                for pid in tree.dropFirst() { kill(pid, SIGKILL) }
                shell.stop(grace: 1)
            }
            #expect(waitUntil(timeout: 10, { ServerProcessTree.processes(root: shell.pid).count == 3 }))
            tree = ServerProcessTree.processes(root: shell.pid)
            #expect(tree.first == shell.pid)
            let stats = try #require(ServerProcessTree.stats(root: shell.pid))
            #expect(stats.voluntarySwitches >= 2, "the shell and its two children each slept at least once")
            #expect(ServerProcessTree.processes(root: 999_999_999).isEmpty)
        }
    }

    @Suite struct ExternalServerRunTests {
        @Test func aServerThatExitsEarlyFailsItsPointAndTheOthersAreKept() throws {
            let dir = try makeTemporaryDirectory("external-early")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "early", shortSweep(backends: "epoll-lt broken", connections: "20")
                + "\nserver.broken = sh -c 'echo cannot bind $0 >&2; exit 3' {port}\n")
            let run = try runBench(["sweep", file, "--results", "\(dir)/results", "--no-plot"])
            #expect(run.status == 1, "\(run.diagnosis)")
            let rows = try readCSV("\(dir)/results/early.csv").rows
            #expect(rows.map { $0["backend"] } == ["epoll-lt"], "the measured point is kept: \(run.diagnosis)")
            let summary = try readCSV("\(dir)/results/early-summary.csv").rows
            let broken = try #require(summary.first { $0["backend"] == "broken" })
            #expect(broken["status"] == "failed")
            let reason = broken["reason"] ?? ""
            #expect(reason.contains("early.sweep:") && reason.contains("exited before accepting")
                    && reason.contains("exit status 3") && reason.contains("cannot bind"), "\(reason)")
        }

        @Test func aServerThatNeverAcceptsFailsAfterItsTimeoutNamingTheFlag() throws {
            let dir = try makeTemporaryDirectory("external-mute")
            defer { removeDirectory(dir) }
            let run = try runBench(["run", "--server-command", "sleep 60 || echo {port}", "--server-name", "mute",
                                    "--server-timeout", "1s", "-c", "5", "-w", "0s", "-d", "1s", "--out", "\(dir)/r.csv"])
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains("mute (--server-command) did not accept on port"), "\(run.diagnosis)")
            #expect(((try? lines(of: "\(dir)/r.csv"))?.count ?? 0) <= 1, "no row for a point that never ran")
        }

        @Test(.enabled(if: hasRedis, "redis-server is not installed (apt-get install redis-server)"))
        func redisStandsBesideMuxServerOnThePingProtocol() throws {
            let dir = try makeTemporaryDirectory("external-redis")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "redis", shortSweep(backends: "epoll-et redis", connections: "20") + """

                server.redis = redis-server --port {port} --bind 127.0.0.1 --dir {dir} --save '' --appendonly no
                protocol = redis
                pipeline = 4
                payload = 6
                """)
            let run = try runBench(["sweep", file, "--results", "\(dir)/results", "--no-plot"], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            let rows = try readCSV("\(dir)/results/redis.csv").rows
            #expect(rows.map { $0["backend"] ?? "" }.sorted() == ["epoll-et", "redis"], "\(run.diagnosis)")
            for row in rows {
                #expect(row["errors"] == "0" && (Double(row["requests"] ?? "") ?? 0) > 1000, "\(row)")
                #expect(!(row["server_cpu_us_per_req"] ?? "").isEmpty && !(row["server_cpus"] ?? "").isEmpty, "\(row)")
                // The hypervisor's share of the CPUs is measured for an external server's window too.
                #expect((0...100).contains(Double(row["steal_pct"] ?? "") ?? -1), "\(row)")
            }
            let redis = try #require(rows.first { $0["backend"] == "redis" })
            #expect(redis["events_per_wait"] == "" && redis["read_eagain"] == "", "only mux-server counts these: \(redis)")
            if hasPerf {
                #expect((Double(redis["sc_read"] ?? "") ?? 0) > 0 && (Double(redis["sc_write"] ?? "") ?? 0) > 0
                        && (Double(redis["sc_wait"] ?? "") ?? 0) > 0, "\(redis)")
                #expect(run.stderr.contains("perf attached to redis in") && run.stderr.contains("perf detached from redis in"))
            } else {
                print("perf is not installed: checking the syscall columns are empty instead")
                #expect(redis["sc_read"] == "" && redis["sc_per_req"] == "", "\(redis)")
                #expect(run.stderr.contains("redis's syscalls not counted"))
            }
            // Nothing left behind: no redis-server started with one of our scratch directories.
            #expect(scratchServersRunning("mux-server-redis-").isEmpty)
        }

        @Test(.enabled(if: hasNginx, "nginx is not installed (apt-get install nginx-light)"))
        func nginxStandsBesideMuxServerOnHTTP() throws {
            let dir = try makeTemporaryDirectory("external-nginx")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "web", shortSweep(backends: "epoll-lt nginx", connections: "20") + """

                server.nginx = nginx -p {dir} -c {dir}/nginx.conf -g 'daemon off;'
                protocol = http
                """)
            // Charts too: nginx has no read_eagain or events per wait, and must not break them.
            let run = try runBench(["sweep", file, "--results", "\(dir)/results"], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            if gnuplotPath() != nil {
                #expect(!run.stderr.contains("not rendered") && FileManager.default.fileExists(atPath: "\(dir)/results/web-syscalls.png"),
                        "\(run.diagnosis)")
            }
            let rows = try readCSV("\(dir)/results/web.csv").rows
            let nginx = try #require(rows.first { $0["backend"] == "nginx" }, "\(run.diagnosis)")
            #expect(nginx["errors"] == "0" && (Double(nginx["requests"] ?? "") ?? 0) > 1000, "\(nginx)")
            #expect((Double(nginx["ctx_vol"] ?? "") ?? 0) > 0, "the worker's switches are counted: \(nginx)")
            if hasPerf {
                #expect((Double(nginx["sc_wait"] ?? "") ?? 0) > 0, "epoll_wait of the worker, found in the tree: \(nginx)")
            }
            let summary = try readCSV("\(dir)/results/web-summary.csv").rows
            #expect(summary.filter { $0["status"] == "ok" }.count == 2)
        }
    }
}
