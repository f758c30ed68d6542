// `mux-bench sweep --resume` part-way through a rate search, on real processes: the sweep is
// stopped with SIGTERM once the search has measured its first probe, then resumed. The search
// goes on from the probes on disk: none is lost, none measured again (only the one the signal cut
// short, which left no row), its answer is written once and is the summary's search row.
import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

extension BenchProcessSuites {
    @Suite struct SweepSearchTests {
        static let sweep = searchSweep(start: "5k")

        @Test func resumeFinishesAnInterruptedSearchWithoutMeasuringAProbeTwice() throws {
            let dir = try makeTemporaryDirectory("search-resume")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "hunt", Self.sweep)
            let results = "\(dir)/results", csv = "\(dir)/results/hunt.csv"
            let spec = try SweepSpec.parse(Self.sweep, path: file)
            let search = try #require(spec.search)
            let searchID = try #require(spec.searchPoints().first).searchID

            // Stopped as soon as the first probe's line is out: the second probe is starting.
            let bench = try ChildProcess("mux-bench", ["sweep", file, "--results", results, "--no-plot"])
            let probing = bench.waitForStandardError(containing: "\(searchID): bracket ", timeout: 60)
            let children = benchChildren(of: bench.pid)
            bench.signal(SIGTERM)
            let status = bench.wait(timeout: 30)
            let interruptedStderr = bench.standardError()
            for child in children {
                #expect(waitForProcessGone(child.pid, timeout: 5), "\(child.name) \(child.pid) ended")
                endLeftover(child)
            }
            try #require(probing, "the search began: \(interruptedStderr)")
            #expect(status == 130, "\(interruptedStderr)")
            let before = try lines(of: csv)
            let probesBefore = try readCSV(csv).rows.filter { !($0["probe"] ?? "").isEmpty }
            #expect(!probesBefore.isEmpty && !probesBefore.contains { $0["probe"] == "confirm/sustained" },
                    "stopped part-way through the search: \(interruptedStderr)")

            let resumed = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"], timeout: 300)
            #expect(resumed.status == 0, "\(resumed.diagnosis)")
            let after = try lines(of: csv)
            #expect(Array(after.prefix(before.count)) == before, "the rows measured before are kept byte for byte")
            let rows = try readCSV(csv).rows
            #expect(rows.filter { ($0["probe"] ?? "").isEmpty }.count == 1, "the ladder point is not measured again")
            let probes = rows.filter { !($0["probe"] ?? "").isEmpty }
            #expect(probes.allSatisfy { $0["point"] == searchID }, "\(probes)")
            #expect(Set(probes.map { $0["rep"] ?? "" }).count == probes.count, "each probe numbered once: \(probes.map { $0["rep"] ?? "" })")
            #expect(resumed.stderr.components(separatedBy: "(measured before)").count - 1 == probesBefore.count,
                    "each probe on disk is taken as measured, once: \(resumed.diagnosis)")

            // The probe rows are one search, in order: run through the search with the verdicts
            // they record, each probe it asks for is the next row, and it stops at the last one.
            // A probe measured twice, or one lost, breaks the sequence.
            var next = 0
            var mismatch: String?
            let replayed = RateSearch(startRate: search.startRate).run { rate, kind in
                guard next < probes.count else {
                    mismatch = mismatch ?? "the search asks for \(kind.rawValue) at \(rate) req/s after the last row"
                    return .failed("no row")
                }
                let row = probes[next]
                next += 1
                let probe = (row["probe"] ?? "").split(separator: "/").map(String.init)
                guard probe.count == 2, probe[0] == kind.rawValue, Double(row["rate_target_rps"] ?? "") == rate else {
                    mismatch = mismatch ?? "row \(next) is \(row["probe"] ?? "") at \(row["rate_target_rps"] ?? "") req/s; "
                        + "the search asks for \(kind.rawValue) at \(rate) req/s"
                    return .failed("mismatch")
                }
                switch probe[1] {
                case "sustained": return .sustained
                case "client-limited": return .clientLimited
                default: return .exceeded
                }
            }
            #expect(mismatch == nil && next == probes.count,
                    "\(mismatch ?? "\(probes.count - next) rows beyond the search's end"): \(probes.map { "\($0["probe"]!)@\($0["rate_target_rps"]!)" })")

            // p99 ≤ 50 ms is easy at a few thousand req/s, but a busy machine can still miss every
            // confirmation; then there is no answer row, and the summary says the search has none.
            let answers = probes.filter { $0["probe"] == "confirm/sustained" }
            let summary = try readCSV("\(results)/hunt-summary.csv").rows
            let searchRows = summary.filter { $0["point"] == searchID }
            #expect(searchRows.count == 1, "\(summary)")
            guard let rate = replayed.rate else {
                #expect(answers.isEmpty, "\(resumed.diagnosis)")
                #expect(searchRows.first?["status"] == "skipped" && searchRows.first?["max_sustainable_rps"] == "", "\(searchRows)")
                return
            }
            #expect(answers.count == 1, "the answer is written once: \(resumed.diagnosis)")
            let answer = try #require(answers.first)
            #expect(formatCompactNumber(rate) == answer["rate_target_rps"])
            #expect(searchRows.first?["status"] == "ok" && searchRows.first?["reps"] == "1", "\(searchRows)")
            #expect(searchRows.first?["max_sustainable_rps"] == answer["rate_target_rps"], "\(searchRows)")
            #expect(resumed.stderr.contains("max sustainable rate \(answer["rate_target_rps"]!) req/s"), "\(resumed.diagnosis)")
        }
    }
}
