// results/NAME-summary.csv: one row per point with the median, min and max of each figure over
// its repetitions, the median's confidence interval and an outlier count. Medians, not means,
// because one disturbed run on a shared machine must not move the figure; the interval (from
// order statistics, so it assumes no distribution) says how far the median itself may be off.
import MuxMetrics

public enum SweepSummary {
    /// Raw counters that are divided by `requests` to give the derived `*_per_req` figures.
    static let perRequestSources: [String: String] = [
        "wait_per_req": "sc_wait", "ctl_per_req": "sc_ctl", "accept_per_req": "sc_accept",
        "read_per_req": "sc_read", "write_per_req": "sc_write", "close_per_req": "sc_close",
        "other_per_req": "sc_other", "read_eagain_per_req": "read_eagain",
    ]

    /// The load generator is pinned to one CPU (Sources/README.md, How a point is measured); near
    /// 100% of it, the load generator, not the server, may have set the pace.
    static let loadSaturationUtil = 0.95
    /// An open-loop run that fell this far short of its target rate did not offer the load asked.
    static let rateShortfall = 0.05
    /// The level the median's interval aims for; fewer than 6 repetitions fall short (and say so).
    static let medianConfidence = 0.95

    /// One summary row per point: points of `pointOrder` first in that order, then the others in
    /// order of first appearance in `rows`, then in `outcomes`. A point with measured rows is `ok`
    /// (its outcomes' reasons are still reported); one with none takes its outcome's status.
    public static func summarize(rows: [[String: String]], outcomes: [PointOutcome] = [],
                                 pointOrder: [String] = []) -> CSVTable {
        var order: [String] = []
        var seen = Set<String>()
        for id in pointOrder + rows.map({ $0["point"] ?? "" }) + outcomes.map(\.pointID) where seen.insert(id).inserted {
            order.append(id)
        }
        let rowsByPoint = Dictionary(grouping: rows) { $0["point"] ?? "" }
        let outcomesByPoint = Dictionary(grouping: outcomes, by: \.pointID)

        var table = CSVTable(header: ResultsSchema.summaryColumns)
        for id in order {
            let pointRows = rowsByPoint[id] ?? []
            let pointOutcomes = outcomesByPoint[id] ?? []
            guard let parameters = pointRows.first ?? pointOutcomes.first?.parameters else { continue }
            table.rows.append(summaryRow(parameters: parameters, rows: pointRows, outcomes: pointOutcomes))
        }
        return table
    }

    static func summaryRow(parameters: [String: String], rows: [[String: String]],
                           outcomes: [PointOutcome]) -> [String: String] {
        var summary: [String: String] = [:]
        for column in ResultsSchema.pointParameters { summary[column] = parameters[column] ?? "" }
        summary["reps"] = String(rows.count)
        if !rows.isEmpty {
            summary["status"] = "ok"
        } else {
            let failed = outcomes.contains { $0.status == .failed }
            summary["status"] = (failed ? PointOutcome.Status.failed : .skipped).rawValue
        }
        let reasons = outcomes.map(\.reason) + warnings(for: rows)
        summary["reason"] = sanitizeReason(reasons.filter { !$0.isEmpty }.joined(separator: "; "))

        for figure in ResultsSchema.summaryFigures {
            let values = rows.compactMap { figureValue(figure, in: $0) }.sorted()
            guard let low = values.first, let high = values.last else { continue }
            summary["\(figure)_median"] = formatCompactNumber(median(ofSorted: values))
            summary["\(figure)_min"] = formatCompactNumber(low)
            summary["\(figure)_max"] = formatCompactNumber(high)
            if let interval = MedianInterval(values, confidence: medianConfidence) {
                summary["\(figure)_ci_low"] = formatCompactNumber(interval.low)
                summary["\(figure)_ci_high"] = formatCompactNumber(interval.high)
                summary["\(figure)_ci_coverage"] = formatCompactNumber(interval.coverage)
            }
            summary["\(figure)_n"] = String(values.count)
            summary["\(figure)_outliers"] = String(OutlierFlags.count(values))
        }
        return summary
    }

    /// A summary figure of one raw row: its own column, or derived per request / per second.
    /// Nil when not applicable (empty cells, no requests).
    public static func figureValue(_ figure: String, in row: [String: String]) -> Double? {
        if let source = perRequestSources[figure] {
            guard let count = number(row[source]), let requests = number(row["requests"]), requests > 0 else { return nil }
            return count / requests
        }
        if figure == "load_cpu_util" {
            guard let user = number(row["load_user_s"]), let system = number(row["load_sys_s"]),
                  let duration = number(row["duration_s"]), duration > 0 else { return nil }
            // Of the CPUs the load generator could use: min(its threads, the CPUs it was pinned to).
            let threads = max(1, Int(number(row["threads"]) ?? 1))
            let cpus = countCPUList(row["load_cpus"] ?? "") ?? threads
            return (user + system) / duration / Double(max(1, min(threads, cpus)))
        }
        return number(row[figure])
    }

    /// The middle value; for an even count the mean of the two middle ones.
    static func median(ofSorted values: [Double]) -> Double { Ranking.median(ofSorted: values) ?? .nan }

    /// Runs whose load generator may have been the bottleneck (Sources/README.md, How a point is
    /// measured: they are flagged).
    static func warnings(for rows: [[String: String]]) -> [String] {
        var result: [String] = []
        let saturated = rows.filter { (figureValue("load_cpu_util", in: $0) ?? 0) >= loadSaturationUtil }.count
        if saturated > 0 {
            result.append("load generator CPU-bound in \(saturated)/\(rows.count) reps")
        }
        let short = rows.filter { row in
            guard let target = number(row["rate_target_rps"]), let achieved = number(row["throughput_rps"]) else { return false }
            return achieved < target * (1 - rateShortfall)
        }.count
        if short > 0 {
            result.append("rate >5% below target in \(short)/\(rows.count) reps")
        }
        return result
    }

    /// Reasons come from error messages; the CSV has no quoting, so commas become `;`.
    static func sanitizeReason(_ text: String) -> String {
        String(text.map { character -> Character in
            if character == "," { return ";" }
            return character.isNewline ? " " : character
        })
    }

    private static func number(_ text: String?) -> Double? {
        guard let text, !text.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
