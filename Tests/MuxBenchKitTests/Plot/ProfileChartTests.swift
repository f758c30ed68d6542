// "Where the CPU goes" (OUT-cpu-profile.png): drawn from the summary's profile shares when it has
// them, one panel per offered rate, and not at all without them.
import Foundation
import MuxMetrics
import Testing
@testable import MuxBenchKit

@Suite struct ProfileChartTests {
    /// The fixture with shares shaped like the real profiles: select and poll mostly scanning,
    /// growing with connections; epoll mostly TCP and wake-ups.
    static func profiledTable(rates: [String] = []) -> CSVTable {
        var table = SummaryFixture.table()
        for index in table.rows.indices where table.rows[index]["status"] == "ok" {
            let scans = ["select", "poll"].contains(table.rows[index]["backend"] ?? "")
            let connections = Double(table.rows[index]["connections"] ?? "") ?? 0
            let scan = scans ? min(90, 10 + connections / 60) : 0.2
            let shares: [ProfileCategory: Double] = [
                .readinessScan: scan, .epoll: scans ? 0 : 4, .copyUser: 1, .tcpRx: (100 - scan) * 0.4,
                .tcpTx: (100 - scan) * 0.25, .wakeupSched: (100 - scan) * 0.25, .syscallEntry: 1, .user: 3, .other: 0.5,
            ]
            for category in ProfileCategory.allCases {
                for statistic in ["median", "min", "max"] {
                    table.rows[index]["\(category.column)_\(statistic)"] = SummaryFixture.format(shares[category] ?? 0)
                }
            }
        }
        guard !rates.isEmpty else { return table }
        let rows = table.rows
        table.rows = rates.flatMap { rate in rows.map { var row = $0; row["rate_target_rps"] = rate; return row } }
        return table
    }

    @Test(.enabled(if: PlotterTests.hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"),
          arguments: [[String](), ["10000", "30000"]])
    func aProfiledSummaryGetsTheChart(rates: [String]) throws {
        let dir = SummaryFixture.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = "\(dir)/prof-summary.csv"
        try Self.profiledTable(rates: rates).write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/prof", sweepName: "prof")
        #expect(paths.contains("\(dir)/prof-cpu-profile.png"), "\(paths)")
        let bytes = try #require(FileManager.default.contents(atPath: "\(dir)/prof-cpu-profile.png"))
        #expect(bytes.count > 5000, "a chart, not an empty image: \(bytes.count) bytes")
    }

    @Test(.enabled(if: PlotterTests.hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func aSummaryWithoutProfilesHasNoProfileChart() throws {
        let dir = SummaryFixture.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = "\(dir)/plain-summary.csv"
        try SummaryFixture.table().write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/plain", sweepName: "plain")
        #expect(!paths.contains { $0.hasSuffix("-cpu-profile.png") }, "\(paths)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/plain-cpu-profile.png"))
    }
}
