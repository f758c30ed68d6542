import Foundation
import Testing
import MuxMetrics
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

private let point = SweepPoint(sweep: "t", backend: "poll", connections: 100, active: 10, warmup: 1, duration: 2)

/// A raw row of `point` (or `other`) with the given figures; every other column empty.
private func rawRow(_ figures: [String: String], of sweepPoint: SweepPoint = point, rep: Int = 1) -> [String: String] {
    var row = Dictionary(uniqueKeysWithValues: ResultsSchema.columns.map { ($0, "") })
    row.merge(sweepPoint.rowParameters) { _, new in new }
    row["rep"] = String(rep)
    row.merge(figures) { _, new in new }
    return row
}

@Suite struct SummaryTests {
    @Test func median_min_max_of_an_odd_count() throws {
        let rows = [
            rawRow(["throughput_rps": "300", "lat_p99_us": "12.5"], rep: 1),
            rawRow(["throughput_rps": "100", "lat_p99_us": "10"], rep: 2),
            rawRow(["throughput_rps": "200", "lat_p99_us": ""], rep: 3),
        ]
        let table = SweepSummary.summarize(rows: rows)
        #expect(table.rows.count == 1)
        let row = table.rows[0]
        #expect(row["reps"] == "3" && row["status"] == "ok" && row["reason"] == "")
        #expect(row["throughput_rps_median"] == "200")
        #expect(row["throughput_rps_min"] == "100")
        #expect(row["throughput_rps_max"] == "300")
        // The empty cell is not applicable, not zero: an even count of two remains.
        #expect(row["lat_p99_us_median"] == "11.25")
        #expect(row["lat_p99_us_min"] == "10")
        #expect(row["lat_p99_us_max"] == "12.5")
        // A figure with no values at all stays empty.
        #expect(row["lat_max_us_median"] == nil || row["lat_max_us_median"] == "")
        #expect(row["point"] == point.id && row["backend"] == "poll" && row["duration_s"] == "2")
    }

