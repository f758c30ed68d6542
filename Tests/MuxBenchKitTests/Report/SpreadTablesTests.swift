import Foundation
import Testing
@testable import MuxBenchKit

/// Tables about the measurement itself, from raw rows.
@Suite struct SpreadTablesTests {
    @Test func noise_gives_each_figures_median_range_and_robust_cv_per_point() throws {
        let table = try ReportFixture.table("noise", "noise")
        #expect(table.contains("| epoll-et-c1000-a100-b64-echo-immediate-p1-r20000-t1 | 10 | server CPU/req | 18.5 | 55.8 | 13.4 |"))
        #expect(table.contains("| epoll-et-c1000-a100-b64-echo-immediate-p1-r20000-t1 | 10 | p50 | 118.3 | 228.5 | 9.6 |"))
    }

    @Test func robust_cv_ignores_one_wild_value() {
        // Median 10, deviations 0 0 0 1 90 → MAD 0... one more moderate value makes it 1.
        #expect(SpreadTables.robustCV([10, 10, 10, 11, 100]) == 0)
        #expect(abs(SpreadTables.robustCV([9, 10, 11, 12, 1000]) - 100 * 1.4826 * 1 / 11) < 1e-9)
    }

    @Test func steal_compares_each_points_high_steal_reps_with_its_quiet_ones() throws {
        let table = try ReportFixture.table("payload-steal-episode", "steal")
        #expect(table.hasSuffix("| payload-steal-episode.csv | 19 | 2.37 | 0.81–9.28 |"))
    }

    @Test func pacing_quantum_rows_are_grouped_by_rate_and_quantum() throws {
        let table = try ReportFixture.table("pacing-quantum-2026-11-26", "pacing")
        #expect(table.contains("| 50,000 | 30 | 5 | 13.6 | 9.3 | 124 | 2,656 | 70 | 55 |"))
    }

    @Test func ab_noise_measures_successive_run_ratios() throws {
        let table = try ReportFixture.table("ab-noise-2026-11-26", "abnoise")
        #expect(table.contains("| abnoise | epoll-et-c1000-a50-b64-echo-immediate-p1-r20000-t1 | 16 | 16.10 | 4.6 | 5.7 |"))
        #expect(SpreadTables.sampleStandardDeviation([1, 2, 3, 4]).map { abs($0 - 1.2909944487358056) < 1e-12 } == true)
        #expect(SpreadTables.sampleStandardDeviation([1]) == nil)
    }

    @Test func a_damaged_raw_row_is_refused_with_its_line() throws {
        let directory = try ReportFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let point = "epoll-et-c1000-a100-b64-echo-immediate-p1-r20000-t1"
        var line = 0
        try ReportFixture.copyRows(from: "noise.csv", points: [point], to: directory, as: "noise.csv") { row in
            line += 1
            if line == 3 { row["lat_p50_us"] = "fast" }
        }
        #expect(throws: ReportError("\(directory)/noise.csv:4: column lat_p50_us: 'fast' is not a number")) {
            try ReportCatalog.render(sweep: "noise", table: "noise", resultsDirectory: directory)
        }
    }
}
