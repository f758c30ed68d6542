// Tables with one line per measured point: open-loop latency against the offered rate, and the
// per-request costs (CPU, syscalls by kind) with throughput and latency. A point whose reps
// failed their own open-loop checks carries CheckMarks' footnote on its rate.
import MuxMetrics

enum PointTables {
    /// Open loop at `connections` and the offered `rates`: what was achieved, the latency
    /// percentiles three ways (intended send, actual send, the client's own lateness, the
    /// machine's hiccups) and the server's CPU.
    static func latency(_ sources: ReportSources, connections: Int, rates: [Double]) throws(ReportError) -> String {
        let figures = ["throughput_rps", "lat_p50_us", "lat_p99_us", "lat_sent_p99_us", "send_late_p99_us",
                       "hiccup_p99_us", "server_cpu_util"]
        let summary = try sources.summary(columns: ["backend", "connections", "rate_target_rps", "saturated_reps", "reps"]
            + figures.map { "\($0)_median" })
        let marks = try SaturationMarks(raw: try sources.raw(columns: ["point", "saturated_by"]))
        let checks = try CheckMarks(raw: try sources.raw(columns: ["point"]))
        var rows: [(row: ReportRow, rate: Double, connections: Int)] = []
        for row in ReportRows.points(summary) {
            guard let rate = try row.number("rate_target_rps") else { continue }
            let count = try ReportRows.connections(row)
            if count == connections, rates.contains(rate) { rows.append((row, rate, count)) }
        }
        rows.sort { ($0.connections, ReportRows.backendRank($0.row["backend"]), $0.rate)
            < ($1.connections, ReportRows.backendRank($1.row["backend"]), $1.rate) }
        var lines = [
            "| backend | conns | offered/s | achieved/s | p50 µs | p99 µs [95% CI] | p99 from actual send µs "
                + "| client send lateness p99 µs | machine hiccup p99 µs | server CPU % | saturated (limit) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for (row, rate, count) in rows {
            func median(_ figure: String) throws(ReportError) -> String { ReportCell.number(try row.number("\(figure)_median")) }
            let util = try row.number("server_cpu_util_median") ?? 0
            lines.append("| \(row["backend"]) | \(ReportCell.number(Double(count))) | \(ReportCell.number(rate))\(checks.suffix(row)) "
                + "| \(try median("throughput_rps")) | \(try median("lat_p50_us")) "
                + "| \(try ReportCell.withInterval(row, "lat_p99_us")) | \(try median("lat_sent_p99_us")) "
                + "| \(try median("send_late_p99_us")) | \(try median("hiccup_p99_us")) "
                + "| \(ReportCell.number(100 * util)) | \(marks.cell(row)) |")
        }
        return CheckMarks.withLegend(lines.joined(separator: "\n"), used: rows.contains { !checks.suffix($0.row).isEmpty })
    }

    /// Which offered load a per-request table shows.
    enum Load: Equatable, Sendable {
        /// Every point.
        case any
        /// Closed loop only (no offered rate).
        case closed
        /// Open loop at this many requests per second.
        case rate(Double)
    }

    /// The syscall kinds of the per-request columns, in the CSV's order.
    static let syscallKinds = ["wait", "ctl", "accept", "read", "write", "close", "other"]

    /// Per point of `protocolName` (nil: all): throughput, server CPU per request, syscalls per
    /// request in all and by kind, p50 and p99; `connections` (nil: all) keeps only those counts.
    static func perRequest(_ sources: ReportSources, protocolName: String?, load: Load,
                           connections: [Int]?) throws(ReportError) -> String {
        let summary = try sources.summary(columns: ["backend", "connections", "protocol", "rate_target_rps",
                                                    "saturated_reps", "reps", "sc_per_req_median"]
            + syscallKinds.map { "\($0)_per_req_median" })
        let marks = try SaturationMarks(raw: try sources.raw(columns: ["point", "saturated_by"]))
        let checks = try CheckMarks(raw: try sources.raw(columns: ["point"]))
        var rows: [(row: ReportRow, connections: Int)] = []
        for row in ReportRows.points(summary) {
            if let protocolName, row["protocol"] != protocolName { continue }
            let rate = try row.number("rate_target_rps")
            switch load {
            case .any: break
            case .closed: if rate != nil { continue }
            case let .rate(wanted): if rate != wanted { continue }
            }
            let count = try ReportRows.connections(row)
            if let connections, !connections.contains(count) { continue }
            rows.append((row, count))
        }
        rows.sort { ($0.connections, ReportRows.backendRank($0.row["backend"]), $0.row["backend"])
            < ($1.connections, ReportRows.backendRank($1.row["backend"]), $1.row["backend"]) }
        var lines = [
            "| backend | conns | req/s | server CPU µs/req [95% CI] | syscalls/req | wait | ctl | accept | read | write "
                + "| close | other | p50 µs | p99 µs | saturated (limit) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for (row, count) in rows {
            var kinds: [String] = []
            for kind in syscallKinds { kinds.append(ReportCell.number(try row.number("\(kind)_per_req_median"), digits: 2)) }
            lines.append("| \(row["backend"]) | \(ReportCell.number(Double(count))) "
                + "| \(ReportCell.number(try row.number("throughput_rps_median")))\(checks.suffix(row)) "
                + "| \(try ReportCell.withInterval(row, "server_cpu_us_per_req", digits: 2)) "
                + "| \(ReportCell.number(try row.number("sc_per_req_median"), digits: 2)) | \(kinds.joined(separator: " | ")) "
                + "| \(ReportCell.number(try row.number("lat_p50_us_median"))) "
                + "| \(ReportCell.number(try row.number("lat_p99_us_median"))) | \(marks.cell(row)) |")
        }
        return CheckMarks.withLegend(lines.joined(separator: "\n"), used: rows.contains { !checks.suffix($0.row).isEmpty })
    }
}
