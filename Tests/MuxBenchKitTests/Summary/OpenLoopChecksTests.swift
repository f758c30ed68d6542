import Testing
@testable import MuxBenchKit

/// An open-loop row's own checks: rate within 1%, send lateness well under the mean gap, and for
/// exponential arrivals the gaps' fit; a failed check is counted and named in the summary.
@Suite struct OpenLoopChecksTests {
    private func row(offered: String = "40000", achieved: String = "39900", threads: String = "1",
                     lateP50: String = "0.3", lateP99: String = "9", ks: String = "", critical: String = "") -> [String: String] {
        ["rate_target_rps": offered, "throughput_rps": achieved, "threads": threads, "active": "100",
         "send_late_p50_us": lateP50, "send_late_p99_us": lateP99, "gap_ks_d": ks, "gap_ks_critical": critical]
    }

    @Test func a_run_that_kept_its_schedule_passes_every_check_that_applies() {
        var r = row(ks: "0.02", critical: "0.0436")
        OpenLoopChecks.record(into: &r)
        #expect(r["rate_check"] == "ok" && r["lateness_check"] == "ok" && r["gap_check"] == "ok")
        #expect(OpenLoopChecks.failed(r).isEmpty)
    }

    @Test func each_check_fails_on_its_own_figure() {
        func checked(_ r: [String: String]) -> [String: String] {
            var r = r
            OpenLoopChecks.record(into: &r)
            return r
        }
        let short = checked(row(achieved: "39500"))        // 1.25% short
        let late = checked(row(lateP50: "3"))               // over a tenth of the 25 µs gap
        let tail = checked(row(lateP99: "30"))              // over one gap
        let bursty = checked(row(ks: "0.2", critical: "0.0436"))
        #expect(OpenLoopChecks.failed(short) == [.rate])
        #expect(OpenLoopChecks.failed(late) == [.lateness])
        #expect(OpenLoopChecks.failed(tail) == [.lateness])
        #expect(OpenLoopChecks.failed(bursty) == [.gap])
    }

    @Test func the_gap_is_a_threads_share_of_the_rate() {
        // Two threads at 40,000/s: each sends every 50 µs, so 4 µs at the median is within a tenth.
        var r = row(threads: "2", lateP50: "4", lateP99: "40")
        OpenLoopChecks.record(into: &r)
        #expect(r["lateness_check"] == "ok")
        #expect(OpenLoopChecks.meanGapMicroseconds(of: r) == 50)
    }

    @Test func closed_loop_and_missing_figures_leave_the_checks_empty() {
        var closed = row(offered: "")
        OpenLoopChecks.record(into: &closed)
        #expect(closed["rate_check"] == "" && closed["lateness_check"] == "" && closed["gap_check"] == "")
        var constant = row(lateP50: "", lateP99: "")
        OpenLoopChecks.record(into: &constant)
        #expect(constant["rate_check"] == "ok" && constant["lateness_check"] == "" && constant["gap_check"] == "")
    }

    @Test func the_summary_counts_and_names_failed_checks() {
        var ok = row(), short = row(achieved: "30000", lateP50: "20")
        OpenLoopChecks.record(into: &ok)
        OpenLoopChecks.record(into: &short)
        for (key, value) in ResultsSchemaParameters.example { ok[key] = value; short[key] = value }
        let summary = SweepSummary.summaryRow(parameters: ok, rows: [ok, short], outcomes: [])
        #expect(summary["failed_check_reps"] == "1")
        #expect(summary["reason"]?.contains("check failed in 1/2 reps (rate 1 lateness 1)") == true, "\(summary["reason"] ?? "")")
    }
}

/// Point parameters for a summary row built from hand-made rows.
private enum ResultsSchemaParameters {
    static let example = ["sweep": "t", "point": "p", "backend": "epoll-et", "connections": "1000"]
}
