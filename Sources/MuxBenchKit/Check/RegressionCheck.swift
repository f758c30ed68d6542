// Compares a summary CSV with a baseline: one verdict per check. Points a check needs that
// the run lacks, skipped or failed, are regressions too: a check that cannot run must not pass.
import Foundation
import MuxMetrics

/// One line of the check table.
public struct CheckResult: Equatable, Sendable {
    public let figure: String
    public let point: String
    public let baseline: String
    public let measured: String
    public let tolerance: String
    public let passed: Bool
    public let verdict: String
    /// False for a check that passed without comparing anything (every point it needs saturated):
    /// the final line counts it apart, so "passed" never covers what was not judged.
    public var compared = true
}

/// What a selector finds among a run's summary rows.
enum PointLookup {
    case found([String: String])
    case missing
    case notOK(status: String, reason: String)
    case ambiguous(count: Int)

    init(_ selector: PointSelector, in rows: [[String: String]]) {
        let matching = rows.filter(selector.matches)
        let ok = matching.filter(SummaryRows.isOK)
        if ok.count == 1 { self = .found(ok[0]) }
        else if ok.count > 1 { self = .ambiguous(count: ok.count) }
        else if let other = matching.first {
            self = .notOK(status: other["status"] ?? "", reason: other["reason"] ?? "")
        } else { self = .missing }
    }

    /// Why a check could not use this point, as a verdict; nil when found.
    var problem: String? {
        switch self {
        case .found: return nil
        case .missing: return "REGRESSION: point missing from the run"
        case let .notOK(status, reason):
            return "REGRESSION: point \(status.isEmpty ? "not ok" : status)" + (reason.isEmpty ? "" : " (\(reason))")
        case let .ambiguous(count):
            return "REGRESSION: \(count) points match; add keys to the selector"
        }
    }
}

/// The figure's value in a summary row (`_median` unless told): a finite number, or nil when
/// empty, absent, or not a finite number (`nan`, `inf`: a broken run, never a value to compare).
func summaryStatistic(_ row: [String: String], _ figure: String, _ statistic: String = "median") -> Double? {
    row["\(figure)_\(statistic)"].flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
}

/// Why `summaryStatistic` found nothing, for a verdict: the text that is not a finite number, or "no value".
func missingValueReason(_ row: [String: String], _ figure: String, _ statistic: String = "median") -> String {
    let column = "\(figure)_\(statistic)"
    guard let text = row[column], !text.isEmpty else { return "no value" }
    return "\(column) is '\(text)', not a finite number"
}

/// Figures that say how fast the server was. A saturated point's speed is not the server's (the
/// client, or both processes, set it), so the check never compares it; counts per request stay.
let speedFigures: Set<String> = [
    "requests", "throughput_rps", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us",
    "lat_max_us", "server_cpu_us_per_req", "load_cpu_util",
]

/// Why a speed figure of this summary row must not be compared, or nil.
func saturationExcuse(_ figure: String, _ row: [String: String]) -> String? {
    guard speedFigures.contains(figure), let count = Int(row["saturated_reps"] ?? ""), count > 0 else { return nil }
    return "not compared: \(count)/\(row["reps"] ?? "?") reps saturated (\(row["reason"] ?? ""))"
}

/// Checks every baseline entry against `table` (a summary CSV).
public func evaluate(_ baseline: Baseline, against table: CSVTable) -> [CheckResult] {
    baseline.checks.map { evaluate($0, rows: table.rows) }
}

func evaluate(_ check: BaselineCheck, rows: [[String: String]]) -> CheckResult {
    switch check.kind {
    case .max: return evaluateMax(check, rows: rows)
    case .value: return evaluateValue(check, rows: rows)
    case .ratio: return evaluateRatio(check, rows: rows)
    }
}

