import Foundation
import MuxMetrics
import Testing
@testable import MuxBenchKit

/// Raw rows of one point on fixed data: `figures` maps a column to one value per repetition.
private func rows(point: SweepPoint, _ figures: [String: [Double]]) -> [[String: String]] {
    let count = figures.values.first?.count ?? 0
    return (0..<count).map { rep in
        var row = Dictionary(uniqueKeysWithValues: ResultsSchema.columns.map { ($0, "") })
        row.merge(point.rowParameters) { _, new in new }
        row["rep"] = String(rep + 1)
        for (column, values) in figures { row[column] = formatCompactNumber(values[rep]) }
        return row
    }
}

private let pointA = SweepPoint(sweep: "t", backend: "epoll-et", connections: 100, active: 10)
private let pointB = SweepPoint(sweep: "t", backend: "poll", connections: 1000, active: 10)
private let baseCPU: [Double] = [7.00, 7.04, 6.98, 7.02, 7.01, 6.99]
private let baseSyscalls: [Double] = [3.03, 3.02, 3.03, 3.04, 3.03, 3.02]
private let baseThroughput: [Double] = [140_000, 141_000, 139_500, 140_500, 142_000, 139_000]

private func baseRows(_ point: SweepPoint, cpu: [Double] = baseCPU, syscalls: [Double] = baseSyscalls,
                      throughput: [Double] = baseThroughput) -> [[String: String]] {
    rows(point: point, ["server_cpu_us_per_req": cpu, "sc_per_req": syscalls, "throughput_rps": throughput,
                        "requests": throughput.map { $0 * 2 }, "errors": throughput.map { _ in 0 }])
}

private func write(_ rows: [[String: String]], to path: String, columns: [String] = ResultsSchema.columns) throws {
    try CSVTable(header: columns, rows: rows).write(to: path)
}

@Suite struct ComparisonTests {
    /// Six above six with no overlap: U = 36, the most extreme of C(12,6) = 924 orderings, so the
    /// exact two-sided p is 2/924; +10% is beyond cpu/req's 3%: a gated regression.
    @Test func a_ten_percent_cpu_increase_is_a_regression() throws {
        let old = baseRows(pointA)
        let new = baseRows(pointA, cpu: baseCPU.map { $0 * 1.10 })
        let results = try Comparison.compare(old: old, new: new, figures: JudgedFigure.defaults)
        let cpu = try #require(results.first { $0.figure.name == "server_cpu_us_per_req" })
        #expect(cpu.test.statistic == 36 && cpu.test.method == .exact)
        #expect(abs(cpu.test.pTwoSided - 2.0 / 924) < 1e-12)
        #expect(abs((cpu.change ?? 0) - 0.10) < 1e-9)
        // The interval of the ratio brackets +10% and stays clear of zero.
        #expect(cpu.changeLow > 0.08 && cpu.changeLow <= 0.10 && cpu.changeHigh >= 0.10 && cpu.changeHigh < 0.12)
        #expect(cpu.isRegression)
        // Syscalls did not move: not a change.
        let syscalls = try #require(results.first { $0.figure.name == "sc_per_req" })
        #expect(!syscalls.isChange && !syscalls.isRegression)
    }

    /// +1% on every run is significant (p = 2/924) but inside the 3% noise threshold: `~`.
    @Test func a_significant_change_inside_the_threshold_is_noise() throws {
        let results = try Comparison.compare(old: baseRows(pointA), new: baseRows(pointA, cpu: baseCPU.map { $0 * 1.01 }),
                                             figures: JudgedFigure.defaults)
        let cpu = try #require(results.first { $0.figure.name == "server_cpu_us_per_req" })
        #expect(cpu.significant && !cpu.isChange && !cpu.isRegression)
    }

    /// +10% on the median but overlapping samples: not significant (p well above 0.05), `~`.
    @Test func a_large_but_insignificant_change_is_noise() throws {
        let new: [Double] = [7.7, 6.9, 7.8, 7.0, 7.75, 6.95]
        let results = try Comparison.compare(old: baseRows(pointA), new: baseRows(pointA, cpu: new), figures: JudgedFigure.defaults)
        let cpu = try #require(results.first { $0.figure.name == "server_cpu_us_per_req" })
        #expect(!cpu.significant && !cpu.isRegression)
        #expect(cpu.test.pTwoSided > 0.3)
    }

