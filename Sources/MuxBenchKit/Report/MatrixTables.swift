// Tables with a line per backend and a column per value of one swept dimension: any summary
// figure over connections, active share, payload or write mode, and the server's CPU at an equal
// offered load (what idle descriptors cost when the work is the same).
import MuxMetrics

enum MatrixTables {
    /// `figure`'s median [95% CI] per backend (rows) and value of `column` (columns), `digits`
    /// decimals under 1,000; a point with saturated reps says how many.
    static func matrix(_ sources: ReportSources, figure: String, column: String, digits: Int) throws(ReportError) -> String {
        let summary = try sources.summary(columns: ["backend", column, "saturated_reps", "reps", "\(figure)_median"])
        let rows = ReportRows.points(summary)
        let values = try dimensionValues(rows, column)
        let backends = ReportRows.orderedBackends(rows.map { $0["backend"] })
        var lines = ["| \(figure) (median [95% CI]) | " + values.map(\.label).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: values.count)]
        for backend in backends {
            var cells: [String] = []
            for value in values {
                guard let row = rows.first(where: { $0["backend"] == backend && $0[column] == value.text }) else {
                    cells.append(ReportCell.dash)
                    continue
                }
                var cell = try ReportCell.withInterval(row, figure, digits: digits)
                if !["", "0"].contains(row["saturated_reps"]) { cell += " (\(row["saturated_reps"])/\(row["reps"]) sat.)" }
                cells.append(cell)
            }
            lines.append("| \(backend) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Server CPU as % of one CPU (median [95% CI]) per backend and connection count, at the
    /// offered `rate`; a saturated point names the limiting side, one that failed its own checks
    /// carries CheckMarks' footnote.
    static func equalLoad(_ sources: ReportSources, rate: Double) throws(ReportError) -> String {
        let summary = try sources.summary(columns: ["backend", "connections", "rate_target_rps", "saturated_reps", "reps",
                                                    "server_cpu_util_median"])
        let marks = try SaturationMarks(raw: try sources.raw(columns: ["point", "saturated_by"]))
        let checks = try CheckMarks(raw: try sources.raw(columns: ["point"]))
        var rows: [ReportRow] = []
        for row in ReportRows.points(summary) where try row.number("rate_target_rps") == rate { rows.append(row) }
        var connections: [Int] = []
        for row in rows { connections.append(try ReportRows.connections(row)) }
        connections = Array(Set(connections)).sorted()
        var lines = ["Server CPU, % of one CPU (median [95% CI]), at \(ReportCell.number(rate)) requests/s offered:", "",
                     "| backend | " + connections.map { "\(ReportCell.number(Double($0))) conns" }.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: connections.count)]
        for backend in ReportRows.orderedBackends(rows.map { $0["backend"] }) {
            var cells: [String] = []
            for count in connections {
                guard let row = rows.first(where: { $0["backend"] == backend && $0["connections"] == String(count) }) else {
                    cells.append(ReportCell.dash)
                    continue
                }
                var cell = try ReportCell.withInterval(row, "server_cpu_util", digits: 1, scale: 100)
                let mark = marks.cell(row)
                if mark != ReportCell.dash { cell += " (saturated \(mark))" }
                cells.append(cell + checks.suffix(row))
            }
            lines.append("| \(backend) | " + cells.joined(separator: " | ") + " |")
        }
        return CheckMarks.withLegend(lines.joined(separator: "\n"), used: rows.contains { !checks.suffix($0).isEmpty })
    }

    /// The distinct values of `column`: numbers first in numeric order (labelled `1,000`), then
    /// words (write modes, protocols) in text order.
    static func dimensionValues(_ rows: [ReportRow], _ column: String) throws(ReportError) -> [(text: String, label: String)] {
        let texts = Set(rows.map { $0[column] })
        let numbers = texts.compactMap { text in Double(text).map { (text, $0) } }.sorted { $0.1 < $1.1 }
        let words = texts.filter { Double($0) == nil }.sorted()
        return numbers.map { ($0.0, ReportCell.grouped(String(Int($0.1)))) } + words.map { ($0, $0) }
    }
}
