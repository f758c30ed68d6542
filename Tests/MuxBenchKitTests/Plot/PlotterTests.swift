import Foundation
import MuxMetrics
import Testing
@testable import MuxBenchKit

@Suite struct PlotterTests {
    @Test func layoutFollowsTheDimensionThatVaries() {
        #expect(plotLayout(for: SummaryFixture.table()).x == "connections")
        #expect(plotLayout(for: SummaryFixture.table()).series == SummaryFixture.backends)

        let modesOnly = plotLayout(for: SummaryFixture.table(connections: [1000], modes: ["immediate", "on-writable"]))
        #expect(modesOnly.x == "mode")
        #expect(modesOnly.split == nil)

        let both = plotLayout(for: SummaryFixture.table(connections: [100, 1000], modes: ["immediate", "on-writable"]))
        #expect(both.x == "connections")
        #expect(both.split == "mode")
        #expect(both.series.contains("epoll-et/on-writable"))

        var active = SummaryFixture.table(connections: [1000])
        active.rows = [1, 10, 100].flatMap { a in active.rows.map { var r = $0; r["active"] = String(a); return r } }
        #expect(plotLayout(for: active).x == "active")

        let protocols = SummaryFixture.table(connections: [100, 1000], protocols: ["http", "http-close"])
        #expect(plotLayout(for: protocols).x == "connections")
        #expect(plotLayout(for: protocols).split == "protocol", "one line per backend and protocol, not one zigzag")
        #expect(plotLayout(for: protocols).series.contains("poll/http-close"))
        let protocolsOnly = plotLayout(for: SummaryFixture.table(connections: [1000], protocols: ["http", "http-close"]))
        #expect(protocolsOnly.x == "protocol")
        #expect(protocolsOnly.splitValues == ["http", "http-close"])
    }

    static let hasGnuplot = gnuplotPath() != nil

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"),
          arguments: [("connections", [10, 100, 1000, 5000], ["immediate"]),
                      ("mode", [1000], ["immediate", "on-writable"]),
                      ("split", [100, 1000], ["immediate", "on-writable"]),
                      ("protocol", [1000], ["http", "http-close"])])
    func rendersEveryChartWithoutGnuplotErrors(name: String, connections: [Int], modes: [String]) throws {
        let dir = SummaryFixture.directory()
        let summary = "\(dir)/fixture-summary.csv"
        let table = name == "protocol" ? SummaryFixture.table(connections: connections, protocols: modes)
                                       : SummaryFixture.table(connections: connections, modes: modes)
        try table.write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/fixture-\(name)", sweepName: "fixture")
        #expect(paths.count == 5)
        for path in paths {
            let bytes = try #require(FileManager.default.contents(atPath: path))
            #expect(bytes.count > 1000, "\(path) is too small")
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(path) is not a PNG")
        }
        if let keep = ProcessInfo.processInfo.environment["MUXBENCH_KEEP_CHARTS"] {
            for path in paths { try? FileManager.default.copyItem(atPath: path, toPath: keep + "/" + (path as NSString).lastPathComponent) }
        }
    }

    /// Small sweeps: every backend at one connection count (one x value), or one backend at one
    /// or two. gnuplot used to warn (an empty x range; a line fit on 1-2 points) or find no data
    /// (stats took the first value for a header), and the charts were reported as not rendered.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"),
          arguments: [("one-x", SummaryFixture.backends, [1000]), ("one-point", ["poll"], [1000]),
                      ("two-points", ["epoll-et"], [10, 100])])
    func rendersSmallSummaries(name: String, backends: [String], connections: [Int]) throws {
        let dir = SummaryFixture.directory()
        let summary = "\(dir)/small-\(name)-summary.csv"
        var table = SummaryFixture.table(connections: connections)
        table.rows = table.rows.filter { backends.contains($0["backend"] ?? "") }
        try table.write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/small-\(name)", sweepName: "small")
        for path in paths {
            let bytes = try #require(FileManager.default.contents(atPath: path))
            #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "\(path) is a PNG")
        }
    }

    @Test func missingSummaryIsAFailureNotACrash() {
        #expect(runPlot(arguments: ["--results", SummaryFixture.directory(), "nothing"]) == 1)
        #expect(runPlot(arguments: []) == 2)
    }
}
