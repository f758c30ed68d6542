// `mux-bench compare OLD.csv NEW.csv`: benchstat for MuxBench rows. Exit 0: nothing gated got
// significantly worse beyond its threshold; 3: something did; 2: bad input.
import MuxCLI
import MuxMetrics

let compareParser = ArgumentParser(
    program: "mux-bench compare",
    summary: """
    Compares two raw results CSVs (one row per repetition) of the same points: per point and figure
    the median of each side, the change, its 95% confidence interval (Hodges–Lehmann) and a
    Mann–Whitney p-value (exact without ties and below 50 a side, else the normal approximation).
    A change that is not significant (p ≥ 0.05) or inside the figure's noise threshold prints as ~.
    Exit 3 when a gated figure is significantly worse beyond its threshold, when a side of a point
    is a failed run (a run that served no request or counted errors) or when a gated figure could
    not be judged (too few values); 0 otherwise; 2 on bad input.
    Needs at least \(Comparison.minimumSamples) repetitions per point on each side.
    """,
    usage: "mux-bench compare [options] OLD.csv NEW.csv",
    options: [
        OptionSpec("gate", value: "LIST", default: "server_cpu_us_per_req,sc_per_req",
                   help: "figures whose worsening fails the comparison (comma-separated; none for none)"),
        OptionSpec("threshold", value: "FIG=PCT,...",
                   help: "noise thresholds, e.g. cpu/req=2%,throughput=8% (defaults: "
                       + JudgedFigure.defaults.map { "\($0.label) \(formatPercentMagnitude($0.threshold))" }.joined(separator: ", ") + ")"),
    ],
    acceptsPositionals: true)

/// Runs `mux-bench compare` with `arguments` (after the subcommand); returns the exit status.
public func runCompare(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    switch parseSubcommand(compareParser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
    }
    func usage(_ message: String) -> Int32 {
        printError("mux-bench compare: \(message)")
        return ExitCode.usage.rawValue
    }
    guard parsed.positionals.count == 2 else {
        return usage("expected two raw results CSVs, OLD.csv NEW.csv; got \(parsed.positionals.count) argument(s)")
    }
    let figures: [JudgedFigure]
    switch configureFigures(JudgedFigure.defaults, gate: parsed.string("gate"), thresholds: parsed.string("threshold")) {
    case let .success(configured): figures = configured
    case let .failure(problem): return usage(problem.message)
    }
    let (oldPath, newPath) = (parsed.positionals[0], parsed.positionals[1])
    var tables: [CSVTable] = []
    for path in [oldPath, newPath] {
        do { tables.append(try CSVTable.read(path: path, requireLineEnd: true)) } catch { return usage(error.description) }
        guard let table = tables.last, table.header.contains("point"), table.header.contains("rep"),
              !table.header.contains("status") else {
            return usage("\(path):1: not a raw results CSV (one row per repetition, with point and rep columns; a summary will not do)")
        }
    }
    if tables[0].header != tables[1].header {
        let shared = min(tables[0].header.count, tables[1].header.count)
        let first = (0..<shared).first { tables[0].header[$0] != tables[1].header[$0] } ?? shared
        return usage("\(oldPath) and \(newPath) have different schemas (column \(first + 1) differs); rerun the older one with this build")
    }
    let comparisons: [FigureComparison]
    do {
        comparisons = try Comparison.compare(old: tables[0].rows, new: tables[1].rows, figures: figures,
                                             oldName: oldPath, newName: newPath)
    } catch {
        return usage(error.description)
    }
    let failedRuns = Comparison.failedRuns(old: tables[0].rows, new: tables[1].rows, oldName: oldPath, newName: newPath)
    let unjudged = Comparison.unjudgedGates(old: tables[0].rows, new: tables[1].rows, figures: figures, comparisons: comparisons)
    printError(renderComparisonTable(comparisons, oldName: oldPath, newName: newPath, problems: failedRuns + unjudged))
    // Rows measured with --profile: which part of the CPU moved (Profile/ProfileShift.swift).
    for line in ProfileShift.report(old: tables[0].rows, new: tables[1].rows, oldPath: oldPath, newPath: newPath) { printError(line) }
    let regressions = comparisons.filter(\.isRegression)
    let changes = comparisons.filter(\.isChange).count
    printLine("{\"compare\":\"\(jsonEscaped(newPath))\",\"baseline\":\"\(jsonEscaped(oldPath))\",\"figures\":\(comparisons.count),"
        + "\"changes\":\(changes),\"regressions\":\(regressions.count),\"failed_runs\":\(failedRuns.count),\"not_judged\":\(unjudged.count)}")
    // A broken side or an unjudged gate fails like a regression: CI must not pass what it could not judge.
    return regressions.isEmpty && failedRuns.isEmpty && unjudged.isEmpty ? ExitCode.success.rawValue : ExitCode.regression.rawValue
}

