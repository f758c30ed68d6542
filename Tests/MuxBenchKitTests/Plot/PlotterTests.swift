import Foundation
import MuxMetrics
import MuxTestSupport
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

    /// An open-loop summary: a rate ladder at two connection counts, some reps saturated, and a
    /// search answer per backend and connection count.
    static func openLoopTable() -> CSVTable {
        var table = CSVTable(header: ResultsSchema.summaryColumns)
        for backend in SummaryFixture.backends {
            for connections in [1000, 10000] where !(backend == "select" && connections > 1000) {
                let knee = backend.hasPrefix("epoll") ? 120_000.0 : (connections > 1000 ? 15_000 : 60_000)
                var base: [String: String] = [
                    "sweep": "open", "backend": backend, "protocol": "echo", "mode": "immediate",
                    "connections": String(connections), "active": "100", "payload_bytes": "64", "pipeline": "1",
                    "warmup_s": "1", "duration_s": "5", "reps": "3", "status": "ok", "saturated_reps": "0",
                ]
                for rate in [5000.0, 10_000, 20_000, 40_000, 80_000] {
                    var row = base
                    row["point"] = "\(backend)-c\(connections)-r\(Int(rate))"
                    row["rate_target_rps"] = String(Int(rate))
                    let achieved = min(rate, knee)
                    if achieved < rate { row["saturated_reps"] = "3"; row["reason"] = "saturated in 3/3 reps (limit: server 3)" }
                    // A point that failed one of its own checks is drawn like a saturated one.
                    row["failed_check_reps"] = rate == 40_000 && backend == "poll" ? "1" : "0"
                    let figures = ["throughput_rps": achieved, "lat_p50_us": 40 * (1 + rate / knee), "lat_p99_us": 120 * pow(1 + rate / knee, 4),
                                   "hiccup_p99_us": 60, "floor_rtt_us": 12, "server_cpu_util": min(1, achieved * 8e-6 * (1 + Double(connections) / 5000))]
                    for figure in ResultsSchema.summaryFigures where !figure.hasPrefix("prof_") {
                        let value = figures[figure] ?? 0.5
                        row["\(figure)_median"] = SummaryFixture.format(value)
                        row["\(figure)_min"] = SummaryFixture.format(value * 0.9)
                        row["\(figure)_max"] = SummaryFixture.format(value * 1.1)
                    }
                    table.rows.append(row)
                }
                base["point"] = "\(backend)-c\(connections)-search"
                base["rate_target_rps"] = SummaryFixture.format(knee * 0.9)
                base["max_sustainable_rps"] = base["rate_target_rps"]
                base["reps"] = "1"
                base["reason"] = "search (p50 ≤ 5000 µs): ..."
                base["row_kind"] = "search"
                base["search_metric"] = "p50"
                base["search_bound_us"] = "5000"
                base["search_outcome"] = "answered"
                // Above the epoll answers the load generator was the limit: drawn hollow.
                base["search_client_limited_probes"] = backend.hasPrefix("epoll") ? "2" : "0"
                table.rows.append(base)
            }
        }
        return table
    }

    @Test func openLoopChartsListTheirPanelsAndLeaveSearchRowsOut() {
        let open = openLoopCharts(for: Self.openLoopTable())
        #expect(open.backends == SummaryFixture.backends)
        #expect(open.connections == ["1000", "10000"])
        #expect(open.rates == ["5000", "10000", "20000", "40000", "80000"], "search answers are not offered rates")
        #expect(open.searched)
        let closed = openLoopCharts(for: SummaryFixture.table())
        #expect(closed.connections.isEmpty && closed.rates.isEmpty && !closed.searched)
        #expect(plotLayout(for: Self.openLoopTable()).split == "rate_target_rps", "one line per backend and rate, no zigzag")
    }

    @Test func theMaxRateChartNamesTheSearchBoundFromTheSummary() throws {
        #expect(searchBound(in: Self.openLoopTable()) == "p50 ≤ 5000 µs")
        var other = Self.openLoopTable()
        for index in other.rows.indices where SummaryRows.isSearch(other.rows[index]) {
            other.rows[index]["search_metric"] = "p999"
            other.rows[index]["search_bound_us"] = "250.5"
        }
        #expect(searchBound(in: other) == "p999 ≤ 250.5 µs")
        // Summaries from before the typed columns: the search rows are still told apart (by
        // `max_sustainable_rps`), the bound is not known.
        let columns = ResultsSchema.summaryColumns.filter { !$0.hasPrefix("search_") && $0 != "row_kind" }
        var older = CSVTable(header: columns)
        older.rows = Self.openLoopTable().rows.map { $0.filter { columns.contains($0.key) } }
        #expect(openLoopCharts(for: older) == openLoopCharts(for: Self.openLoopTable()))
        #expect(searchBound(in: older) == nil)
        #expect(searchBound(in: SummaryFixture.table()) == nil)
    }

    @Test func titlesNameTheMachineTheLoopAndRepsTimesWindow() throws {
        let dir = SummaryFixture.directory()
        let raw = "\(dir)/open.csv"
        var row = Dictionary(uniqueKeysWithValues: ResultsSchema.columns.map { ($0, "") })
        row["cpu_model"] = "AMD EPYC 7B13"
        row["kernel"] = "6.18.0"
        try CSVTable(header: ResultsSchema.columns, rows: [row]).write(to: raw)
        let conditions = chartConditions(summary: Self.openLoopTable(), rawPath: raw)
        #expect(conditions == "AMD EPYC 7B13, Linux 6.18.0; open loop; 3 reps × 5 s", "\(conditions)")
        #expect(chartConditions(summary: SummaryFixture.table(), rawPath: "/nonexistent.csv") == "closed loop; 3 reps × 2 s")
        #expect(rawCSVPath(forSummary: "results/c10k-summary.csv") == "results/c10k.csv")
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func rendersTheOpenLoopCharts() throws {
        let dir = SummaryFixture.directory()
        let summary = "\(dir)/open-summary.csv"
        try Self.openLoopTable().write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/open", sweepName: "open")
        #expect(paths.map { ($0 as NSString).lastPathComponent }
                == chartNames.map { "open-\($0).png" } + ["open-latency-load.png", "open-cpu-equal-load.png", "open-latency-floor.png", "open-max-rate.png"])
        for path in paths {
            let bytes = try #require(FileManager.default.contents(atPath: path))
            #expect(bytes.count > 1000 && Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "\(path) is a PNG")
        }
        if let keep = ProcessInfo.processInfo.environment["MUXBENCH_KEEP_CHARTS"] {
            for path in paths { try? FileManager.default.copyItem(atPath: path, toPath: keep + "/" + (path as NSString).lastPathComponent) }
        }
    }

    /// A PNG's width and height, from its IHDR chunk (bytes 16-23, big-endian).
    static func pngSize(_ path: String) throws -> (width: Int, height: Int) {
        let bytes = try #require(FileManager.default.contents(atPath: path), "\(path) was not written")
        try #require(bytes.count > 24 && Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(path) is not a PNG")
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    /// The open-loop fixture at one offered rate: every backend's panel has one x value.
    static func oneRateTable() -> CSVTable {
        var table = openLoopTable()
        table.rows = table.rows.filter { $0["rate_target_rps"] == "10000" && ($0["max_sustainable_rps"] ?? "").isEmpty }
        return table
    }

    /// Every backend at one connection count: bars per backend (one cluster, one bar a backend),
    /// not a column of dots on one x; several connection counts keep one line per backend.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func aSingleXSummaryIsDrawnAsBarsPerBackend() throws {
        let single = plotLayout(for: SummaryFixture.table(connections: [1000]))
        #expect(single.bars && single.x == "connections" && single.splitValues == ["1000"])
        #expect(single.series == SummaryFixture.backends, "one bar per backend")
        let lines = plotLayout(for: SummaryFixture.table(connections: [100, 1000]))
        #expect(!lines.bars && lines.x == "connections")
        #expect(!plotLayout(for: SummaryFixture.table(connections: [1000], modes: ["immediate", "on-writable"])).bars,
                "a named dimension keeps its own clusters")

        let dir = SummaryFixture.directory()
        try SummaryFixture.table(connections: [1000]).write(to: "\(dir)/single-summary.csv")
        let paths = try renderCharts(summaryPath: "\(dir)/single-summary.csv", outputPrefix: "\(dir)/single", sweepName: "single")
        #expect(paths.count == chartNames.count)
        for path in paths { #expect(try Self.pngSize(path).width >= 1000, "\(path)") }
    }

    /// One offered rate per connection count (the quick sweep): the latency-under-load and floor
    /// charts draw a group of bars per backend; plot.gnuplot sizes each panel by its groups
    /// (120 px a backend + 200), so the width read back says which mode gnuplot drew. A ladder of
    /// rates keeps the lines (700 px a panel + 200).
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func oneOfferedRateDrawsLatencyBarsPerBackendAndALadderKeepsLines() throws {
        let oneRate = openLoopCharts(for: Self.oneRateTable())
        #expect(oneRate.barsPerBackend)
        #expect(oneRate.connections == ["1000", "10000"] && oneRate.rates == ["10000"])
        #expect(oneRate.backendsByConnections == ["select,poll,epoll-lt,epoll-et", "poll,epoll-lt,epoll-et"])
        #expect(!openLoopCharts(for: Self.openLoopTable()).barsPerBackend, "five rates per panel: lines")
        #expect(!openLoopCharts(for: SummaryFixture.table()).barsPerBackend, "closed loop: no latency-under-load chart")

        let dir = SummaryFixture.directory()
        for (name, table, panelWidth) in [("bars", Self.oneRateTable(), 120 * 4 + 200), ("lines", Self.openLoopTable(), 700)] {
            try table.write(to: "\(dir)/\(name)-summary.csv")
            let paths = try renderCharts(summaryPath: "\(dir)/\(name)-summary.csv", outputPrefix: "\(dir)/\(name)", sweepName: name)
            for chart in ["latency-load", "latency-floor"] {
                let path = "\(dir)/\(name)-\(chart).png"
                #expect(paths.contains(path))
                let size = try Self.pngSize(path)
                #expect(size.width == 2 * panelWidth + (name == "lines" ? 200 : 0) && size.height == 640, "\(path): \(size)")
            }
        }
    }

    /// A sweep of closed and open loop (quick: `rate = closed 10k`) at several connection counts:
    /// each backend has a closed-loop line and an open-loop line. The closed-loop points have a
    /// blank rate, named `closed` in the series (an empty word once matched every point of the
    /// backend, open ones too, and the line zigzagged between them).
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func closedAndOpenLoopPointsAreSeparateSeries() throws {
        var table = SummaryFixture.table(connections: [100, 1000])
        table.rows += table.rows.map { var row = $0; row["rate_target_rps"] = "10000"; row["point"] = (row["point"] ?? "") + "-r"; return row }
        let layout = plotLayout(for: table)
        #expect(layout.split == "rate_target_rps")
        #expect(layout.splitValues == ["closed", "10000"])
        #expect(layout.series.contains("poll/closed") && layout.series.contains("poll/10000"))
        #expect(!layout.series.contains { $0.hasSuffix("/") })
        let absent = absentFigures(in: table, layout: layout)
        #expect(!absent.contains("throughput_rps:poll/closed") && !absent.contains("lat_p99_us:poll/10000"), "each series finds its points")

        var oneCount = SummaryFixture.table(connections: [1000])
        oneCount.rows += oneCount.rows.map { var row = $0; row["rate_target_rps"] = "20000"; return row }
        #expect(plotLayout(for: oneCount).x == "rate_target_rps")
        #expect(plotLayout(for: oneCount).splitValues == ["closed", "20000"], "the closed-loop bars have a cluster")

        let dir = SummaryFixture.directory()
        try table.write(to: "\(dir)/mixed-summary.csv")
        let paths = try renderCharts(summaryPath: "\(dir)/mixed-summary.csv", outputPrefix: "\(dir)/mixed", sweepName: "mixed")
        #expect(paths.map { ($0 as NSString).lastPathComponent }.contains("mixed-latency-load.png"))
        try oneCount.write(to: "\(dir)/one-count-summary.csv")
        _ = try renderCharts(summaryPath: "\(dir)/one-count-summary.csv", outputPrefix: "\(dir)/one-count", sweepName: "one-count")
    }

    /// A real summary (the committed latency-load rows: 66 points, 11 searches) and the same with
    /// every `reason` reworded: the prose is for people, so nothing a chart or check decides moves.
    static func realSummaryAndReworded() throws -> (CSVTable, CSVTable) {
        let rows = try CSVTable.read(path: repositoryRoot + "/results/latency-load-2026-11-26.csv").rows
        let spec = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/latency-load.sweep")
        let table = SweepSummary.summarize(rows: rows, pointOrder: spec.points().map(\.id), search: spec.search)
        var reworded = table
        for index in reworded.rows.indices { reworded.rows[index]["reason"] = "reworded for people; nothing in here is data" }
        return (table, reworded)
    }

    @Test func rewordingTheReasonChangesNoChartInputAndNoCheckVerdict() throws {
        let (table, reworded) = try Self.realSummaryAndReworded()
        #expect(table.rows.contains { ($0["reason"] ?? "").contains("the load generator was the limit") }, "prose to reword")
        #expect(plotLayout(for: reworded) == plotLayout(for: table))
        #expect(openLoopCharts(for: reworded) == openLoopCharts(for: table))
        #expect(searchBound(in: table) == "p50 ≤ 5000 µs")
        #expect(searchBound(in: reworded) == searchBound(in: table))
        let layout = plotLayout(for: table)
        #expect(absentFigures(in: reworded, layout: layout) == absentFigures(in: table, layout: layout))
        let baseline = defaultBaseline(from: table)
        func verdicts(_ summary: CSVTable) -> [[Bool]] { evaluate(baseline, against: summary).map { [$0.passed, $0.compared] } }
        #expect(verdicts(reworded) == verdicts(table))
    }

    /// The rendered charts of both are the same bytes, the max-rate chart's hollow answers included.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func rewordingTheReasonRendersTheSameCharts() throws {
        let (table, reworded) = try Self.realSummaryAndReworded()
        var charts: [[Data]] = []
        for summary in [table, reworded] {
            let dir = SummaryFixture.directory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try summary.write(to: "\(dir)/latency-load-summary.csv")
            let paths = try renderCharts(summaryPath: "\(dir)/latency-load-summary.csv", outputPrefix: "\(dir)/latency-load",
                                         sweepName: "latency-load")
            #expect(paths.contains { $0.hasSuffix("-max-rate.png") })
            charts.append(try paths.map { try #require(FileManager.default.contents(atPath: $0)) })
        }
        #expect(charts[0].count == charts[1].count)
        for (index, (original, other)) in zip(charts[0], charts[1]).enumerated() {
            #expect(original == other, "chart \(index) differs when only the reason is reworded")
        }
    }

    /// Log axes are labelled at 1-2-5 steps and written 20k, 1M: gnuplot's own labels were decades
    /// only, past 1e5 in e-notation (1e+06). A summary whose connections (10…5,000), throughput
    /// (1k…220k) and p99 (405 µs…2.5 s) each span decades; CPU per request (5…50 µs) stays linear.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func logAxesAreLabelledAtOneTwoFiveStepsWithoutENotation() throws {
        var table = SummaryFixture.table()
        SummaryFixture.set("throughput_rps", to: 1000, backend: "poll", connections: 5000, in: &table)
        SummaryFixture.set("lat_p99_us", to: 2_500_000, backend: "poll", connections: 5000, in: &table)
        let dir = SummaryFixture.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try table.write(to: "\(dir)/decades-summary.csv")
        let log = "\(dir)/tics.txt"
        _ = try renderCharts(summaryPath: "\(dir)/decades-summary.csv", outputPrefix: "\(dir)/decades", sweepName: "decades", ticsLog: log)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        func labels(_ axis: String) -> String? { lines.first { $0.hasPrefix(axis + ":") }.map { String($0.dropFirst(axis.count + 1)) } }
        #expect(labels("throughput/throughput_rps x") == " 10 20 50 100 200 500 1k 2k 5k", "\(lines)")
        #expect(labels("cpu/server_cpu_us_per_req x") == labels("throughput/throughput_rps x"), "every chart's x axis: \(lines)")
        #expect(labels("throughput/throughput_rps y") == " 1k 2k 5k 10k 20k 50k 100k 200k 500k 1M", "\(lines)")
        #expect(labels("latency/lat_p99_us y") == " 100 200 500 1k 2k 5k 10k 20k 50k 100k 200k 500k 1M 2M 5M 10M", "\(lines)")
        #expect(labels("cpu/server_cpu_us_per_req y") == nil, "a linear axis keeps gnuplot's own ticks: \(lines)")
        #expect(labels("latency/lat_p50_us y") == nil, "p50 spans under 20×: linear: \(lines)")
        for line in lines { #expect(line.range(of: "[0-9]e[-+]?[0-9]|x10", options: .regularExpression) == nil, "\(line)") }
    }

    /// An open-loop summary: the latency-under-load y axis (log always), the CPU-at-equal-load and
    /// max-rate x axes (1,000 and 10,000 connections) and the floor's y axis get the same labels.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func theOpenLoopChartsLogAxesAreLabelledTheSameWay() throws {
        let dir = SummaryFixture.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.openLoopTable().write(to: "\(dir)/open-summary.csv")
        let log = "\(dir)/tics.txt"
        _ = try renderCharts(summaryPath: "\(dir)/open-summary.csv", outputPrefix: "\(dir)/open", sweepName: "open", ticsLog: log)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        func labels(_ axis: String) -> String? { lines.first { $0.hasPrefix(axis + ":") }.map { String($0.dropFirst(axis.count + 1)) } }
        // 1,000 and 10,000 connections, the range padded by 1.5 either side.
        #expect(labels("cpu-equal-load/5000 x") == " 1k 2k 5k 10k", "\(lines)")
        #expect(labels("max-rate x") == " 1k 2k 5k 10k", "\(lines)")
        // p50 from 36 µs, p99 up to 120 × (1 + 80000/15000)^4 × 1.1 ≈ 212,000 µs: 10 µs to 1 s.
        #expect(labels("latency-load/10000 y") == " 10 20 50 100 200 500 1k 2k 5k 10k 20k 50k 100k 200k 500k 1M", "\(lines)")
        // From half the 12 µs floor (6 µs, no step) to the decade above the p50s (up to 103 µs).
        #expect(labels("latency-floor/1000 y") == " 10 20 50 100 200 500 1k", "\(lines)")
        for line in lines { #expect(line.range(of: "[0-9]e[-+]?[0-9]|x10", options: .regularExpression) == nil, "\(line)") }
    }

    @Test func missingSummaryIsAFailureNotACrash() {
        #expect(runPlot(arguments: ["--results", SummaryFixture.directory(), "nothing"]) == 1)
        #expect(runPlot(arguments: []) == 2)
    }

    /// A sweep's name is only ever a value: names that would run commands as gnuplot or shell
    /// code (a sweep file named `a'.system('touch x').'` once ran `touch x` in the chart step)
    /// render every chart and create no marker file, in gnuplot's working directory (this one) or
    /// anywhere the name says.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"),
          arguments: ["q'.system('touch MARK').'", "d\"; system(\"touch MARK\"); \"", "b`touch MARK`",
                      "c$(touch MARK)", "one quote ' only", "markup_{^@&~}\\"])
    func aSweepNamedLikeCodeRendersAndRunsNothing(template: String) throws {
        let dir = SummaryFixture.directory()
        let marker = "mux-plot-marker-\(UUID().uuidString)"
        let name = template.replacingOccurrences(of: "MARK", with: marker)
        let summary = "\(dir)/\(name)-summary.csv"
        try SummaryFixture.table(connections: [100, 1000]).write(to: summary)
        let paths = try renderCharts(summaryPath: summary, outputPrefix: "\(dir)/\(name)", sweepName: name)
        #expect(paths.count == 5)
        for path in paths {
            let bytes = try #require(FileManager.default.contents(atPath: path), "\(path) was not written")
            #expect(bytes.count > 1000, "\(path) is too small")
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(path) is not a PNG")
        }
        for place in [FileManager.default.currentDirectoryPath, dir] {
            #expect(!FileManager.default.fileExists(atPath: "\(place)/\(marker)"), "the name ran a command in \(place)")
            try? FileManager.default.removeItem(atPath: "\(place)/\(marker)")
        }
    }

    @Test func titlesEscapeEnhancedTextMarkup() {
        #expect(gnuplotEnhancedLiteral("c10k") == "c10k")
        #expect(gnuplotEnhancedLiteral("a_{b}^c") == "a\\_\\{b\\}\\^c")
        #expect(gnuplotEnhancedLiteral("x\\y@z&w~v") == "x\\\\y\\@z\\&w\\~v")
    }
}
