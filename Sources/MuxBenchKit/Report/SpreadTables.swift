// Tables about the measurement itself, from raw rows: how much each figure spreads over a
// point's reps, what steal time does to CPU per request, what a coarse pacing quantum did, and
// how much CPU per request moves between two runs of one build (what an A/B test must beat).
import Foundation
import MuxMetrics

enum SpreadTables {
    /// Per point (in the file's order): median, range and robust CV of throughput, server CPU
    /// per request, p50 and p99 over its reps.
    static func noise(_ sources: ReportSources) throws(ReportError) -> String {
        let figures = [("throughput_rps", "throughput"), ("server_cpu_us_per_req", "server CPU/req"),
                       ("lat_p50_us", "p50"), ("lat_p99_us", "p99")]
        let raw = try sources.raw(columns: ["point"] + figures.map(\.0))
        let points = grouped(raw.rows.filter { $0["probe"].isEmpty }) { $0["point"] }
        var lines = ["| point | n | figure | median | min–max, % of median | robust CV % (1.4826·MAD/median) |",
                     "|---|---:|---|---:|---:|---:|"]
        for (point, reps) in points {
            for (column, name) in figures {
                var values: [Double] = []
                for rep in reps { if let value = try rep.number(column) { values.append(value) } }
                guard values.count >= 2, let median = Ranking.median(values) else { continue }
                let spread = 100 * (values.max()! - values.min()!) / median
                lines.append("| \(point) | \(values.count) | \(name) | \(ReportCell.number(median, digits: 1)) "
                    + "| \(ReportCell.fixed(spread, digits: 1)) | \(ReportCell.fixed(robustCV(values), digits: 1)) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Per point with reps at both low (< `lowBelow` %) and high (≥ `highFrom` %) steal: the
    /// median server CPU per request of the high ones over that of the low ones; then the
    /// median and range of those ratios.
    static func steal(_ sources: ReportSources, lowBelow: Double, highFrom: Double) throws(ReportError) -> String {
        let raw = try sources.raw(columns: ["point", "steal_pct", "server_cpu_us_per_req"])
        var measured: [(point: String, steal: Double, cpu: Double)] = []
        for row in raw.rows {
            guard let steal = try row.number("steal_pct"), let cpu = try row.number("server_cpu_us_per_req") else { continue }
            measured.append((row["point"], steal, cpu))
        }
        var ratios: [Double] = []
        for (_, reps) in grouped(measured, by: \.point) {
            guard let low = Ranking.median(reps.filter { $0.steal < lowBelow }.map(\.cpu)),
                  let high = Ranking.median(reps.filter { $0.steal >= highFrom }.map(\.cpu)) else { continue }
            ratios.append(high / low)
        }
        var lines = ["| raw rows | points with reps at < \(formatCompactNumber(lowBelow))% and ≥ \(formatCompactNumber(highFrom))% steal "
                        + "| CPU/req ratio, high ÷ low steal: median | min–max |",
                     "|---|---:|---:|---:|"]
        if let median = Ranking.median(ratios) {
            lines.append("| \((raw.path as NSString).lastPathComponent) | \(ratios.count) | \(ReportCell.fixed(median, digits: 2)) "
                + "| \(ReportCell.fixed(ratios.min()!, digits: 2))–\(ReportCell.fixed(ratios.max()!, digits: 2)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The pacing-quantum experiment (its `sweep` column `qNANOSECONDS`: a throwaway mux-load
    /// that slept at least that long between pacing wake-ups): per rate and quantum, medians over
    /// the runs at < `steadyBelow` % steal.
    static func pacing(_ sources: ReportSources, steadyBelow: Double) throws(ReportError) -> String {
        let raw = try sources.raw(columns: ["sweep", "rate_target_rps", "steal_pct", "requests", "load_user_s", "load_sys_s",
                                            "server_cpu_us_per_req", "lat_p50_us", "lat_p99_us", "lat_sent_p50_us", "send_late_p50_us"])
        var groups: [[Int]: [ReportRow]] = [:]
        for row in raw.rows where (try row.number("steal_pct") ?? 0) < steadyBelow {
            guard row["sweep"].hasPrefix("q"), let quantum = Int(row["sweep"].dropFirst()) else {
                throw ReportError("\(row.location): column sweep: '\(row["sweep"])' is not qNANOSECONDS")
            }
            groups[[Int(try row.required("rate_target_rps")), quantum], default: []].append(row)
        }
        var lines = ["| offered/s | pacing quantum µs | runs | load CPU µs/req | server CPU µs/req | p50 µs | p99 µs "
                        + "| p50 from actual send µs | send lateness p50 µs |",
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let runs = groups[key]!
            func median(_ value: (ReportRow) throws(ReportError) -> Double) throws(ReportError) -> Double {
                var values: [Double] = []
                for run in runs { values.append(try value(run)) }
                return Ranking.median(values)!
            }
            let loadCPU = try median { (run: ReportRow) throws(ReportError) -> Double in
                let cpu = try run.required("load_user_s") + run.required("load_sys_s")
                return cpu * 1e6 / (try run.required("requests"))
            }
            func figure(_ column: String) throws(ReportError) -> Double {
                try median { (run: ReportRow) throws(ReportError) -> Double in try run.required(column) }
            }
            lines.append("| \(ReportCell.number(Double(key[0]))) | \(key[1] / 1000) | \(runs.count) | \(ReportCell.fixed(loadCPU, digits: 1)) "
                + "| \(ReportCell.fixed(try figure("server_cpu_us_per_req"), digits: 1)) | \(ReportCell.number(try figure("lat_p50_us"))) "
                + "| \(ReportCell.number(try figure("lat_p99_us"))) | \(ReportCell.number(try figure("lat_sent_p50_us"))) "
                + "| \(ReportCell.number(try figure("send_late_p50_us"))) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Two runs of one build: per experiment (`sweep`) and point, the median CPU per request, its
    /// robust CV, the standard deviation of the log ratio of successive runs (1st/2nd, 3rd/4th,
    /// …: what an ABBA block's ratio is made of), and the server's and load generator's CPU.
    static func abNoise(_ sources: ReportSources) throws(ReportError) -> String {
        let raw = try sources.raw(columns: ["sweep", "point", "started_at", "server_cpu_us_per_req",
                                            "server_user_s", "server_sys_s", "load_user_s", "load_sys_s", "duration_s"])
        var groups: [[String]: [ReportRow]] = [:]
        for row in raw.rows { groups[[row["sweep"], row["point"]], default: []].append(row) }
        var lines = ["| experiment | point | runs | CPU µs/req median | robust CV % | SD of successive-run log ratio % "
                        + "| server CPU % | load CPU % |",
                     "|---|---|---:|---:|---:|---:|---:|---:|"]
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let runs = groups[key]!.sorted { $0["started_at"] < $1["started_at"] }
            var cpu: [Double] = [], server: [Double] = [], load: [Double] = []
            for run in runs {
                cpu.append(try run.required("server_cpu_us_per_req"))
                // The summary's own definitions of utilisation (CPU seconds per window second).
                guard let serverUtil = SweepSummary.figureValue("server_cpu_util", in: run.fields),
                      let loadUtil = SweepSummary.figureValue("load_cpu_util", in: run.fields) else {
                    throw ReportError("\(run.location): no CPU times or window to divide them by")
                }
                server.append(100 * serverUtil)
                load.append(100 * loadUtil)
            }
            let ratios = stride(from: 0, to: cpu.count - 1, by: 2).map { Foundation.log(cpu[$0 + 1] / cpu[$0]) }
            guard let median = Ranking.median(cpu), let deviation = sampleStandardDeviation(ratios) else { continue }
            lines.append("| \(key[0]) | \(key[1]) | \(runs.count) | \(ReportCell.fixed(median, digits: 2)) "
                + "| \(ReportCell.fixed(robustCV(cpu), digits: 1)) | \(ReportCell.fixed(100 * deviation, digits: 1)) "
                + "| \(ReportCell.fixed(Ranking.median(server)!, digits: 0)) | \(ReportCell.fixed(Ranking.median(load)!, digits: 0)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// 1.4826 × the median absolute deviation over the median, in %: a CV that one wild rep cannot move.
    static func robustCV(_ values: [Double]) -> Double {
        guard let median = Ranking.median(values), let mad = Ranking.median(values.map { abs($0 - median) }) else { return .nan }
        return 100 * 1.4826 * mad / median
    }

    /// The n − 1 standard deviation; nil under two values.
    static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// `items` grouped by `key`, groups in the order of their first item.
    static func grouped<Item>(_ items: [Item], by key: (Item) -> String) -> [(String, [Item])] {
        var order: [String] = []
        var groups: [String: [Item]] = [:]
        for item in items {
            let name = key(item)
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(item)
        }
        return order.map { ($0, groups[$0]!) }
    }
}
