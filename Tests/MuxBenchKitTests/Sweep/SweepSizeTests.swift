import Testing
import MuxMetrics
@testable import MuxBenchKit

/// A sweep's size is counted per point, before anything runs: runs still to do, a rough time,
/// and the bound beyond which it needs --yes.
@Suite struct SweepSizeTests {
    @Test func counts_the_missing_runs_of_the_points_not_skipped() throws {
        let spec = try SweepSpec.parse("backends = select poll\nconnections = 100 2000\nwarmup = 1s\nduration = 2s\nrepetitions = 4\n",
                                       path: "s.sweep")
        let points = spec.points()
        let skipped = Set(points.filter { $0.backend == "select" && $0.connections == 2000 }.map(\.id))
        #expect(skipped.count == 1)
        var rows: [[String: String]] = []
        for point in points.prefix(1) {
            for rep in 1...2 {
                var row = point.rowParameters
                row["rep"] = String(rep)
                rows.append(row)
            }
        }
        let state = ResumeState(existing: CSVTable(header: ResultsSchema.columns, rows: rows), points: points, repetitions: 4)
        let size = SweepSize(points: points, repetitions: 4, skipped: skipped, state: state)
        // 3 runnable points × 4 reps, 2 already measured.
        #expect(size.runs == 10)
        #expect(size.seconds == 10 * (1 + 2 + SweepSize.overheadPerRun))
        #expect(size.estimate == "about 45 s")
        #expect(!size.exceedsBound)
    }

    @Test func beyond_a_hundred_thousand_runs_or_a_day_needs_yes() throws {
        let many = try SweepSpec.parse("backends = poll\nconnections = \((1...101).map(String.init).joined(separator: " "))\nactive = 1\n"
                                       + "warmup = 0ms\nduration = 100ms\nrepetitions = 1000\n", path: "m.sweep")
        let points = many.points()
        let empty = ResumeState(existing: CSVTable(header: ResultsSchema.columns), points: points, repetitions: 1000)
        let size = SweepSize(points: points, repetitions: 1000, skipped: [], state: empty)
        #expect(size.runs == 101_000 && size.exceedsBound, "\(size)")
        let long = try SweepSpec.parse("backends = poll\nconnections = 10\nduration = 2m\nrepetitions = 800\n", path: "l.sweep")
        let longSize = SweepSize(points: long.points(), repetitions: 800, skipped: [],
                                 state: ResumeState(existing: CSVTable(header: ResultsSchema.columns), points: long.points(), repetitions: 800))
        #expect(longSize.runs == 800 && longSize.seconds > SweepSize.maximumSeconds && longSize.exceedsBound, "\(longSize)")
        #expect(SweepSize.describe(seconds: 3 * 86_400) == "3 days" && SweepSize.describe(seconds: 7_500) == "2 h 5 min")
        #expect(groupedThousands(76_800_000) == "76,800,000")
    }
}
