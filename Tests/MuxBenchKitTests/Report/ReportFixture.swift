// What the report tests read: the committed results/ (real rows of real sweeps), or a scratch
// directory of small CSVs built from real rows where a test needs to change or break one.
import Foundation
import MuxCore
import MuxMetrics
import MuxTestSupport
@testable import MuxBenchKit

enum ReportFixture {
    /// The committed results directory of this checkout.
    static let committed = repositoryRoot + "/results"

    /// One table of a committed sweep, as `mux-bench report SWEEP TABLE` prints it.
    static func table(_ sweep: String, _ table: String) throws -> String {
        try ReportCatalog.render(sweep: sweep, table: table, resultsDirectory: committed)
    }

    /// The line of `table` for `backend` at `connections` (the first such line).
    static func line(_ table: String, backend: String, connections: String) -> String? {
        table.split(separator: "\n").map(String.init).first { $0.hasPrefix("| \(backend) | \(connections) |") }
    }

    /// The backends of a table's lines, in order (lines starting `| NAME |` with NAME a backend).
    static func backends(_ table: String) -> [String] {
        table.split(separator: "\n").compactMap { line in
            let name = line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) }
            return name.flatMap { Backend.names.contains($0) ? $0 : nil }
        }
    }

    /// A new empty directory; the caller removes it.
    static func scratchDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "mux-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The header and the lines for `points` of a committed CSV, written to `directory/name`:
    /// a small file of real rows that a test may edit first with `edit`.
    static func copyRows(from committedName: String, points: [String], to directory: String, as name: String,
                         edit: (inout [String: String]) -> Void = { _ in }) throws {
        let table = try CSVTable.read(path: "\(committed)/\(committedName)")
        var small = CSVTable(header: table.header)
        for var row in table.rows where points.contains(row["point"] ?? "") {
            edit(&row)
            small.rows.append(row)
        }
        try small.render().write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
    }
}
