// The CSVs a report table reads, with the place of every row kept, so a damaged value is named
// as `file:line` (exit 2) instead of printed as a blank cell.
import Foundation
import MuxMetrics

/// Bad input to `mux-bench report`: an unknown sweep or table, a missing or damaged file, a
/// malformed block in a Markdown file. Its text is the one line the command prints.
public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One CSV row and where it is (`results/c10k-summary.csv:12`).
struct ReportRow {
    let fields: [String: String]
    let location: String

    subscript(column: String) -> String { fields[column] ?? "" }

    /// The number in `column`; nil when the cell is empty (not applicable). Any other text is a
    /// damaged file.
    func number(_ column: String) throws(ReportError) -> Double? {
        let text = self[column]
        if text.isEmpty { return nil }
        guard let value = Double(text), value.isFinite else {
            throw ReportError("\(location): column \(column): '\(text)' is not a number")
        }
        return value
    }

    /// Like `number`, for a cell the table cannot do without.
    func required(_ column: String) throws(ReportError) -> Double {
        guard let value = try number(column) else { throw ReportError("\(location): column \(column) is empty") }
        return value
    }
}

/// A whole CSV file read for a report.
struct ReportCSV {
    let path: String
    let header: [String]
    let rows: [ReportRow]

    /// Reads `path`, refusing it unless its header has every column in `columns`.
    static func load(_ path: String, columns: [String]) throws(ReportError) -> ReportCSV {
        guard FileManager.default.fileExists(atPath: path) else { throw ReportError("\(path): no such file") }
        let table: CSVTable
        do { table = try CSVTable.read(path: path) } catch { throw ReportError(error.description) }
        if let missing = columns.first(where: { !table.header.contains($0) }) {
            throw ReportError("\(path):1: no column '\(missing)'")
        }
        // Line numbers as the file has them when no field spans lines (MuxBench never writes one).
        let rows = table.rows.enumerated().map { ReportRow(fields: $1, location: "\(path):\($0 + 2)") }
        return ReportCSV(path: path, header: table.header, rows: rows)
    }
}

/// The files of one sweep under the results directory, each read once.
final class ReportSources {
    let directory: String
    let sweep: String
    private var cache: [String: ReportCSV] = [:]

    init(directory: String, sweep: String) {
        self.directory = directory
        self.sweep = sweep
    }

    /// `DIR/SWEEP-summary.csv`: one row per point.
    func summary(columns: [String]) throws(ReportError) -> ReportCSV {
        try file("\(directory)/\(sweep)-summary.csv", columns: columns)
    }

    /// `DIR/SWEEP.csv`: one row per repetition (and per probe of a rate search).
    func raw(columns: [String]) throws(ReportError) -> ReportCSV {
        try file("\(directory)/\(sweep).csv", columns: columns)
    }

    private func file(_ path: String, columns: [String]) throws(ReportError) -> ReportCSV {
        if let table = cache[path] {
            // Read once, checked for what each table needs.
            if let missing = columns.first(where: { !table.header.contains($0) }) {
                throw ReportError("\(path):1: no column '\(missing)'")
            }
            return table
        }
        let table = try ReportCSV.load(path, columns: columns)
        cache[path] = table
        return table
    }
}