/// Every matching ok point's worst repetition must stay at or below the limit.
private func evaluateMax(_ check: BaselineCheck, rows: [[String: String]]) -> CheckResult {
    let selector = check.point ?? PointSelector()
    let limit = check.max ?? 0
    func result(_ measured: String, _ passed: Bool, _ verdict: String) -> CheckResult {
        CheckResult(figure: check.figure, point: selector.label, baseline: "≤ \(formatFigure(limit))",
                    measured: measured, tolerance: "-", passed: passed, verdict: verdict)
    }
    let ok = rows.filter { selector.matches($0) && SummaryRows.isOK($0) }
    guard !ok.isEmpty else {
        return result("-", false, PointLookup(selector, in: rows).problem ?? "REGRESSION: no ok point matches")
    }
    let varying = varyingParameters(rows)
    var worst = -Double.infinity
    var offenders: [String] = []
    var excused = 0
    for row in ok {
        if saturationExcuse(check.figure, row) != nil {
            excused += 1
            continue
        }
        let statistic = row["\(check.figure)_max"].map { !$0.isEmpty } == true ? "max" : "median"
        guard let value = summaryStatistic(row, check.figure, statistic) else {
            offenders.append("\(missingValueReason(row, check.figure, statistic)) at \(pointLabel(row, varying: varying))")
            continue
        }
        worst = Swift.max(worst, value)
        if value > limit { offenders.append("\(formatFigure(value)) at \(pointLabel(row, varying: varying))") }
    }
    let measured = worst.isFinite ? formatFigure(worst) : "-"
    guard offenders.isEmpty else {
        let more = offenders.count > 2 ? " (+\(offenders.count - 2) more)" : ""
        return result(measured, false, "REGRESSION: " + offenders.prefix(2).joined(separator: "; ") + more)
    }
    if excused == ok.count {
        var excusedResult = result("-", true, "not compared: every matching point saturated")
        excusedResult.compared = false
        return excusedResult
    }
    return result(measured, true, "ok (\(ok.count - excused) points" + (excused > 0 ? ", \(excused) saturated not compared)" : ")"))
}

/// The median must stay within the allowed deviation of the expected value.
private func evaluateValue(_ check: BaselineCheck, rows: [[String: String]]) -> CheckResult {
    let selector = check.point ?? PointSelector()
    let expected = check.expected ?? 0
    let allowed = check.allowedDeviation
    var tolerance = "±" + formatFigure(allowed)
    if let relative = check.relativeTolerance, relative > 0 {
        tolerance += " (\(formatFigure(check.tolerance ?? 0)) + \(formatFigure(relative * 100))%)"
    }
    func result(_ measured: String, _ passed: Bool, _ verdict: String) -> CheckResult {
        CheckResult(figure: check.figure, point: selector.label, baseline: formatFigure(expected),
                    measured: measured, tolerance: tolerance, passed: passed, verdict: verdict)
    }
    let lookup = PointLookup(selector, in: rows)
    guard case let .found(row) = lookup else { return result("-", false, lookup.problem!) }
    if let excuse = saturationExcuse(check.figure, row) {
        var excused = result("-", true, excuse)
        excused.compared = false
        return excused
    }
    guard let value = summaryStatistic(row, check.figure) else {
        return result("-", false, "REGRESSION: \(missingValueReason(row, check.figure)) in the run")
    }
    let deviation = value - expected
    // A hair of slack so a value written with 4 digits still matches itself.
    guard abs(deviation) <= allowed + 1e-9 * Swift.max(1, abs(expected)) else {
        let direction = deviation > 0 ? "above" : "below"
        return result(formatFigure(value), false, "REGRESSION: \(formatFigure(abs(deviation))) \(direction) expected")
    }
    return result(formatFigure(value), true, "ok")
}

/// numerator / denominator (medians of the same run) must stay at or above the floor.
private func evaluateRatio(_ check: BaselineCheck, rows: [[String: String]]) -> CheckResult {
    let numerator = check.numerator ?? PointSelector()
    let denominator = check.denominator ?? PointSelector()
    let floor = check.min ?? 0
    var baseline = "≥ \(formatFigure(floor))"
    if let expected = check.expected { baseline += " (was \(formatFigure(expected)))" }
    func result(_ measured: String, _ passed: Bool, _ verdict: String) -> CheckResult {
        CheckResult(figure: check.figure + " ratio", point: ratioLabel(numerator, denominator),
                    baseline: baseline, measured: measured, tolerance: "floor", passed: passed, verdict: verdict)
    }
    let top = PointLookup(numerator, in: rows)
    guard case let .found(topRow) = top else { return result("-", false, top.problem! + " (numerator)") }
    let bottom = PointLookup(denominator, in: rows)
    guard case let .found(bottomRow) = bottom else { return result("-", false, bottom.problem! + " (denominator)") }
    if let excuse = saturationExcuse(check.figure, topRow) ?? saturationExcuse(check.figure, bottomRow) {
        var excused = result("-", true, excuse)
        excused.compared = false
        return excused
    }
    guard let a = summaryStatistic(topRow, check.figure) else {
        return result("-", false, "REGRESSION: \(missingValueReason(topRow, check.figure)) (numerator)")
    }
    guard let b = summaryStatistic(bottomRow, check.figure), b != 0 else {
        return result("-", false, "REGRESSION: \(missingValueReason(bottomRow, check.figure)) (denominator)"
                      .replacingOccurrences(of: "no value (", with: "no value or zero ("))
    }
    let ratio = a / b
    guard ratio.isFinite else { return result("-", false, "REGRESSION: the ratio is not a finite number") }
    guard ratio >= floor else { return result(formatFigure(ratio), false, "REGRESSION: below the floor") }
    return result(formatFigure(ratio), true, "ok")
}

