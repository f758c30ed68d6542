import Foundation
import MuxCore
import Testing
@testable import MuxBenchKit

/// Cells as the README's tables write them, and the saturation mark read from `saturated_by`.
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