/// The benchstat-like table: one line per point and figure, `~` for no real change.
func renderComparisonTable(_ comparisons: [FigureComparison], oldName: String, newName: String, problems: [String] = []) -> String {
    let header = ["point", "figure", "old", "new", "change", "95% CI", "p", "n", "test", "verdict"]
    var lines = [header]
    var previousPoint = ""
    for c in comparisons {
        let verdict = c.isRegression ? "REGRESSION"
            : c.isChange ? (c.change.map(c.figure.isWorse) == true ? "worse" : "better") : "~"
        lines.append([
            c.point == previousPoint ? "" : c.point, c.figure.label,
            formatCompactNumber(c.oldMedian), formatCompactNumber(c.newMedian),
            c.isChange ? c.change.map(formatPercent) ?? "?" : "~",
            c.changeLow.isFinite ? "[\(formatPercent(c.changeLow)), \(formatPercent(c.changeHigh))]" : "-",
            formatPValue(c.test.pTwoSided), "\(c.oldCount)+\(c.newCount)",
            c.test.method == .exact ? "exact" : "normal", verdict,
        ])
        previousPoint = c.point
    }
    var text = "old: \(oldName)\nnew: \(newName)\n" + alignColumns(lines)
    let gated = comparisons.map(\.figure).filter(\.gated)
    let gatedNames = Array(Set(gated.map(\.label))).sorted().joined(separator: ", ")
    let regressions = comparisons.filter(\.isRegression).count
    text += "\(comparisons.filter(\.isChange).count) of \(comparisons.count) figures changed significantly (p < 0.05) beyond their noise threshold; "
    text += regressions > 0 ? "\(regressions) gated regression(s)"
        : problems.isEmpty ? "no gated regression" : "no gated regression among what could be judged"
    text += gatedNames.isEmpty ? " (nothing gated)\n" : " (gated: \(gatedNames))\n"
    for problem in problems { text += "FAILED: \(problem)\n" }
    if !problems.isEmpty { text += "the comparison fails: \(problems.count) thing(s) above could not be judged\n" }
    return text
}

/// Rows of cells padded to each column's width, two spaces apart.
func alignColumns(_ lines: [[String]]) -> String {
    var widths = [Int](repeating: 0, count: lines.map(\.count).max() ?? 0)
    for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
    var text = ""
    for line in lines {
        let cells = line.enumerated().map { i, cell in
            i == line.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        text += cells.joined(separator: "  ") + "\n"
    }
    return text
}

/// `+10.3%`, `-0.4%`, `+0.0%`: a relative change with one decimal and its sign.
func formatPercent(_ fraction: Double) -> String {
    guard fraction.isFinite else { return "?" }
    let tenths = Int((fraction * 1000).rounded())
    let sign = tenths < 0 ? "-" : "+"
    return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)%"
}

/// `3%`, `12.5%`: a threshold.
func formatPercentMagnitude(_ fraction: Double) -> String { formatCompactNumber((fraction * 1000).rounded() / 10) + "%" }

/// `0.002`, `0.0312`, `<0.001`.
func formatPValue(_ p: Double) -> String {
    p < 0.001 ? "<0.001" : formatCompactNumber((p * 1000).rounded() / 1000)
}

func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
