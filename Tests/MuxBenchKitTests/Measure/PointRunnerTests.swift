import Foundation
import MuxCore
import MuxMessages
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// PointRunner's ends of a repetition on real processes: the load generator's files are complete
/// before it is ended, and a server that is slow (stopped) is told from one that died.
extension BenchProcessSuites {
    @Suite struct PointRunnerTests {
        /// mux-load writes --hgrm; the collector used to end it (SIGTERM) as soon as it read the
        /// result line, before the file was written, and still exit 0. Every run must leave it.
        @Test func hgrmFileIsThereAfterEveryRun() throws {
            let dir = try makeTemporaryDirectory("hgrm")
            defer { removeDirectory(dir) }
            let hgrm = "\(dir)/l.hgrm"
            for attempt in 1...5 {
                unlink(hgrm)
                let run = try runBench(["run", "--backend", "epoll-lt", "--connections", "10", "--active", "5",
                                        "--warmup", "200ms", "--duration", "300ms", "--out", "\(dir)/r.csv", "--hgrm", hgrm])
                #expect(run.status == 0, "\(run.diagnosis)")
                let text = try #require(try? String(contentsOfFile: hgrm, encoding: .utf8), "run \(attempt): \(run.diagnosis)")
                let rows = try LatencyHistogram.parsePercentileDistribution(text)
                #expect(rows.last?.percentile == 1.0, "run \(attempt): \(text)")
                #expect((rows.last?.totalCount ?? 0) > 0, "run \(attempt): \(text)")
            }
        }

        /// A running point whose window has begun: traffic flows, and with a 200 ms warm-up, a
        /// second later the window-start snapshot is long answered.
        static func inItsWindow(_ options: [String]) throws -> RunInProgress {
            let run = try RunInProgress(["--backend", "poll", "--duration", "3s"] + options)
            usleep(1_000_000)
            return run
        }

        /// Issue 24 item 6: a server stopped (SIGSTOP) across the window's end, for longer than
        /// the first 2 s a snapshot is given, was reported dead and the repetition thrown away.
        /// Alive, it is waited for: the row is measured and says the snapshot came late.
        @Test func serverStoppedAcrossTheWindowsEndIsMeasured() throws {
            let run = try Self.inItsWindow([])
            defer { run.cleanUp() }
            kill(run.server.pid, SIGSTOP)
            // Stopped past the window's end (2.2 s at most from here) by more than 2 s.
            usleep(6_000_000)
            #expect(processEntry(run.server.pid)?.state == "T", "still stopped, not ended")
            kill(run.server.pid, SIGCONT)
            let (status, stderr) = run.finish(timeout: 40)
            #expect(status == 0, "\(stderr)")
            #expect(stderr.contains("mux-server answered the window-end snapshot"), "\(stderr)")
            #expect(stderr.contains("(state: stopped)"), "\(stderr)")
            #expect(run.rowCount == 1, "\(stderr)")
        }

        /// Stopped for good: not "died" either, but exactly what happened, once its bounded wait is over.
        @Test func serverThatNeverAnswersIsSaidToBeStoppedNotDead() throws {
            let run = try Self.inItsWindow([])
            defer { run.cleanUp() }
            kill(run.server.pid, SIGSTOP)
            let (status, stderr) = run.finish(timeout: 60)
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("failed: mux-server did not answer the window-end snapshot within 10 s (state: stopped)"), "\(stderr)")
            #expect(!stderr.contains("died"), "\(stderr)")
            #expect(waitForProcessGone(run.server.pid, timeout: 5), "the stopped server is ended")
            #expect(run.rowCount == 0, "\(stderr)")
        }

        /// Through a launcher a live server is waited for up to 30 s: an answer that comes more
        /// than 10 s after the window's end used to find mux-load's margin spent, and its result
        /// line, already written, was not read ("gave no result"). `env` is the launcher here.
        @Test func serverHostAnsweringPastTheLoadsMarginIsMeasured() throws {
            let run = try Self.inItsWindow(["--server-host", "env", "--listen", "127.0.0.1"])
            defer { run.cleanUp() }
            kill(run.server.pid, SIGSTOP)
            // Past the window's end (2.2 s at most from here) by more than the load's 10 s margin.
            usleep(14_000_000)
            kill(run.server.pid, SIGCONT)
            let (status, stderr) = run.finish(timeout: 60)
            #expect(status == 0, "\(stderr)")
            #expect(stderr.contains("answered the window-end snapshot"), "\(stderr)")
            #expect(run.rowCount == 1, "\(stderr)")
        }
    }
}

/// The row's syscall columns come from SyscallKind's one list, in the counters' own values.
@Suite struct PointRunnerRowTests {
    @Test func everySyscallKindHasItsCountInItsColumnAndTheSchemaHasThemAll() throws {
        let runner = PointRunner(point: SweepPoint(sweep: "t", backend: "epoll-et", connections: 20, active: 10), repetition: 1,
                                 system: SystemInfo(kernel: "k", cpuModel: "c", commit: "x"),
                                 binaries: MeasuredBinaries(server: "", load: "", commit: ""))
        // A distinct count per kind, so a column written from the wrong counter shows.
        var window = SyscallCounters()
        for (index, kind) in SyscallKind.allCases.enumerated() { window[kind] = UInt64(101 + index * 1000) }
        window.readEAGAIN = 7
        let result = ResultMessage(wireProtocol: "echo", connections: 20, active: 10, threads: 1, pipeline: 1, payloadBytes: 64,
                                   warmupSeconds: 0.2, durationSeconds: 1, requests: 1000, totalRequests: 1200, sent: 1210, errors: 0,
                                   throughput: 1000, rateTarget: nil, errorsByKind: [:], latency: ResultMessage.Latency(histogram: LatencyHistogram()),
                                   cpuUserMicroseconds: 1, cpuSystemMicroseconds: 1)
        let edge = CountersMessage(final: false, sequence: 1, monotonicNanoseconds: 1, syscalls: SyscallCounters())
        let row = runner.makeRow(result: result, window: window, serverStart: edge, serverEnd: edge, switches: nil, started: "now")
        for (index, kind) in SyscallKind.allCases.enumerated() {
            #expect(row[kind.column] == "\(101 + index * 1000)", "\(kind.column): \(row[kind.column] ?? "absent")")
        }
        #expect(row["read_eagain"] == "7")
        #expect(row["sc_per_req"] == formatCompactNumber(Double(window.total) / 1000))
        // The raw columns and the summary's per-request figures name every kind, and no other sc_ column exists.
        let scColumns = ResultsSchema.columns.filter { $0.hasPrefix("sc_") && $0 != "sc_per_req" }
        #expect(scColumns == SyscallKind.allCases.map(\.column))
        #expect(row.keys.filter { $0.hasPrefix("sc_") && $0 != "sc_per_req" }.sorted() == scColumns.sorted())
        for kind in SyscallKind.allCases {
            #expect(ResultsSchema.summaryFigures.contains("\(kind.rawValue)_per_req"), "\(kind)")
            #expect(SweepSummary.figureValue("\(kind.rawValue)_per_req", in: row) == Double(window[kind]) / 1000, "\(kind)")
        }
        #expect(Set(row.keys).isSubset(of: Set(ResultsSchema.columns)))
    }
}
