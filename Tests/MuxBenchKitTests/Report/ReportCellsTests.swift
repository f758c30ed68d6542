import Foundation
import MuxCore
import Testing
@testable import MuxBenchKit

/// Cells as the README's tables write them, and the saturation mark read from `saturated_by`;
/// the failed-check mark (CheckMarksTests, below) read from the `*_check` columns.
@Suite struct ReportCellsTests {
    @Test func numbers_group_thousands_and_keep_decimals_only_below_1000() {
        #expect(ReportCell.number(1_772_094.4) == "1,772,094")
        #expect(ReportCell.number(999.4) == "999")
        #expect(ReportCell.number(5.154, digits: 2) == "5.15")
        #expect(ReportCell.number(1234.56, digits: 2) == "1,235", "no decimals from 1,000 up")
        #expect(ReportCell.number(-2500) == "-2,500")
        #expect(ReportCell.number(nil) == "–")
    }

    @Test func a_median_carries_its_interval_from_the_summary_row() throws {
        let row = ReportRow(fields: ["x_median": "31.56", "x_ci_low": "28.34", "x_ci_high": "47.07"], location: "t.csv:2")
        #expect(try ReportCell.withInterval(row, "x", digits: 2) == "31.56 [28.34–47.07]")
        let noInterval = ReportRow(fields: ["x_median": "0.5"], location: "t.csv:3")
        #expect(try ReportCell.withInterval(noInterval, "x", digits: 1, scale: 100) == "50.0")
        #expect(try ReportCell.withInterval(ReportRow(fields: [:], location: "t.csv:4"), "x") == "–")
    }

    @Test func a_damaged_number_is_named_by_file_line_and_column() {
        let row = ReportRow(fields: ["x_median": "12,5"], location: "results/a-summary.csv:7")
        #expect(throws: ReportError("results/a-summary.csv:7: column x_median: '12,5' is not a number")) {
            try ReportCell.withInterval(row, "x")
        }
    }

    @Test func backends_follow_backend_order_and_unknown_ones_go_last() {
        let shuffled = ["io-uring", "zzz-new", "select", "epoll-et", "poll", "aaa-new"]
        let ordered = ReportRows.orderedBackends(shuffled)
        #expect(ordered == Backend.names.filter(shuffled.contains) + ["aaa-new", "zzz-new"])
    }

    @Test func the_saturation_mark_counts_saturated_by_not_the_reason() throws {
        let raw = ReportCSV(path: "r.csv", header: ["point", "probe", "saturated_by"], rows: [
            ReportRow(fields: ["point": "p", "probe": "", "saturated_by": "both"], location: "r.csv:2"),
            ReportRow(fields: ["point": "p", "probe": "", "saturated_by": "client"], location: "r.csv:3"),
            ReportRow(fields: ["point": "p", "probe": "", "saturated_by": "both"], location: "r.csv:4"),
            ReportRow(fields: ["point": "p", "probe": "", "saturated_by": ""], location: "r.csv:5"),
            // A probe of a rate search is not a rep of the point.
            ReportRow(fields: ["point": "p", "probe": "bracket/client-limited", "saturated_by": "server"], location: "r.csv:6"),
        ])
        let marks = try SaturationMarks(raw: raw)
        // The reason says something else on purpose: the mark must not read it.
        let summary = ReportRow(fields: ["point": "p", "reps": "4", "saturated_reps": "3",
                                         "reason": "saturated in 3/4 reps (limit: neither 3)"], location: "s.csv:2")
        #expect(marks.cell(summary) == "3/4 (client 1 both 2)")
        let quiet = ReportRow(fields: ["point": "q", "reps": "6", "saturated_reps": "0"], location: "s.csv:3")
        #expect(marks.cell(quiet) == "–")
    }

    @Test func a_side_that_saturation_does_not_know_is_a_damaged_file() {
        let raw = ReportCSV(path: "r.csv", header: ["point", "saturated_by"], rows: [
            ReportRow(fields: ["point": "p", "saturated_by": "the-moon"], location: "r.csv:2"),
        ])
        #expect(throws: ReportError("r.csv:2: column saturated_by: 'the-moon' is not a side")) { try SaturationMarks(raw: raw) }
    }

    /// The bound comes from the typed columns: a reason reworded (or naming another bound) changes nothing.
    @Test func search_rows_and_their_bound_are_read_from_the_typed_columns() {
        let answer = ReportRow(fields: ["row_kind": "search", "max_sustainable_rps": "29500",
                                        "search_metric": "p50", "search_bound_us": "5000",
                                        "reason": "search (p99 ≤ 1 µs): reworded prose"],
                               location: "s.csv:2")
        #expect(ReportRows.isSearchRow(answer))
        #expect(ReportRows.searchBound(answer).map { "\($0.metric) \($0.microseconds)" } == "p50 5000.0")
        let unanswered = ReportRow(fields: ["row_kind": "search", "max_sustainable_rps": "", "search_metric": "p50",
                                            "search_bound_us": "5000", "search_outcome": "none"], location: "s.csv:3")
        #expect(ReportRows.isSearchRow(unanswered), "a search without an answer is still a search row")
        let point = ReportRow(fields: ["row_kind": "point", "max_sustainable_rps": "", "reason": "search (p50 ≤ 5000 µs)"],
                              location: "s.csv:4")
        #expect(!ReportRows.isSearchRow(point))
        #expect(ReportRows.searchBound(point) == nil)
    }
}