/// `backend=epoll-et / backend=poll at connections=1000`: what differs, then what is shared.
func ratioLabel(_ numerator: PointSelector, _ denominator: PointSelector) -> String {
    var top: [String: String] = [:], bottom: [String: String] = [:], shared: [String: String] = [:]
    for key in Set(numerator.values.keys).union(denominator.values.keys) {
        let a = numerator.values[key], b = denominator.values[key]
        if a == b { shared[key] = a } else { top[key] = a ?? "*"; bottom[key] = b ?? "*" }
    }
    let label = PointSelector(top).label + " / " + PointSelector(bottom).label
    return shared.isEmpty ? label : label + " at " + PointSelector(shared).label
}

/// Point parameters that take more than one value in the run (sweep and point id excluded).
func varyingParameters(_ rows: [[String: String]]) -> [String] {
    ResultsSchema.pointParameters.filter { column in
        column != "sweep" && column != "point" && Set(rows.map { $0[column] ?? "" }).count > 1
    }
}

/// A row named by the parameters that tell it apart from the others in its run.
func pointLabel(_ row: [String: String], varying: [String]) -> String {
    let keys = varying.contains("backend") ? varying : ["backend"] + varying
    return PointSelector(Dictionary(uniqueKeysWithValues: keys.map { ($0, row[$0] ?? "") })).label
}

/// The check table for stderr: aligned columns, regressions counted at the end.
public func renderCheckTable(_ results: [CheckResult]) -> String {
    let header = ["figure", "point", "baseline", "measured", "tolerance", "verdict"]
    let lines = [header] + results.map { [$0.figure, $0.point, $0.baseline, $0.measured, $0.tolerance, $0.verdict] }
    var widths = header.map { _ in 0 }
    for line in lines { for (i, cell) in line.enumerated() { widths[i] = Swift.max(widths[i], cell.count) } }
    var text = ""
    for line in lines {
        let cells = line.enumerated().map { i, cell in
            i == line.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        text += cells.joined(separator: "  ") + "\n"
    }
    return text + checkCountsLine(results) + "\n"
}

/// The table's last line: exactly how many checks were compared and passed, and which were not
/// compared, so a run that judged little never reads as "all passed".
func checkCountsLine(_ results: [CheckResult]) -> String {
    let failed = results.filter { !$0.passed }.count
    let notCompared = results.filter { $0.passed && !$0.compared }
    let passed = results.count - failed - notCompared.count
    let notComparedList = notCompared.prefix(3).map { "\($0.figure) at \($0.point)" }.joined(separator: "; ")
        + (notCompared.count > 3 ? " (+\(notCompared.count - 3) more)" : "")
    if failed == 0, notCompared.isEmpty { return "all \(results.count) checks compared and passed" }
    if failed == 0, passed == 0 { return "none of the \(results.count) checks could be compared (a failure): \(notComparedList)" }
    var line = failed == 0 ? "" : "\(failed) of \(results.count) checks found a regression; "
    line += "\(passed) of \(results.count) checks compared and passed"
    if !notCompared.isEmpty { line += "; \(notCompared.count) not compared: \(notComparedList)" }
    return line
}

/// Columns of the summary a baseline's check reads that `header` lacks: (check index, column).
func missingColumn(_ baseline: Baseline, header: [String]) -> (index: Int, column: String)? {
    let present = Set(header)
    for (index, check) in baseline.checks.enumerated() {
        var needed = ["\(check.figure)_median"]
        for selector in [check.point, check.numerator, check.denominator].compactMap({ $0 }) {
            needed += selector.values.keys.sorted()
        }
        if let column = needed.first(where: { !present.contains($0) }) { return (index, column) }
    }
    return nil
}
