import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit

/// The committed latency-load sweep: 396 measured rows and 119 probes of 11 rate searches, all
/// measured for real (results/latency-load-2026-11-26.csv), and the search line they were measured under.
private func latencyLoad() throws -> (rows: [[String: String]], spec: SweepSpec, committed: CSVTable) {
    let rows = try CSVTable.read(path: repositoryRoot + "/results/latency-load-2026-11-26.csv").rows
    let spec = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/latency-load.sweep")
    let committed = try CSVTable.read(path: repositoryRoot + "/results/latency-load-2026-11-26-summary.csv")
    return (rows, spec, committed)
}

@Suite struct SummaryRowFactsTests {
    /// Every search row says which bound it searched under and how it ended, in typed columns;
    /// the probes that found the load generator the limit are counted where the summary written
    /// when the sweep was measured said so in prose only.
    @Test func searchRowsFromRealRowsCarryTheirBoundOutcomeAndClientLimitedProbes() throws {
        let (rows, spec, committed) = try latencyLoad()
        let search = try #require(spec.search)
        let table = SweepSummary.summarize(rows: rows, pointOrder: spec.points().map(\.id), search: search)
        let searches = table.rows.filter(SummaryRows.isSearch)
        #expect(searches.count == spec.searchPoints().count && searches.count == 11)
        for row in searches {
            let id = row["point"] ?? ""
            let probes = rows.filter { $0["point"] == id && !($0["probe"] ?? "").isEmpty }
            #expect(row["row_kind"] == "search" && row["status"] == "ok", "\(id)")
            #expect(row["search_metric"] == "p50" && row["search_bound_us"] == "5000", "\(id)")
            #expect(row["search_outcome"] == "answered", "\(id)")
            #expect(row["max_sustainable_rps"] == probes.last { $0["probe"] == "confirm/sustained" }?["rate_target_rps"], "\(id)")
            let limited = probes.filter { $0["probe"]?.hasSuffix("/client-limited") == true }.count
            #expect(row["search_client_limited_probes"] == String(limited), "\(id)")
            // The same fact as the prose of the summary written at measurement time, and the
            // committed summary's typed columns are exactly what the summary writes now.
            let then = try #require(committed.rows.first { $0["point"] == id })
            #expect((then["reason"] ?? "").contains("the load generator was the limit") == (limited > 0), "\(id)")
            for column in ["row_kind", "search_metric", "search_bound_us", "search_outcome", "search_client_limited_probes"] {
                #expect(then[column] == row[column], "\(id) \(column)")
            }
        }
        #expect(searches.filter { $0["search_client_limited_probes"] != "0" }.count == 10, "poll at 10,000 connections alone ran out first")
    }

    /// Point rows are `point`, leave the search columns empty and count the reps whose
    /// `saturated_by` is client or both.
    @Test func pointRowsCountTheirClientLimitedReps() throws {
        let (rows, spec, committed) = try latencyLoad()
        let table = SweepSummary.summarize(rows: rows, pointOrder: spec.points().map(\.id), search: spec.search)
        let points = table.rows.filter { !SummaryRows.isSearch($0) }
        #expect(points.count == spec.points().count)
        var total = 0
        for row in points {
            let id = row["point"] ?? ""
            let limited = rows.filter { $0["point"] == id && ($0["probe"] ?? "").isEmpty
                && ["client", "both"].contains($0["saturated_by"] ?? "") }.count
            total += limited
            #expect(row["row_kind"] == "point" && row["client_limited_reps"] == String(limited), "\(id)")
            let then = committed.rows.first { $0["point"] == id }
            #expect(then?["row_kind"] == "point" && then?["client_limited_reps"] == String(limited), "\(id)")
            // Not applicable: left empty (the CSV writes an absent value as an empty field).
            #expect(["search_metric", "search_bound_us", "search_outcome", "search_client_limited_probes"]
                .allSatisfy { (row[$0] ?? "").isEmpty }, "\(id)")
        }
        #expect(total == 110, "84 client + 26 both in the raw rows")
    }

    /// A search with no answer keeps a row of its own, typed as a search, with how it ended.
    @Test func aSearchWithoutAnAnswerSaysWhetherNothingWasSustainedOrARunFailed() throws {
        let search = try #require(SearchSpec.parse(["p99", "<=", "2ms"]))
        func outcome(_ backend: String, _ ended: SearchOutcome) -> PointOutcome {
            let point = SweepPoint(sweep: "t", backend: backend, connections: 100, active: 10, rate: .perSecond(1000))
            var parameters = point.rowParameters
            parameters["point"] = point.searchID
            parameters["rate_target_rps"] = ""
            return PointOutcome(parameters: parameters, status: .skipped, reason: "\(search.reasonPrefix): no answer", search: ended)
        }
        let table = SweepSummary.summarize(rows: [], outcomes: [outcome("poll", .none), outcome("epoll-et", .failed)], search: search)
        #expect(table.rows.count == 2)
        for (row, ended) in zip(table.rows, ["none", "failed"]) {
            #expect(row["row_kind"] == "search" && row["status"] == "skipped" && row["reps"] == "0")
            #expect(row["search_metric"] == "p99" && row["search_bound_us"] == "2000" && row["search_outcome"] == ended)
            #expect((row["max_sustainable_rps"] ?? "").isEmpty && row["search_client_limited_probes"] == "0")
            #expect(SummaryRows.isSearch(row) && !SummaryRows.isAnsweredSearch(row) && !SummaryRows.isMeasuredPoint(row))
        }
    }

    /// Summaries written before `row_kind` are read as they were written: the search's answer was
    /// the only row with `max_sustainable_rps`.
    @Test func olderSummariesWithoutTheTypedColumnsStillTellSearchRowsApart() throws {
        var committed = try latencyLoad().committed
        let typed = ["row_kind", "search_metric", "search_bound_us", "search_outcome", "client_limited_reps",
                     "search_client_limited_probes"]
        #expect(typed.allSatisfy(committed.header.contains))
        committed.header.removeAll(where: typed.contains)
        committed.rows = committed.rows.map { $0.filter { !typed.contains($0.key) } }
        let searches = committed.rows.filter(SummaryRows.isSearch)
        #expect(searches.count == 11 && searches.allSatisfy { $0["point"]?.hasSuffix("-search-t1") == true })
        #expect(committed.rows.filter(SummaryRows.isMeasuredPoint).count == committed.rows.count - 11)
    }

    @Test func statusValuesAreTheOnesTheSummaryWrites() {
        #expect(PointStatus.allCases.map(\.rawValue) == ["ok", "skipped", "failed"])
        #expect(PointStatus(PointOutcome.Status.skipped) == .skipped && PointStatus(PointOutcome.Status.failed) == .failed)
        #expect(SummaryRows.status(of: ["status": "ok"]) == .ok && SummaryRows.status(of: ["status": "OK"]) == nil)
        #expect(SummaryRows.searchOutcome(of: ["search_outcome": "none"]) == SearchOutcome.none)
    }
}