/// A point whose reps failed their own open-loop checks (`rate_check`, `lateness_check`,
/// `gap_check`) is marked in every table that shows open-loop cells, with the mark's legend
/// under the table; a point that passed, or a file older than those columns, is not.
@Suite struct CheckMarksTests {
    static let sweep = "latency-load"
    static let low = "epoll-lt-c1000-a100-b64-echo-immediate-p1-r5000-t1"
    static let high = "epoll-lt-c1000-a100-b64-echo-immediate-p1-r120000-t1"

    /// The two epoll-lt rungs at 1,000 connections of the committed sweep (5,000/s passed its
    /// checks, 120,000/s failed lateness in 6 of 6 reps), copied to `directory`; `passing` rewrites
    /// every failed verdict as `ok` first.
    static func twoRungs(in directory: String, passing: Bool) throws {
        func edit(_ row: inout [String: String]) {
            guard passing else { return }
            for check in OpenLoopCheck.allCases where row[check.column] == "fail" { row[check.column] = "ok" }
            if row["failed_check_reps"] != nil { row["failed_check_reps"] = "0" }
        }
        try ReportFixture.copyRows(from: "\(sweep)-summary.csv", points: [low, high], to: directory,
                                   as: "\(sweep)-summary.csv", edit: edit)
        try ReportFixture.copyRows(from: "\(sweep).csv", points: [low, high], to: directory, as: "\(sweep).csv", edit: edit)
    }

    /// The legend line: the mark, then what it means.
    static func isLegend(_ line: String) -> Bool { line.hasPrefix("† the point's own open-loop check failed") && line == CheckMarks.legend }

    static func lines(_ table: String) -> [String] { table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    @Test func a_failed_check_marks_the_ladder_rung_and_puts_the_legend_under_the_table() throws {
        let directory = try ReportFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.twoRungs(in: directory, passing: false)
        let table = try SearchTables.ladder(ReportSources(directory: directory, sweep: Self.sweep),
                                            figure: "lat_p50_us", boundMicroseconds: 1000)
        let lines = Self.lines(table)
        #expect(lines[2].hasPrefix("| epoll-lt | 1,000 | 120,000/s † lateness 6/6 | 24 |"), "\(table)")
        // A blank line ends the table; the legend follows it.
        #expect(lines.count == 5 && lines[3] == "" && Self.isLegend(lines[4]), "\(table)")
    }

    @Test func a_point_that_passed_its_checks_has_no_mark_and_no_legend() throws {
        let directory = try ReportFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.twoRungs(in: directory, passing: true)
        let sources = ReportSources(directory: directory, sweep: Self.sweep)
        let ladder = try SearchTables.ladder(sources, figure: "lat_p50_us", boundMicroseconds: 1000)
        #expect(Self.lines(ladder).count == 3 && Self.lines(ladder)[2].hasPrefix("| epoll-lt | 1,000 | 120,000/s | 24 |"), "\(ladder)")
        let latency = try PointTables.latency(sources, connections: 1000, rates: [5000, 120_000])
        #expect(!latency.contains("†") && Self.lines(latency).count == 4, "\(latency)")
    }

    @Test func the_latency_table_marks_the_rate_of_each_failed_point() throws {
        let table = try ReportFixture.table(Self.sweep, "latency-10000")
        let lines = Self.lines(table)
        // Every point at 80,000/s failed its lateness check in all 6 reps; those at 5,000/s none.
        #expect(lines.contains { $0.hasPrefix("| epoll-lt | 10,000 | 80,000 † lateness 6/6 | 79,999 |") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("| epoll-lt | 10,000 | 5,000 | 5,000 |") }, "\(table)")
        #expect(lines.last.map(Self.isLegend) == true && lines[lines.count - 2] == "")
    }

    @Test func the_knee_marks_an_answer_whose_confirmation_failed_a_check() throws {
        let table = try ReportFixture.table(Self.sweep, "knee")
        #expect(ReportFixture.line(table, backend: "select", connections: "1,000")?
            .hasPrefix("| select | 1,000 | 108,000 † lateness 1/1 | 332 |") == true, "\(table)")
        #expect(Self.lines(table).last.map(Self.isLegend) == true)
    }

    @Test func the_equal_load_table_marks_its_failed_cells() throws {
        let table = try ReportFixture.table("c10k-equal-load", "equal-30000")
        // poll: one rep at 100 and one at 2,500 connections late, one at 10,000 short of the offer.
        let poll = try #require(Self.lines(table).first { $0.hasPrefix("| poll |") })
        #expect(poll.contains(" † lateness 1/6 | ") && poll.hasSuffix(" † rate 1/6 |"), "\(table)")
        // io-uring passed every check at 30,000/s.
        #expect(Self.lines(table).first { $0.hasPrefix("| io-uring |") }?.contains("†") == false, "\(table)")
        #expect(Self.lines(table).last.map(Self.isLegend) == true)
    }

    @Test func files_without_check_columns_have_no_marks() throws {
        for table in ["ladder", "knee", "latency-10000"] {
            #expect(!(try ReportFixture.table("latency-load-2026-11-26", table)).contains("†"), "\(table)")
        }
        #expect(!(try ReportFixture.table("c10k-equal-load-2026-11-26", "equal-30000")).contains("†"))
    }

    @Test func a_verdict_that_is_neither_ok_nor_fail_is_named_by_file_and_line() throws {
        let raw = ReportCSV(path: "r.csv", header: ["point", "lateness_check"],
                            rows: [ReportRow(fields: ["point": "p", "lateness_check": "late"], location: "r.csv:7")])
        #expect(throws: ReportError("r.csv:7: column lateness_check: 'late' is not ok or fail")) { try CheckMarks(raw: raw) }
    }
}
