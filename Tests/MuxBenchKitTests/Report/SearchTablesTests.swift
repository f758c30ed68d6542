import Foundation
import MuxCore
import Testing
@testable import MuxBenchKit

/// The knee: the rate search's answers, and the rate ladder read against a bound.
@Suite struct SearchTablesTests {
    @Test func the_knee_says_what_stopped_each_search_from_its_probes() throws {
        let table = try ReportFixture.table("latency-load-2026-11-26", "knee")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "| backend | conns | max sustainable rate/s (p50 ≤ 5,000 µs) | p50 there µs | server CPU there % | above it |")
        // select's first client-limited probe above 80k (83.5k/s) had both sides pegged.
        #expect(lines.contains("| select | 1,000 | 80,000 | 156 | 99 | both: the load generator, with the server at its limit too |"))
        #expect(ReportFixture.line(table, backend: "epoll-lt", connections: "1,000")?.hasSuffix("| the load generator was the limit |") == true)
        // poll at 10,000 connections: only the server's own probes (over the bound) above 29.5k/s.
        #expect(ReportFixture.line(table, backend: "poll", connections: "10,000")
            == "| poll | 10,000 | 29,500 | 2,767 | 98 | the server: over the bound or under 99% delivered |")
        #expect(lines.count == 2 + 11, "one line per search answer")
    }

    @Test func a_search_without_an_answer_says_none_instead_of_a_rate() throws {
        // What a summary row of an unanswered search holds (SweepCommand's skipped outcome); once
        // `row_kind` marks search rows, the knee reaches such rows.
        let raw = ReportCSV(path: "r.csv", header: [], rows: [])
        let skipped = ReportRow(fields: ["backend": "poll", "connections": "10000", "status": "skipped", "max_sustainable_rps": ""],
                                location: "s.csv:2")
        #expect(try SearchTables.kneeLine(skipped, raw: raw) == "| poll | 10,000 | none | – | – | nothing sustained within the bound |")
        var failed = skipped
        failed = ReportRow(fields: failed.fields.merging(["status": "failed"]) { $1 }, location: "s.csv:3")
        #expect(try SearchTables.kneeLine(failed, raw: raw) == "| poll | 10,000 | none | – | – | the search failed |")
    }

    @Test func the_ladder_finds_the_highest_rung_within_the_bound_and_says_why_the_next_failed() throws {
        let table = try ReportFixture.table("latency-load-2026-11-26", "ladder")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("| backend | conns | highest rate with p50 ≤ 1,000 µs, ≥ 99% delivered, ≤ half the reps saturated |"))
        #expect(lines.contains("| select | 1,000 | 40,000/s | 230 | 96 | 80,000/s: saturated 6/6 (both 5 neither 1) |"))
        // poll at 10,000 connections misses the bound from the lowest rung.
        #expect(ReportFixture.line(table, backend: "poll", connections: "10,000")
            == "| poll | 10,000 | none (from 5,000/s) | – | – | 5,000/s: p50 3,014 µs |")
    }

    @Test func the_ladder_bound_is_a_parameter_not_a_constant() throws {
        let strict = try SearchTables.ladder(ReportSources(directory: ReportFixture.committed, sweep: "latency-load-2026-11-26"),
                                             figure: "lat_p50_us", boundMicroseconds: 50)
        // No point of the ladder has p50 ≤ 50 µs: every line starts from its lowest rung.
        let lines = strict.split(separator: "\n").dropFirst(2)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains("| none (from 5,000/s) |") })
    }
}
