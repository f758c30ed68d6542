import Foundation
import MuxCore
import Testing
@testable import MuxBenchKit

/// Latency and per-request tables from the committed sweeps' rows.
@Suite struct PointTablesTests {
    @Test func latency_at_10000_connections_shows_poll_falling_behind_with_its_interval_and_limit() throws {
        let table = try ReportFixture.table("latency-load-2026-11-26", "latency-10000")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("| backend | conns | offered/s | achieved/s | p50 µs | p99 µs [95% CI] |"))
        // 3 rates × the 5 backends measured at 10,000 connections (select cannot hold them).
        #expect(lines.count == 2 + 15)
        #expect(lines.contains("| poll | 10,000 | 40,000 | 31,503 | 351,928 | 1,772,094 [1,155,531–2,401,239] "
            + "| 8,337 | 399 | 803 | 94 | 6/6 (server 6) |"))
        let first = try #require(lines.first { $0.hasPrefix("| poll | 10,000 | 5,000 |") })
        #expect(first.hasSuffix("| 97 | – |"), "not saturated at 5k/s")
        #expect(ReportFixture.backends(table) == ReportFixture.backends(table).sorted { ReportRows.backendRank($0) < ReportRows.backendRank($1) })
        #expect(!ReportFixture.backends(table).contains("select"))
    }

    @Test func per_request_costs_of_c10k_in_closed_loop_at_1000_and_10000_connections() throws {
        let table = try ReportFixture.table("c10k", "per-request")
        #expect(ReportFixture.line(table, backend: "poll", connections: "10,000")
            == "| poll | 10,000 | 31,318 | 31.56 [28.34–47.07] | 2.01 | 0.01 | 0.00 | 0.00 | 1.00 | 1.00 | 0.00 | 0.00 | 2,515 | 8,292 | – |")
        #expect(ReportFixture.line(table, backend: "epoll-lt", connections: "10,000")?.hasSuffix("| 6/6 (client 1 both 5) |") == true)
        #expect(ReportFixture.line(table, backend: "poll", connections: "100") == nil, "only 1,000 and 10,000")
        let at1000 = ReportFixture.backends(table).prefix(Backend.names.count)
        #expect(Array(at1000) == Backend.names, "every backend at 1,000, in Backend's order")
    }

    @Test func redis_at_an_offered_rate_keeps_only_that_rate() throws {
        let table = try ReportFixture.table("redis", "per-request-20000")
        #expect(table.contains("| io-uring | 100 | 19,965 | 27.22 [19.45–38.65] | 0.71 |"))
        #expect(table.contains("| 1/6 (neither 1) |"))
        let closed = try ReportFixture.table("redis", "per-request-closed")
        #expect(!closed.contains("19,965"))
        #expect(closed.contains("| io-uring | 100 | 189,632 | 4.67 [4.42–5.99] |"))
    }
}
