// results/NAME-summary.csv: one row per point with the median, min and max of each figure over
// its repetitions, the median's confidence interval and an outlier count. Medians, not means,
// because one disturbed run on a shared machine must not move the figure; the interval (from
// order statistics, so it assumes no distribution) says how far the median itself may be off.
import MuxCore
import MuxMetrics

public enum SweepSummary {
    /// Raw counters that are divided by `requests` to give the derived `*_per_req` figures.
    /// One per syscall kind (KIND_per_req from sc_KIND, MuxCore/SyscallKind.swift), and read_eagain's.
    static let perRequestSources: [String: String] = Dictionary(
        uniqueKeysWithValues: SyscallKind.allCases.map { ("\($0.rawValue)_per_req", $0.column) }
            + [("read_eagain_per_req", "read_eagain")])

    /// The level the median's interval aims for; fewer than 6 repetitions fall short (and say so).
    static let medianConfidence = 0.95

    /// One summary row per point: points of `pointOrder` first in that order, then the others in
    /// order of first appearance in `rows`, then in `outcomes`. A point with measured rows is `ok`
    /// (its outcomes' reasons are still reported); one with none takes its outcome's status.
    /// `search` gives the search rows their `search_metric` and `search_bound_us`: the raw rows
    /// do not carry them.
    public static func summarize(rows allRows: [[String: String]], outcomes: [PointOutcome] = [],
                                 pointOrder: [String] = [], search: SearchSpec? = nil) -> CSVTable {
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
        let probesBySearch = Dictionary(grouping: probeRows) { $0["point"] ?? "" }
        for id in order {
            let pointRows = rowsByPoint[id] ?? []
            let pointOutcomes = outcomesByPoint[id] ?? []
            guard let parameters = pointRows.first ?? pointOutcomes.first?.parameters else { continue }
            var row = summaryRow(parameters: parameters, rows: pointRows, outcomes: pointOutcomes)
            // A search that found no answer keeps its row, with how it ended.
            if let outcome = pointOutcomes.lazy.compactMap(\.search).first {
                recordSearch(outcome, search, probes: probesBySearch[id] ?? [], into: &row)
            }
            table.rows.append(row)
        }
        for id in searchOrder {
            guard let confirmation = confirmations[id] else { continue }
            var row = summaryRow(parameters: confirmation, rows: [confirmation], outcomes: outcomesByPoint[id] ?? [])
            row["max_sustainable_rps"] = confirmation["rate_target_rps"] ?? ""
            let probes = probesBySearch[id] ?? []
            let clientLimited = probes.contains(where: isClientLimitedProbe)
            let note = "\(search?.reasonPrefix ?? "search"): max sustainable rate confirmed after \(probes.count) probes"
                + (clientLimited ? "; above it the load generator was the limit (the curve ends at the client)" : "")
            row["reason"] = sanitizeReason([note, row["reason"] ?? ""].filter { !$0.isEmpty }.joined(separator: "; "))
            recordSearch(.answered, search, probes: probes, into: &row)
            table.rows.append(row)
        }
        return table
    }

    /// The typed columns of a search's own row: which bound, how it ended, and how many of its
    /// probes found the load generator the limit (the max-rate chart draws those answers hollow).
    static func recordSearch(_ outcome: SearchOutcome, _ search: SearchSpec?, probes: [[String: String]],
                             into row: inout [String: String]) {
        row["row_kind"] = SummaryRowKind.search.rawValue
        row["search_metric"] = search?.metric ?? ""
        row["search_bound_us"] = search.map { formatCompactNumber($0.boundMicroseconds) } ?? ""
        row["search_outcome"] = outcome.rawValue
        row["search_client_limited_probes"] = String(probes.filter(isClientLimitedProbe).count)
    }

    static func summaryRow(parameters: [String: String], rows: [[String: String]],
                           outcomes: [PointOutcome]) -> [String: String] {
        var summary: [String: String] = [:]
        for column in ResultsSchema.pointParameters { summary[column] = parameters[column] ?? "" }
        summary["reps"] = String(rows.count)
        summary["saturated_reps"] = String(rows.filter(Saturation.isSaturated).count)
        summary["client_limited_reps"] = String(rows.filter(Saturation.isClientLimited).count)
        summary["failed_check_reps"] = String(rows.filter { !OpenLoopChecks.failed($0).isEmpty }.count)
        summary["row_kind"] = SummaryRowKind.point.rawValue
        let status: PointStatus
        if !rows.isEmpty {
            status = .ok
        } else {
            status = PointStatus(outcomes.contains { $0.status == .failed } ? .failed : .skipped)
        }
        summary["status"] = status.rawValue
        let reasons = outcomes.map(\.reason) + warnings(for: rows) + [OpenLoopChecks.warning(for: rows)].compactMap { $0 }
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
        if figure == "load_cpu_util" || figure == "server_cpu_util" {
            // CPU seconds per window second; the server's at equal offered load is the
            // idle-descriptor cost with nothing else in it.
            let side = figure == "load_cpu_util" ? "load" : "server"
            guard let user = number(row["\(side)_user_s"]), let system = number(row["\(side)_sys_s"]),
                  let duration = number(row["duration_s"]), duration > 0 else { return nil }
            let perWindowSecond = (user + system) / duration
            guard side == "load" else { return perWindowSecond }
            // Of the CPUs the load generator could use: min(its threads, the CPUs it was pinned to).
            return perWindowSecond / loadCPUCapacity(of: row)
        }
        return number(row[figure])
    }

    /// How many CPUs the load generator could use at once: min(its threads, the CPUs it was pinned to).
    static func loadCPUCapacity(of row: [String: String]) -> Double {
        let threads = max(1, Int(number(row["threads"]) ?? 1))
        let cpus = countCPUList(row["load_cpus"] ?? "") ?? threads
        return Double(max(1, min(threads, cpus)))
    }

    /// The middle value; for an even count the mean of the two middle ones.
    static func median(ofSorted values: [Double]) -> Double { Ranking.median(ofSorted: values) ?? .nan }

    /// Saturated runs, by the side that was the limit (Sources/README.md, How a point is measured).
    static func warnings(for rows: [[String: String]]) -> [String] {
        let limits = rows.filter(Saturation.isSaturated).map(Saturation.limit(of:))
        guard !limits.isEmpty else { return [] }
        let bySide = SaturationLimit.allCases.compactMap { side -> String? in
            let count = limits.filter { $0 == side }.count
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
