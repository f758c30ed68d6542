// How a report writes a cell: numbers with thousands separators, a median with its interval, a
// saturation mark naming the limiting side. Rows are ordered by `Backend`'s own order and search
// rows recognised in one place, so no table keeps a copy of either.
import Foundation
import MuxCore
import MuxMetrics

enum ReportCell {
    /// What an empty cell (not applicable) reads as.
    static let dash = "–"

    /// `1,234` from 1,000 up (no decimals there), else `digits` decimals; `–` for nil.
    static func number(_ value: Double?, digits: Int = 0) -> String {
        guard let value else { return dash }
        if abs(value) >= 1000 { return grouped(fixed(value, digits: 0)) }
        return fixed(value, digits: digits)
    }

    /// `value` with exactly `digits` decimals, rounded as printf rounds.
    static func fixed(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// `1234567` → `1,234,567` (the integer part only).
    static func grouped(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = Array(negative ? text.dropFirst() : Substring(text))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (negative ? "-" : "") + out
    }

    /// A summary figure's median with its 95% interval: `5.15 [3.97–5.57]`; `–` when absent.
    static func withInterval(_ row: ReportRow, _ figure: String, digits: Int = 0, scale: Double = 1) throws(ReportError) -> String {
        guard let median = try row.number("\(figure)_median") else { return dash }
        var text = number(median * scale, digits: digits)
        if let low = try row.number("\(figure)_ci_low"), let high = try row.number("\(figure)_ci_high") {
            text += " [\(number(low * scale, digits: digits))–\(number(high * scale, digits: digits))]"
        }
        return text
    }
}

/// Which summary rows a table reads, and in which order.
enum ReportRows {
    /// A point with measured rows (skipped and failed points have none to show).
    static func isMeasured(_ row: ReportRow) -> Bool { SummaryRows.isOK(row.fields) }

    /// Whether a summary row is a rate search's answer rather than a point of the matrix
    /// (`row_kind`, read the one way every command reads it).
    static func isSearchRow(_ row: ReportRow) -> Bool { SummaryRows.isSearch(row.fields) }

    /// A search row's bound: the figure's short name (`p50`) and the bound in µs, from the typed
    /// `search_metric` and `search_bound_us` columns.
    static func searchBound(_ row: ReportRow) -> (metric: String, microseconds: Double)? {
        let metric = row["search_metric"]
        guard !metric.isEmpty, let bound = Double(row["search_bound_us"]), bound.isFinite else { return nil }
        return (metric, bound)
    }

    /// The measured matrix points (no search answers).
    static func points(_ table: ReportCSV) -> [ReportRow] {
        table.rows.filter { isMeasured($0) && !isSearchRow($0) }
    }

    /// A backend's place: `Backend.allCases`' order; one this build does not know goes last.
    static func backendRank(_ name: String) -> Int {
        Backend.names.firstIndex(of: name) ?? Backend.names.count
    }

    /// Backends in `Backend`'s order, unknown ones after them by name.
    static func orderedBackends(_ names: some Sequence<String>) -> [String] {
        Set(names).sorted { (backendRank($0), $0) < (backendRank($1), $1) }
    }

    /// The connection count of a row, for ordering and grouping.
    static func connections(_ row: ReportRow) throws(ReportError) -> Int {
        Int(try row.required("connections"))
    }
}

/// Which side limited a point's reps, counted from the raw rows' `saturated_by` (set by
/// `Saturation.limit` when each run was measured): `6/6 (client 2 both 4)`.
struct SaturationMarks {
    private var bySide: [String: [SaturationLimit: Int]] = [:]

    /// Counts the repetitions (not the rate search's probes) of every point in `raw`.
    init(raw: ReportCSV) throws(ReportError) {
        for row in raw.rows where row["probe"].isEmpty && Saturation.isSaturated(row.fields) {
            guard let side = SaturationLimit(rawValue: row["saturated_by"]) else {
                throw ReportError("\(row.location): column saturated_by: '\(row["saturated_by"])' is not a side")
            }
            bySide[row["point"], default: [:]][side, default: 0] += 1
        }
    }

    /// `–` for a point with no saturated rep, else `k/n` and the sides in `SaturationLimit`'s order.
    func cell(_ summaryRow: ReportRow) -> String {
        let saturated = summaryRow["saturated_reps"]
        guard !saturated.isEmpty, saturated != "0" else { return ReportCell.dash }
        let sides = bySide[summaryRow["point"]] ?? [:]
        let named = SaturationLimit.allCases.compactMap { side in sides[side].map { "\(side.rawValue) \($0)" } }
        return "\(saturated)/\(summaryRow["reps"])" + (named.isEmpty ? "" : " (\(named.joined(separator: " ")))")
    }

    /// Whether more than half of a point's reps were saturated (its figures are then mostly not the server's).
    static func mostlySaturated(_ summaryRow: ReportRow) throws(ReportError) -> Bool {
        2 * (try summaryRow.number("saturated_reps") ?? 0) > (try summaryRow.number("reps") ?? 0)
    }
}

/// Which of their own open-loop checks (`OpenLoopChecks`: rate, lateness, gap) a point's reps
/// failed, counted from the raw rows' `*_check` columns, so a table marks such a cell with a
/// footnote (`† lateness 6/6`) and says what the mark means under it. A file written before those
/// columns existed has no marks.
struct CheckMarks {
    static let mark = "†"
    private var failed: [String: [OpenLoopCheck: Int]] = [:]

    /// No marks at all.
    init() {}

    /// Counts the repetitions of every point in `raw`, and a search's sustained confirmation (the
    /// rows its answer is the summary of), not the other probes.
    init(raw: ReportCSV) throws(ReportError) {
        for row in raw.rows where row["probe"].isEmpty || row["probe"] == sustainedConfirmation {
            for check in OpenLoopCheck.allCases where !row[check.column].isEmpty {
                guard let verdict = OpenLoopCheck.Verdict(rawValue: row[check.column]) else {
                    throw ReportError("\(row.location): column \(check.column): '\(row[check.column])' is not "
                        + OpenLoopCheck.Verdict.allCases.map(\.rawValue).joined(separator: " or "))
                }
                if verdict == .fail { failed[row["point"], default: [:]][check, default: 0] += 1 }
            }
        }
    }

    /// ` † lateness 6/6` (each failed check with its reps, of the summary row's reps), or "" when
    /// every rep passed (or was not checked).
    func suffix(_ summaryRow: ReportRow) -> String {
        guard let checks = failed[summaryRow["point"]] else { return "" }
        let named = OpenLoopCheck.allCases.compactMap { check in
            checks[check].map { "\(check.rawValue) \($0)/\(summaryRow["reps"])" }
        }
        return " \(Self.mark) " + named.joined(separator: ", ")
    }

    /// `table` with the legend under it when a cell of it carries the mark (`used`).
    static func withLegend(_ table: String, used: Bool) -> String {
        used ? table + "\n\n" + legend : table
    }

    /// What the mark says, from the checks' own thresholds.
    static var legend: String {
        "\(mark) the point's own open-loop check failed in that many of its reps: rate (achieved within "
            + "\(formatCompactNumber(OpenLoopChecks.rateTolerance * 100))% of offered), lateness (the client's send lateness "
            + "at most \(formatCompactNumber(OpenLoopChecks.medianLatenessGaps)) of a load thread's mean gap between sends "
            + "at p50 and \(formatCompactNumber(OpenLoopChecks.tailLatenessGaps)) at p99), gap (the send gaps fit the "
            + "exponential schedule); such points are drawn hollow in the charts, as saturated ones are."
    }
}
