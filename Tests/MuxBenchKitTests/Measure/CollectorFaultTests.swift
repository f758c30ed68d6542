import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// Issue 5's collector rows: a child that dies or hangs mid-run. The test ends mux-bench's own
/// child (found by its parent PID, ended by that PID); the collector must notice, record the
/// point as failed with the reason, end the other child, and a sweep must go on.
extension BenchProcessSuites {
    @Suite struct CollectorFaultTests {
        @Test func serverDeathFailsThePointAndTheSweepGoesOn() throws {
            let sweep = try SweepFolder("die", shortSweep(backends: "poll epoll-et", connections: "20", active: "5", duration: "2s"))
            defer { sweep.remove() }
            // Sequential order: the first point (poll) is the one whose server dies.
            let bench = try ChildProcess("mux-bench", sweep.arguments(["--order", "sequential"]))
            let (server, load) = try pointProcesses(of: bench)
            defer { endLeftover(server); endLeftover(load) }
            kill(server.pid, SIGKILL)
            #expect(bench.waitForStandardError(containing: "[1/2]", timeout: 10), "the point ends: \(bench.standardError())")
            #expect(waitForProcessGone(load.pid, timeout: 3), "the load generator is ended")
            let status = bench.wait(timeout: 60)
            let stderr = bench.standardError()
            #expect(status == 1, "a failed point fails the sweep at its end: \(stderr)")
            // "during the run": noticed by the watch over the window, not at its end's snapshot.
            #expect(stderr.contains("FAILED: mux-server died during the run"), "\(stderr)")
            // Who ended it and how, in what the user reads and in the summary.
            #expect(stderr.contains("mux-server died during the run: killed by SIGKILL; it said nothing on stderr"), "\(stderr)")
            #expect(stderr.contains("[2/2] epoll-et"), "the sweep went on: \(stderr)")
            let rows = try sweep.rows()
            #expect(rows.map { $0["backend"] } == ["epoll-et"], "\(stderr)")
            let summary = try sweep.summary().rows
            #expect(summary.map { $0["status"] } == ["failed", "ok"], "\(summary)")
            #expect(summary.first?["reason"]?.contains("mux-server died") == true, "\(summary)")
            #expect(summary.first?["reason"]?.contains("killed by SIGKILL") == true, "\(summary)")
        }

        @Test func loadGeneratorDeathFailsTheRun() throws {
            let run = try RunInProgress(["--backend", "epoll-lt", "--duration", "2s"])
            defer { run.cleanUp() }
            kill(run.load.pid, SIGKILL)
            let (status, stderr) = run.finish(timeout: 30)
            #expect(status == 1, "\(stderr)")
            // "ended early": noticed by the watch over the window, while the server still ran.
            #expect(stderr.contains("failed: mux-load ended early: killed by SIGKILL"), "\(stderr)")
            #expect(waitForProcessGone(run.server.pid, timeout: 3), "the server is ended")
            #expect(run.rowCount == 0, "no row for a failed run")
        }

        /// A stopped load generator never reports: the collector gives up at the window's end plus
        /// its 10 s margin (its message says which wait ran out), and ends it.
        @Test func loadGeneratorHangIsBoundedByTheTimeout() throws {
            let run = try RunInProgress(["--backend", "poll", "--duration", "1s"])
            defer { run.cleanUp() }
            kill(run.load.pid, SIGSTOP)
            let (status, stderr) = run.finish(timeout: 40)
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("mux-load gave no result within 10 s of the window's end"), "\(stderr)")
            #expect(waitForProcessGone(run.load.pid, timeout: 3), "the stopped load generator is ended")
            #expect(waitForProcessGone(run.server.pid, timeout: 3), "the server is ended")
            #expect(run.rowCount == 0, "no row for a failed run")
        }
    }
}
