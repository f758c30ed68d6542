import Foundation
import MuxCore
import Testing
@testable import MuxBenchKit

/// A figure per backend over one swept dimension, and CPU at equal offered load.
@Suite struct MatrixTablesTests {
    @Test func cpu_per_request_over_connections_has_a_column_per_count_and_marks_saturated_points() throws {
        let table = try ReportFixture.table("c10k", "cpu-per-request")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "| server_cpu_us_per_req (median [95% CI]) | 100 | 1,000 | 2,500 | 5,000 | 10,000 |")
        #expect(lines.contains("| poll | 5.15 [3.97–5.57] (6/6 sat.) | 5.70 [4.96–6.79] (2/6 sat.) | 9.64 [8.70–10.81] "
            + "| 15.93 [14.57–16.54] | 31.56 [28.34–47.07] |"))
        // select beyond FD_SETSIZE was skipped: no row, so a dash.
        #expect(lines.contains { $0.hasPrefix("| select | ") && $0.hasSuffix("| – | – | – |") })
        #expect(ReportFixture.backends(table) == Backend.names)
    }

    @Test func a_named_dimension_orders_its_words() throws {
        let table = try ReportFixture.table("write-mode", "syscalls-per-request")
        #expect(table.hasPrefix("| sc_per_req (median [95% CI]) | immediate | on-writable |"))
        #expect(table.contains("| epoll-lt | 2.20 [2.07–2.23] (5/6 sat.) | 4.14 [4.02–4.26] (5/6 sat.) |"))
    }

    @Test func equal_load_names_the_limiting_side_of_a_saturated_point() throws {
        let table = try ReportFixture.table("c10k-equal-load-2026-11-26", "equal-10000")
        #expect(table.hasPrefix("Server CPU, % of one CPU (median [95% CI]), at 10,000 requests/s offered:\n\n"
            + "| backend | 100 conns | 1,000 conns | 2,500 conns | 5,000 conns | 10,000 conns |"))
        #expect(table.contains("| select | 51.3 [45.0–57.6] (saturated 1/6 (neither 1)) | 96.7 [22.6–98.3] (saturated 1/6 (neither 1)) | – | – | – |"))
    }

    @Test func dimension_values_put_numbers_in_numeric_order_before_words() {
        let rows = ["1000", "100", "zeta", "10000", "alpha"].map { ReportRow(fields: ["c": $0], location: "x") }
        let values = (try? MatrixTables.dimensionValues(rows, "c")) ?? []
        #expect(values.map(\.label) == ["100", "1,000", "10,000", "alpha", "zeta"])
    }
}
