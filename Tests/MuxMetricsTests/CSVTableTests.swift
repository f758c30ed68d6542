import Foundation
import MuxMetrics
import Testing

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

    private func describe(_ text: String) -> String {
        do { _ = try CSVTable.parse(text, path: "s.csv"); return "" } catch { return error.description }
    }
}
