// The knee of the latency curve two ways: the rate search's answers (its confirmation rows and
// the probes above them), and the rate ladder's own points read against a latency bound.
import MuxMetrics

enum SearchTables {
    /// Per searched point: the max sustainable rate, p50 and server CPU at it, and what stopped
    /// the search above it, read from the probes' own verdicts and `saturated_by`.
    static func knee(_ sources: ReportSources) throws(ReportError) -> String {
        let summary = try sources.summary(columns: ["point", "backend", "connections", "max_sustainable_rps", "reason",
                                                    "lat_p50_us_median", "server_cpu_util_median"])
        let raw = try sources.raw(columns: ["point", "probe", "rate_target_rps", "saturated_by"])
        var rows: [(row: ReportRow, connections: Int)] = []
        for row in summary.rows where ReportRows.isSearchRow(row) { rows.append((row, try ReportRows.connections(row))) }
        rows.sort { ($0.connections, ReportRows.backendRank($0.row["backend"])) < ($1.connections, ReportRows.backendRank($1.row["backend"])) }
        let bounds = Set(rows.compactMap { ReportRows.searchBound($0.row).map { "\($0.metric) ≤ \(ReportCell.number($0.microseconds)) µs" } })
        let bound = bounds.count == 1 ? " (\(bounds.first!))" : ""
        var lines = ["| backend | conns | max sustainable rate/s\(bound) | p50 there µs | server CPU there % | above it |",
                     "|---|---:|---:|---:|---:|---|"]
        let checks = try CheckMarks(raw: raw)
        var marked = false
        for (row, _) in rows {
            lines.append(try kneeLine(row, raw: raw, checks: checks))
            if try row.number("max_sustainable_rps") != nil, !checks.suffix(row).isEmpty { marked = true }
        }
        return CheckMarks.withLegend(lines.joined(separator: "\n"), used: marked)
    }

    /// One search's line; a search that sustained no rate (or failed) says so instead of a rate.
    /// An answer whose confirmation failed its own open-loop checks carries `checks`' mark.
    static func kneeLine(_ row: ReportRow, raw: ReportCSV, checks: CheckMarks = CheckMarks()) throws(ReportError) -> String {
        let head = "| \(row["backend"]) | \(ReportCell.number(Double(try ReportRows.connections(row)))) "
        guard let answer = try row.number("max_sustainable_rps") else {
            let outcome = row["status"] == "failed" ? "the search failed" : "nothing sustained within the bound"
            return head + "| none | – | – | \(outcome) |"
        }
        let util = try row.number("server_cpu_util_median")
        return head + "| \(ReportCell.number(answer))\(checks.suffix(row)) | \(ReportCell.number(try row.number("lat_p50_us_median"))) "
            + "| \(ReportCell.number(util.map { $0 * 100 })) | \(try aboveTheAnswer(row, raw: raw)) |"
    }

    /// What the search met above its answer: the lowest client-limited probe above it says
    /// whether the load generator alone or both sides were pegged; with none, the server (over
    /// the bound, or short of the offer) stopped it.
    static func aboveTheAnswer(_ row: ReportRow, raw: ReportCSV) throws(ReportError) -> String {
        let answer = try row.required("max_sustainable_rps")
        var lowest: (rate: Double, side: String)?
        for probe in raw.rows where probe["point"] == row["point"] && probe["probe"].hasSuffix("/client-limited") {
            let rate = try probe.required("rate_target_rps")
            if rate > answer, rate < (lowest?.rate ?? .infinity) { lowest = (rate, probe["saturated_by"]) }
        }
        switch lowest.map({ SaturationLimit(rawValue: $0.side) }) {
        case nil: return "the server: over the bound or under \(percent(Saturation.deliveredFraction)) delivered"
        case .both?: return "both: the load generator, with the server at its limit too"
        default: return "the load generator was the limit"
        }
    }