    @Test func too_few_samples_and_no_common_points_are_refused() {
        #expect(throws: Comparison.Problem.tooFewSamples(point: pointA.id, side: "OLD", count: 3)) {
            try Comparison.compare(old: Array(baseRows(pointA).prefix(3)), new: baseRows(pointA), figures: JudgedFigure.defaults)
        }
        #expect(throws: Comparison.Problem.noCommonPoints) {
            try Comparison.compare(old: baseRows(pointA), new: baseRows(pointB), figures: JudgedFigure.defaults)
        }
    }

    @Test func gates_and_thresholds_from_the_command_line() throws {
        let figures = try configureFigures(JudgedFigure.defaults, gate: "throughput", thresholds: "cpu/req=1.5%,p99=40").get()
        #expect(figures.filter(\.gated).map(\.name) == ["throughput_rps"])
        #expect(figures.first { $0.name == "server_cpu_us_per_req" }?.threshold == 0.015)
        #expect(figures.first { $0.name == "lat_p99_us" }?.threshold == 0.4)
        #expect(throws: UsageProblem.self) { try configureFigures(JudgedFigure.defaults, gate: "speed", thresholds: nil).get() }
        #expect(throws: UsageProblem.self) { try configureFigures(JudgedFigure.defaults, gate: nil, thresholds: "cpu/req").get() }
    }
}

/// The real executable on fixed CSVs: exit statuses and the table.
@Suite struct CompareCommandTests {
    private func files(_ old: [[String: String]], _ new: [[String: String]], newColumns: [String] = ResultsSchema.columns,
                       _ body: (String, String) throws -> Void) throws {
        let directory = try makeTemporaryDirectory("compare")
        defer { removeDirectory(directory) }
        try write(old, to: "\(directory)/old.csv")
        try write(new, to: "\(directory)/new.csv", columns: newColumns)
        try body("\(directory)/old.csv", "\(directory)/new.csv")
    }

