import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The CSV reader takes what spreadsheets and Python's csv module write (RFC 4180: CRLF line
/// endings, quoted fields, doubled quotes, a UTF-8 byte order mark) and refuses a malformed file
/// naming the file and the line where it goes wrong.
@Suite struct CSVTableTests {
    static let lf = "sweep,point,backend\nci,1,poll\nci,2,epoll-et\n"

    @Test func crlfLineEndingsReadLikeLF() throws {
        let crlf = Self.lf.replacingOccurrences(of: "\n", with: "\r\n")
        let table = try CSVTable.parse(crlf, path: "s.csv")
        #expect(table.header == ["sweep", "point", "backend"])
        #expect(table.rows == [["sweep": "ci", "point": "1", "backend": "poll"],
                               ["sweep": "ci", "point": "2", "backend": "epoll-et"]])
        #expect(table == (try CSVTable.parse(Self.lf, path: "s.csv")))
    }

    @Test func crlfWithoutAFinalLineEndAndWithBlankLines() throws {
        let table = try CSVTable.parse("a,b\r\n1,2\r\n\r\n3,4", path: "s.csv")
        #expect(table.rows == [["a": "1", "b": "2"], ["a": "3", "b": "4"]])
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstColumn() throws {
        let table = try CSVTable.parse("\u{FEFF}sweep,point\r\nci,1\r\n", path: "s.csv")
        #expect(table.header == ["sweep", "point"])
        #expect(table.rows.first?["sweep"] == "ci")
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "name,cpu_model,note\r\n\"poll\",\"AMD EPYC, 2 vCPUs\",\"said \"\"hi\"\"\"\r\nx,\"two\r\nlines\",\"\"\r\n"
        let table = try CSVTable.parse(text, path: "s.csv")
        #expect(table.rows.count == 2)
        #expect(table.rows.first == ["name": "poll", "cpu_model": "AMD EPYC, 2 vCPUs", "note": "said \"hi\""])
        #expect(table.rows.last == ["name": "x", "cpu_model": "two\r\nlines", "note": ""])
    }

    @Test func quotedHeaderNamesReadAsPlainNames() throws {
        let table = try CSVTable.parse("\"sweep\",\"point\"\n\"ci\",\"7\"\n", path: "s.csv")
        #expect(table.header == ["sweep", "point"])
        #expect(table.rows == [["sweep": "ci", "point": "7"]])
    }

    @Test func unterminatedQuoteIsRefusedWithFileAndLine() {
        let text = "a,b\r\n1,2\r\n3,\"four\r\n5,6\r\n"
        #expect(throws: CSVError.unterminatedQuote(path: "s.csv", line: 3)) { try CSVTable.parse(text, path: "s.csv") }
        #expect(describe(text).hasPrefix("s.csv:3: "), "\(describe(text))")
    }

    @Test func textAfterAClosingQuoteIsRefusedWithFileAndLine() {
        #expect(throws: CSVError.unterminatedQuote(path: "s.csv", line: 2)) {
            try CSVTable.parse("a,b\n\"1\"x,2\n", path: "s.csv")
        }
    }

    @Test func wrongFieldCountNamesTheLineEvenAfterAQuotedLineBreak() {
        // Line 2 holds a field spanning two physical lines, so the short row starts on line 4.
        let text = "a,b\r\n\"x\r\ny\",2\r\n1\r\n"
        #expect(throws: CSVError.malformedRow(path: "s.csv", line: 4, expected: 2, found: 1)) {
            try CSVTable.parse(text, path: "s.csv")
        }
        #expect(describe(text) == "s.csv:4: expected 2 fields, found 1")
    }

    @Test func writtenFilesReadBackUnchanged() throws {
        let table = CSVTable(header: ["a", "b"], rows: [["a": "1", "b": ""], ["a": "x y", "b": "3.5"]])
        #expect(try CSVTable.parse(try table.render(), path: "s.csv") == table)
    }

    /// What a full disk leaves: the last row cut mid-value, no line end. Reported as such with
    /// file:line, never read as an empty file or a short table.
    @Test func aLastRowCutShortIsReportedWithFileAndLine() throws {
        let cut = "a,b,c\n1,2,3\n4,5"
        #expect(throws: CSVError.partialLastRow(path: "s.csv", line: 3, expected: 3, found: 2)) {
            try CSVTable.parse(cut, path: "s.csv")
        }
        #expect(describe(cut).hasPrefix("s.csv:3: the last row is cut short (2 of 3 fields)"), "\(describe(cut))")
        // Cut inside the last value: the field count is right, only the missing line end tells.
        let inValue = "a,b,c\n1,2,3\n4,5,6"
        #expect(throws: CSVError.partialLastRow(path: "s.csv", line: 3, expected: 3, found: 3)) {
            try CSVTable.parse(inValue, path: "s.csv", requireLineEnd: true)
        }
        // The same damage one row up is refused as a malformed row, with its line.
        #expect(throws: CSVError.malformedRow(path: "s.csv", line: 2, expected: 3, found: 2)) {
            try CSVTable.parse("a,b,c\n4,5\n1,2,3\n", path: "s.csv", requireLineEnd: true)
        }
    }

    /// A row appended to a file whose last row was cut would glue the two into one damaged row
    /// in the middle; the append is refused and the file left as it was.
    @Test func appendingAfterACutShortRowIsRefused() throws {
        let path = NSTemporaryDirectory() + "csv-append-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv"
        defer { unlink(path) }
        try "a,b\n1,2\n3".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CSVError.partialLastRow(path: path, line: 3, expected: 2, found: 1)) {
            try CSVTable.append(["a": "5", "b": "6"], to: path, columns: ["a", "b"])
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n1,2\n3")
    }

    /// Appending reads only the header and the last byte, and still refuses another schema,
    /// writes the header into a new or empty file, and adds whole rows after whole rows.
    @Test func appendChecksTheHeaderAndWritesItIntoANewFile() throws {
        let path = NSTemporaryDirectory() + "csv-header-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv"
        defer { unlink(path) }
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        try CSVTable.append(["a": "1", "b": "2"], to: path, columns: ["a", "b"])
        try CSVTable.append(["a": "3", "b": "4"], to: path, columns: ["a", "b"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n1,2\n3,4\n")
        #expect(throws: CSVError.headerMismatch(path: path)) {
            try CSVTable.append(["a": "5", "c": "6"], to: path, columns: ["a", "c"])
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n1,2\n3,4\n")
    }

    /// On a real full disk (a 64 KiB tmpfs), an append that runs out of room leaves no part of
    /// its row behind: the file still ends with its last whole row and reads back strictly.
    @Test func anAppendOnAFullDiskLeavesNoPartOfItsRow() throws {
        let disk = try SmallDisk(size: "64k", label: "append")
        defer { disk.unmount() }
        let path = disk.path + "/rows.csv"
        let columns = (1...40).map { "column_\($0)" }
        var row: [String: String] = [:]
        for (index, column) in columns.enumerated() { row[column] = String(1_000_000 + index) }
        try CSVTable.append(row, to: path, columns: columns)
        try disk.fill(leaving: 0)
        var appended = 1
        var failure: CSVError?
        // The file's last page has room for a few rows; the one that crosses it fails.
        while failure == nil, appended < 1000 {
            do { try CSVTable.append(row, to: path, columns: columns); appended += 1 } catch { failure = error }
        }
        guard case let .unwritable(_, code) = failure else {
            Issue.record("expected the disk to fill, got \(String(describing: failure)) after \(appended) rows")
            return
        }
        #expect(code == ENOSPC)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "the file ends with a whole row")
        let table = try CSVTable.read(path: path, requireLineEnd: true)
        #expect(table.rows.count == appended)
        #expect(table.rows.allSatisfy { $0 == row })
    }

    private func describe(_ text: String) -> String {
        do { _ = try CSVTable.parse(text, path: "s.csv"); return "" } catch { return error.description }
    }
}
