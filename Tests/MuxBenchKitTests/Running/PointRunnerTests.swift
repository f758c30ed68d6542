import Foundation
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
    }
}