    @Test func identical_runs_exit_0_with_tildes() throws {
        try files(baseRows(pointA) + baseRows(pointB), baseRows(pointA) + baseRows(pointB)) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 0, "\(run.diagnosis)")
            // The same values on both sides are ties: the normal approximation, p = 1.
            #expect(run.stderr.contains("cpu/req") && run.stderr.contains("throughput") && run.stderr.contains("normal"), "\(run.diagnosis)")
            #expect(!run.stderr.contains("REGRESSION") && run.stderr.contains("no gated regression"), "\(run.diagnosis)")
            #expect(run.stdout.contains("\"regressions\":0") && run.stdout.contains("\"figures\":6"), "\(run.diagnosis)")
        }
    }

    @Test func a_cpu_regression_exits_3() throws {
        try files(baseRows(pointA), baseRows(pointA, cpu: baseCPU.map { $0 * 1.10 })) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 3, "\(run.diagnosis)")
            let line = run.stderr.split(separator: "\n").first { $0.contains("cpu/req") && $0.contains("REGRESSION") }
            #expect(line?.contains("+10.0%") == true && line?.contains("0.002") == true, "\(run.diagnosis)")
            #expect(run.stdout.contains("\"regressions\":1"), "\(run.diagnosis)")
            // Not gated, it is shown but passes.
            #expect(try runBench(["compare", "--gate", "none", old, new]).status == 0)
        }
    }

    @Test func a_throughput_drop_is_shown_and_gated_only_when_asked() throws {
        try files(baseRows(pointA), baseRows(pointA, throughput: baseThroughput.map { $0 * 0.8 })) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderr.split(separator: "\n").contains { $0.contains("throughput") && $0.contains("-20.0%") && $0.hasSuffix("worse") },
                    "\(run.diagnosis)")
            #expect(try runBench(["compare", "--gate", "throughput_rps", old, new]).status == 3)
            // A threshold above the drop makes it noise.
            #expect(try runBench(["compare", "--gate", "throughput_rps", "--threshold", "throughput=25%", old, new]).status == 0)
        }
    }

    /// A side that served nothing (the probe's NEW with 0 requests read as throughput −100% and
    /// "no gated regression (nothing gated)", exit 0) or whose runs counted errors is a failed
    /// run: a FAILED line naming the point and the side, exit 3, whatever is gated.
    @Test func a_side_that_served_nothing_or_errored_fails_the_comparison() throws {
        let dead = baseRows(pointA).map { row -> [String: String] in
            var row = row
            row["requests"] = "0"; row["throughput_rps"] = "0"; row["server_cpu_us_per_req"] = ""; row["sc_per_req"] = ""
            return row
        }
        try files(baseRows(pointA), dead) { old, new in
            for gate in [[], ["--gate", "none"]] {
                let run = try runBench(["compare"] + gate + [old, new])
                #expect(run.status == 3, "\(run.diagnosis)")
                #expect(run.stderr.contains("FAILED: point \(pointA.id): NEW (\(new)) is a failed run: 6 of 6 runs served no request"),
                        "\(run.diagnosis)")
                #expect(!run.stderr.contains("no gated regression (") && run.stderr.contains("the comparison fails"), "\(run.diagnosis)")
                #expect(run.stdout.contains("\"failed_runs\":1"), "\(run.diagnosis)")
            }
        }
        let errored = baseRows(pointA).map { row -> [String: String] in var row = row; row["errors"] = "12"; return row }
        try files(errored, baseRows(pointA)) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 3, "\(run.diagnosis)")
            #expect(run.stderr.contains("FAILED: point \(pointA.id): OLD (\(old)) is a failed run: 6 of 6 runs counted errors"), "\(run.diagnosis)")
        }
    }

    /// A gated figure a side has no values for was not judged: that fails, it does not pass.
    @Test func a_gated_figure_that_could_not_be_judged_fails() throws {
        let noCPU = baseRows(pointA).map { row -> [String: String] in var row = row; row["server_cpu_us_per_req"] = "nan"; return row }
        try files(baseRows(pointA), noCPU) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 3, "\(run.diagnosis)")
            #expect(run.stderr.contains("FAILED: point \(pointA.id): gated cpu/req not judged: 6 OLD and 0 NEW values"), "\(run.diagnosis)")
            #expect(run.stdout.contains("\"not_judged\":1"), "\(run.diagnosis)")
            // Not gated, it is not a gate that failed.
            #expect(try runBench(["compare", "--gate", "sc_per_req", old, new]).status == 0)
        }
    }

    @Test func bad_input_exits_2_with_one_line() throws {
        try files(Array(baseRows(pointA).prefix(3)), baseRows(pointA)) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderr.contains("at least 4 repetitions") && run.stderr.split(separator: "\n").count == 1, "\(run.diagnosis)")
        }
        try files(baseRows(pointA), baseRows(pointB)) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 2 && run.stderr.contains("no point in common"), "\(run.diagnosis)")
        }
        let fewerColumns = ResultsSchema.columns.filter { $0 != "started_at" }
        try files(baseRows(pointA), baseRows(pointA), newColumns: fewerColumns) { old, new in
            let run = try runBench(["compare", old, new])
            #expect(run.status == 2 && run.stderr.contains("different schemas"), "\(run.diagnosis)")
            #expect(try runBench(["compare", old]).status == 2)
            #expect(try runBench(["compare", old, new + ".missing"]).status == 2)
            #expect(try runBench(["compare", "--gate", "speed", old, old]).status == 2)
        }
        try files(baseRows(pointA), baseRows(pointA)) { old, _ in
            let summary = old.replacingOccurrences(of: "old.csv", with: "summary.csv")
            try SweepSummary.summarize(rows: baseRows(pointA)).write(to: summary)
            let run = try runBench(["compare", old, summary])
            #expect(run.status == 2 && run.stderr.contains("not a raw results CSV"), "\(run.diagnosis)")
        }
    }
}