    /// Per backend and connection count: the highest offered rate whose median `figure` stayed
    /// within `boundMicroseconds` with the offer delivered (`Saturation.deliveredFraction`) and at
    /// most half its reps saturated, and what the next rate up ran into. A rung whose reps failed
    /// their own open-loop checks is not refused for it (the bound is on latency and delivery) but
    /// carries CheckMarks' footnote, wherever the table names it.
    static func ladder(_ sources: ReportSources, figure: String, boundMicroseconds: Double) throws(ReportError) -> String {
        let summary = try sources.summary(columns: ["backend", "connections", "rate_target_rps", "saturated_reps", "reps",
                                                    "\(figure)_median", "throughput_rps_median", "server_cpu_util_median"])
        let marks = try SaturationMarks(raw: try sources.raw(columns: ["point", "saturated_by"]))
        let checks = try CheckMarks(raw: try sources.raw(columns: ["point"]))
        var marked = false
        let name = figure.replacingOccurrences(of: "lat_", with: "").replacingOccurrences(of: "_us", with: "")
        let delivered = percent(Saturation.deliveredFraction)
        var groups: [String: (connections: Int, backend: String, rungs: [(rate: Double, row: ReportRow)])] = [:]
        for row in ReportRows.points(summary) {
            guard let rate = try row.number("rate_target_rps") else { continue }
            let count = try ReportRows.connections(row)
            groups["\(count) \(row["backend"])", default: (count, row["backend"], [])].rungs.append((rate, row))
        }
        let ordered = groups.values.sorted { ($0.connections, ReportRows.backendRank($0.backend), $0.backend)
            < ($1.connections, ReportRows.backendRank($1.backend), $1.backend) }

        /// Why a rung fails; empty when it holds.
        func failures(_ rate: Double, _ row: ReportRow) throws(ReportError) -> [String] {
            var reasons: [String] = []
            if try SaturationMarks.mostlySaturated(row) { reasons.append("saturated \(marks.cell(row))") }
            let value = try row.number("\(figure)_median")
            if value.map({ $0 > boundMicroseconds }) ?? true { reasons.append("\(name) \(ReportCell.number(value)) µs") }
            let achieved = try row.number("throughput_rps_median")
            if (achieved ?? 0) < Saturation.deliveredFraction * rate { reasons.append("delivered \(ReportCell.number(achieved))/s") }
            return reasons
        }

        var lines = ["| backend | conns | highest rate with \(name) ≤ \(ReportCell.number(boundMicroseconds)) µs, ≥ \(delivered) delivered, "
                        + "≤ half the reps saturated | \(name) there µs | server CPU there % | the next rate up |",
                     "|---|---:|---:|---:|---:|---|"]
        for group in ordered {
            let rungs = group.rungs.sorted { $0.rate < $1.rate }
            var best: (rate: Double, row: ReportRow)?
            var next = "none: the ladder ended"
            for rung in rungs {
                let reasons = try failures(rung.rate, rung.row)
                if reasons.isEmpty { best = rung; continue }
                next = "\(ReportCell.number(rung.rate))/s: " + reasons.joined(separator: ", ") + checks.suffix(rung.row)
                marked = marked || !checks.suffix(rung.row).isEmpty
                break
            }
            let conns = ReportCell.number(Double(group.connections))
            if let best {
                marked = marked || !checks.suffix(best.row).isEmpty
                lines.append("| \(group.backend) | \(conns) | \(ReportCell.number(best.rate))/s\(checks.suffix(best.row)) "
                    + "| \(ReportCell.number(try best.row.number("\(figure)_median"))) "
                    + "| \(ReportCell.number(100 * (try best.row.number("server_cpu_util_median") ?? 0))) | \(next) |")
            } else {
                lines.append("| \(group.backend) | \(conns) | none (from \(ReportCell.number(rungs[0].rate))/s) | – | – | \(next) |")
            }
        }
        return CheckMarks.withLegend(lines.joined(separator: "\n"), used: marked)
    }

    /// `0.99` → `99%`.
    static func percent(_ fraction: Double) -> String { "\(formatCompactNumber(fraction * 100))%" }
}
