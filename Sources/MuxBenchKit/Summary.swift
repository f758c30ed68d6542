// results/NAME-summary.csv: one row per point with the median, min and max of each figure over
// its repetitions. Medians, not means, because one disturbed run on a shared machine must not
// move the figure; min and max become the charts' error bars.
import MuxMetrics

public enum SweepSummary {
    /// Raw counters that are divided by `requests` to give the derived `*_per_req` figures.
    static let perRequestSources: [String: String] = [
        "wait_per_req": "sc_wait", "ctl_per_req": "sc_ctl", "accept_per_req": "sc_accept",
        "read_per_req": "sc_read", "write_per_req": "sc_write", "close_per_req": "sc_close",
        "other_per_req": "sc_other", "read_eagain_per_req": "read_eagain",
    ]

    /// One summary row per point: points of `pointOrder` first in that order, then the others in
    /// order of first appearance in `rows`, then in `outcomes`. A point with measured rows is `ok`
    /// (its outcomes' reasons are still reported); one with none takes its outcome's status.
    public static func summarize(rows allRows: [[String: String]], outcomes: [PointOutcome] = [],
                                 pointOrder: [String] = []) -> CSVTable {
        // Probe rows of a rate search are not repetitions of a point: only the sustained
        // confirmation becomes a row of its own, below the matrix points.
        let probeRows = allRows.filter { !($0["probe"] ?? "").isEmpty }
        let rows = allRows.filter { ($0["probe"] ?? "").isEmpty }
        var confirmations: [String: [String: String]] = [:]
        var searchOrder: [String] = []
        for row in probeRows where row["probe"] == sustainedConfirmation {
            let id = row["point"] ?? ""
            if confirmations.updateValue(row, forKey: id) == nil { searchOrder.append(id) }
        }
        var order: [String] = []
        var seen = Set(searchOrder)
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
        for id in searchOrder {
            guard let confirmation = confirmations[id] else { continue }
            var row = summaryRow(parameters: confirmation, rows: [confirmation], outcomes: outcomesByPoint[id] ?? [])
            row["max_sustainable_rps"] = confirmation["rate_target_rps"] ?? ""
            let probes = probeRows.filter { $0["point"] == id }
            let clientLimited = probes.contains { $0["probe"]?.hasSuffix("/client-limited") == true }
            let note = "search: max sustainable rate confirmed after \(probes.count) probes"
                + (clientLimited ? "; above it the load generator was the limit (the curve ends at the client)" : "")
            row["reason"] = sanitizeReason([note, row["reason"] ?? ""].filter { !$0.isEmpty }.joined(separator: "; "))
            table.rows.append(row)
        }
        return table
    }

    static func summaryRow(parameters: [String: String], rows: [[String: String]],
                           outcomes: [PointOutcome]) -> [String: String] {
        var summary: [String: String] = [:]
        for column in ResultsSchema.pointParameters { summary[column] = parameters[column] ?? "" }
        summary["reps"] = String(rows.count)
        summary["saturated_reps"] = String(rows.filter(Saturation.isSaturated).count)
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
        if figure == "load_cpu_util" || figure == "server_cpu_util" {
            // CPU seconds per window second; the server's at equal offered load is the
            // idle-descriptor cost with nothing else in it.
            let side = figure == "load_cpu_util" ? "load" : "server"
            guard let user = number(row["\(side)_user_s"]), let system = number(row["\(side)_sys_s"]),
                  let duration = number(row["duration_s"]), duration > 0 else { return nil }
            return (user + system) / duration
        }
        return number(row[figure])
    }

    /// The middle value; for an even count the mean of the two middle ones.
    static func median(ofSorted values: [Double]) -> Double {
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }

    /// Saturated runs, by the side that was the limit (DESIGN.md: every figure says whose it is).
    static func warnings(for rows: [[String: String]]) -> [String] {
        let limits = rows.compactMap { row in row["saturated_by"].flatMap { $0.isEmpty ? nil : $0 } }
        guard !limits.isEmpty else { return [] }
        let bySide = SaturationLimit.allCases.compactMap { side -> String? in
            let count = limits.filter { $0 == side.rawValue }.count
            return count > 0 ? "\(side.rawValue) \(count)" : nil
        }
        return ["saturated in \(limits.count)/\(rows.count) reps (limit: \(bySide.joined(separator: " ")))"]
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