    @Test func median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let values = ["4", "1", "3", "10"].enumerated().map { rawRow(["throughput_rps": $1], rep: $0 + 1) }
        let row = SweepSummary.summarize(rows: values).rows[0]
        #expect(row["throughput_rps_median"] == "3.5")
        #expect(row["throughput_rps_min"] == "1")
        #expect(row["throughput_rps_max"] == "10")
        #expect(row["reps"] == "4")
    }

    @Test func derived_per_request_figures_and_load_cpu() {
        let rows = [
            rawRow(["requests": "1000", "sc_wait": "50", "sc_ctl": "0", "sc_accept": "", "sc_read": "2000",
                    "sc_write": "1000", "sc_close": "3", "sc_other": "7", "read_eagain": "1000",
                    "load_user_s": "0.5", "load_sys_s": "1"]),
        ]
        let row = SweepSummary.summarize(rows: rows).rows[0]
        #expect(row["wait_per_req_median"] == "0.05")
        #expect(row["ctl_per_req_median"] == "0")
        #expect((row["accept_per_req_median"] ?? "") == "")
        #expect(row["read_per_req_median"] == "2")
        #expect(row["write_per_req_median"] == "1")
        #expect(row["close_per_req_median"] == "0.003")
        #expect(row["other_per_req_median"] == "0.007")
        #expect(row["read_eagain_per_req_median"] == "1")
        // (0.5 + 1) s of CPU over the 2 s window.
        #expect(row["load_cpu_util_median"] == "0.75")
    }

    /// Two load threads on two pinned CPUs using 1.5 CPU-seconds a second use 75% of what they
    /// could; the same on one CPU, or with one thread, is saturation.
    @Test func load_cpu_is_divided_by_the_cpus_its_threads_could_use() {
        let twoThreads = SweepPoint(sweep: "t", backend: "poll", connections: 100, active: 10, threads: 2, warmup: 1, duration: 2)
        let cpuSeconds = ["load_user_s": "2", "load_sys_s": "1"]
        func util(_ point: SweepPoint, _ cpus: String) -> Double? {
            var figures = cpuSeconds
            figures["load_cpus"] = cpus
            return SweepSummary.figureValue("load_cpu_util", in: rawRow(figures, of: point))
        }
        #expect(util(twoThreads, "1-2") == 0.75, "3 s over 2 s on 2 CPUs")
        #expect(util(twoThreads, "1-3") == 0.75, "2 threads use at most 2 of 3 CPUs")
        #expect(util(twoThreads, "1") == 1.5, "2 threads on 1 CPU")
        #expect(util(point, "1-3") == 1.5, "1 thread uses 1 CPU however many it may run on")
        let rows = [rawRow(cpuSeconds.merging(["load_cpus": "1-2"]) { _, new in new }, of: twoThreads)]
        #expect(SweepSummary.warnings(for: rows).isEmpty, "75% is not saturation")
        #expect(warnings(for: rows[0]).allSatisfy { !$0.contains("load generator") })
    }

    /// Six repetitions: min–max is the widest order-statistic interval and covers the median with
    /// probability 1 − 2/2⁶ = 0.96875 (≥ 95%); the 500 lies beyond Tukey's upper fence
    /// (Q1 = 101.25, Q3 = 103.75, fence 107.5) and is counted, not dropped.
    @Test func median_interval_coverage_n_and_outliers() {
        let values = ["103", "100", "500", "101", "104", "102"]
        let rows = values.enumerated().map { rawRow(["server_cpu_us_per_req": $1, "lat_p99_us": $0 < 5 ? "7" : ""], rep: $0 + 1) }
        let row = SweepSummary.summarize(rows: rows).rows[0]
        #expect(row["server_cpu_us_per_req_median"] == "102.5")
        #expect(row["server_cpu_us_per_req_ci_low"] == "100")
        #expect(row["server_cpu_us_per_req_ci_high"] == "500")
        #expect(row["server_cpu_us_per_req_ci_coverage"] == "0.96875")
        #expect(row["server_cpu_us_per_req_n"] == "6")
        #expect(row["server_cpu_us_per_req_outliers"] == "1")
        #expect(row["server_cpu_us_per_req_max"] == "500")
        // Five values with the figure: no interval reaches 95%; min–max's own coverage is given.
        #expect(row["lat_p99_us_n"] == "5")
        #expect(row["lat_p99_us_ci_coverage"] == "0.9375")
        #expect(row["lat_p99_us_outliers"] == "0")
        // No values: every statistic of the figure stays empty.
        #expect((row["throughput_rps_ci_low"] ?? "") == "" && (row["throughput_rps_n"] ?? "") == "")
    }

    /// Ten repetitions: the interval drops one value at each end (coverage 1 − 2·11/1024).
    @Test func ten_repetitions_narrow_the_interval() {
        let rows = (1...10).map { rawRow(["throughput_rps": String($0 * 1000)], rep: $0) }
        let row = SweepSummary.summarize(rows: rows).rows[0]
        #expect(row["throughput_rps_ci_low"] == "2000" && row["throughput_rps_ci_high"] == "9000")
        #expect(row["throughput_rps_ci_coverage"] == "0.978516")
        #expect(row["throughput_rps_min"] == "1000" && row["throughput_rps_max"] == "10000")
    }

    @Test func no_requests_means_no_per_request_figure() {
        let row = SweepSummary.summarize(rows: [rawRow(["requests": "0", "sc_read": "5"])]).rows[0]
        #expect((row["read_per_req_median"] ?? "") == "")
    }

    @Test func skipped_and_failed_points_get_a_row_with_sanitized_reason() throws {
        let select = SweepPoint(sweep: "t", backend: "select", connections: 5000, active: 10)
        let crashed = SweepPoint(sweep: "t", backend: "epoll-et", connections: 100, active: 10)
        let outcomes = [
            PointOutcome(point: select, status: .skipped, reason: "select: fd 1024 >= FD_SETSIZE, refused"),
            PointOutcome(point: crashed, status: .failed, reason: "rep 1: server exited, signal 11\nno row"),
        ]
        let table = SweepSummary.summarize(rows: [rawRow(["throughput_rps": "5"])], outcomes: outcomes)
        #expect(table.rows.map { $0["point"] } == [point.id, select.id, crashed.id])
        let skipped = table.rows[1], failed = table.rows[2]
        #expect(skipped["status"] == "skipped" && skipped["reps"] == "0")
        #expect(skipped["reason"] == "select: fd 1024 >= FD_SETSIZE; refused")
        #expect((skipped["throughput_rps_median"] ?? "") == "")
        #expect(skipped["connections"] == "5000")
        #expect(failed["status"] == "failed")
        #expect(failed["reason"] == "rep 1: server exited; signal 11 no row")
        // The table can be written: no field holds a comma.
        _ = try table.render()
    }

    @Test func a_measured_point_with_a_failed_rep_stays_ok_and_keeps_the_reason() {
        let table = SweepSummary.summarize(rows: [rawRow(["throughput_rps": "5"])],
                                           outcomes: [PointOutcome(point: point, status: .failed, reason: "rep 2: timeout")])
        #expect(table.rows.count == 1)
        #expect(table.rows[0]["status"] == "ok" && table.rows[0]["reps"] == "1")
        #expect(table.rows[0]["reason"] == "rep 2: timeout")
    }

    @Test func points_appear_in_first_appearance_order_or_the_given_order() {
        let other = SweepPoint(sweep: "t", backend: "select", connections: 100, active: 10)
        let rows = [rawRow([:], of: other), rawRow([:]), rawRow([:], of: other, rep: 2)]
        let table = SweepSummary.summarize(rows: rows)
        #expect(table.rows.map { $0["point"] } == [other.id, point.id])
        #expect(table.rows.map { $0["reps"] } == ["2", "1"])
        let ordered = SweepSummary.summarize(rows: rows, pointOrder: [point.id, other.id])
        #expect(ordered.rows.map { $0["point"] } == [point.id, other.id])
    }

    @Test func saturated_reps_are_counted_with_the_side_that_was_the_limit() {
        let rows = [
            rawRow(["saturated_by": "client"], rep: 1),
            rawRow(["saturated_by": ""], rep: 2),
            rawRow(["saturated_by": "both"], rep: 3),
            rawRow(["saturated_by": "client"], rep: 4),
        ]
        let row = SweepSummary.summarize(rows: rows).rows[0]
        #expect(row["saturated_reps"] == "3")
        #expect(row["reason"] == "saturated in 3/4 reps (limit: client 2 both 1)")
        let clean = SweepSummary.summarize(rows: [rawRow(["saturated_by": ""])]).rows[0]
        #expect(clean["saturated_reps"] == "0" && clean["reason"] == "")
    }

    /// Written to a real file the way a sweep writes it, and read back the way check, compare and
    /// plot read it: every cell of every row comes back, reasons with commas and quotes included.
    @Test func summary_round_trips_through_a_file() throws {
        let other = SweepPoint(sweep: "t", backend: "epoll-et", connections: 100, active: 10, warmup: 1, duration: 2)
        let rows = [rawRow(["throughput_rps": "1234567.891", "lat_p99_us": "12.5"]),
                    rawRow(["throughput_rps": "1000", "saturated_by": "client"], of: other)]
        let outcomes = [PointOutcome(point: SweepPoint(sweep: "t", backend: "select", connections: 2000, active: 10),
                                     status: .skipped, reason: "2000 connections, \"beyond\" FD_SETSIZE, 1024")]
        let table = SweepSummary.summarize(rows: rows, outcomes: outcomes)
        #expect(table.rows[0]["throughput_rps_median"] == "1234568")
        let path = NSTemporaryDirectory() + "mux-summary-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv"
        defer { unlink(path) }
        try table.write(to: path)
        let read = try CSVTable.read(path: path, requireLineEnd: true)
        #expect(read.header == table.header)
        // A column a row leaves out is written empty and read back empty.
        #expect(read.rows.count == table.rows.count)
        for (written, back) in zip(table.rows, read.rows) {
            let differing = table.header.filter { (written[$0] ?? "") != (back[$0] ?? "") }
            #expect(differing.isEmpty, "\(differing.map { "\($0): '\(written[$0] ?? "")' → '\(back[$0] ?? "")'" })")
        }
        #expect(read.rows.map { $0["status"] } == ["ok", "ok", "skipped"] && read.rows[2]["reason"]?.contains("\"beyond\"") == true)
    }
}

@Suite struct CompactNumberTests {
    @Test(arguments: [
        (3.0, "3"), (0.5, "0.5"), (1234.5678, "1234.57"), (0.000123456789, "0.000123457"),
        (1_234_567.8, "1234568"), (0.1 + 0.2, "0.3"), (-2.25, "-2.25"), (-0.0, "0"),
        (1e15 + 0.5, "1000000000000000"), (2.0000001, "2"), (999999.7, "1000000"),
        (1e20, "100000000000000000000"), (1e-30, "0"),
    ])
    func formats(value: Double, text: String) {
        #expect(formatCompactNumber(value) == text)
    }

    @Test func not_finite_is_empty() {
        #expect(formatCompactNumber(.nan) == "")
        #expect(formatCompactNumber(.infinity) == "")
    }
}
