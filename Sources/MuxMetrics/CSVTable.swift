// Reading and appending the results CSVs. The files MuxBench writes never need quoting (no value
// holds a comma or line break: a field that would is a programming error, refused loudly), but
// the reader takes any RFC 4180 file, since a summary may come back from a spreadsheet.
#if canImport(Glibc)
import Glibc
#endif

public enum CSVError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, errno: Int32)
    case unwritable(path: String, errno: Int32)
    case headerMismatch(path: String)
    case malformedRow(path: String, line: Int, expected: Int, found: Int)
    case unterminatedQuote(path: String, line: Int)
    case badField(column: String, value: String)
    /// The last row stops short: fewer (or more) fields than the header, or no line end where
    /// every row MuxBench appends has one. What a full disk or a killed writer leaves.
    case partialLastRow(path: String, line: Int, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, code): return "\(path): cannot read: \(String(cString: strerror(code)))"
        case let .unwritable(path, code): return "\(path): cannot write: \(String(cString: strerror(code)))"
        case let .headerMismatch(path):
            return "\(path):1: header differs from the current schema; refusing to append (move the file aside or use another --out)"
        case let .malformedRow(path, line, expected, found):
            return "\(path):\(line): expected \(expected) fields, found \(found)"
        case let .unterminatedQuote(path, line):
            return "\(path):\(line): a quoted field is not closed (or text follows its closing quote)"
        case let .badField(column, value): return "column \(column): value '\(value)' contains a comma or newline"
        case let .partialLastRow(path, line, expected, found):
            return "\(path):\(line): the last row is cut short (\(found) of \(expected) fields"
                + (found == expected ? ", no line end" : "") + "): the file was truncated (a full disk?)"
        }
    }
}

/// A whole CSV file in memory: its header and rows as column → value.
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    public var rows: [[String: String]]

    public init(header: [String], rows: [[String: String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// Parses CSV text (first record the header; blank lines ignored) as RFC 4180 has it: LF or
    /// CRLF line endings, quoted fields that may hold commas, doubled quotes and line breaks,
    /// and a UTF-8 byte order mark (spreadsheets write one) skipped. Malformed input is refused
    /// with the line it starts on; a last row with the wrong number of fields as `partialLastRow`
    /// (a file cut short), as is one without a line end when `requireLineEnd` (files MuxBench
    /// appends to end every row with one, so a missing one means a value may be cut too).
    public static func parse(_ text: String, path: String = "<csv>", requireLineEnd: Bool = false) throws(CSVError) -> CSVTable {
        var records = try CSVRecords.split(text, path: path)
        guard let first = records.first else { return CSVTable(header: []) }
        let lastByte = text.utf8.last
        let endsWithLineEnd = lastByte == UInt8(ascii: "\n") || lastByte == UInt8(ascii: "\r")
        records.removeFirst()
        var table = CSVTable(header: first.fields)
        for (index, record) in records.enumerated() {
            guard record.fields.count == first.fields.count else {
                if index == records.count - 1, !endsWithLineEnd {
                    throw .partialLastRow(path: path, line: record.line, expected: first.fields.count, found: record.fields.count)
                }
                throw .malformedRow(path: path, line: record.line, expected: first.fields.count, found: record.fields.count)
            }
            table.rows.append(Dictionary(uniqueKeysWithValues: zip(first.fields, record.fields)))
        }
        if requireLineEnd, !endsWithLineEnd {
            let last = records.last ?? first
            throw .partialLastRow(path: path, line: last.line, expected: first.fields.count, found: last.fields.count)
        }
        return table
    }

    /// Reads the file at `path` strictly (see `parse`); `requireLineEnd` for files MuxBench appends
    /// rows to (raw results), which a spreadsheet never writes back.
    public static func read(path: String, requireLineEnd: Bool = false) throws(CSVError) -> CSVTable {
        let text: String
        do { text = try readTextFile(path) } catch { throw .unreadable(path: path, errno: error.code) }
        return try parse(text, path: path, requireLineEnd: requireLineEnd)
    }

    /// One CSV line for `row` in `columns` order; missing columns are empty (not applicable).
    public static func line(_ row: [String: String], columns: [String]) throws(CSVError) -> String {
        var fields: [String] = []
        fields.reserveCapacity(columns.count)
        for column in columns {
            let value = row[column] ?? ""
            if value.contains(",") || value.contains("\n") { throw .badField(column: column, value: value) }
            fields.append(value)
        }
        return fields.joined(separator: ",")
    }

    public func render() throws(CSVError) -> String {
        var out = header.joined(separator: ",") + "\n"
        for row in rows { out += try CSVTable.line(row, columns: header) + "\n" }
        return out
    }

    /// Appends one row to the CSV at `path` at once (written and flushed before returning), writing
    /// the header first when the file is new or empty. A file whose header differs is never touched.
    /// Reads only the file's first line and last byte, so a long sweep's appends stay cheap.
    public static func append(_ row: [String: String], to path: String, columns: [String]) throws(CSVError) {
        let text = try line(row, columns: columns) + "\n"
        var payload = text
        if let (firstLine, endsWithLineEnd) = fileEdges(path) {
            guard firstLine == columns.joined(separator: ",") else { throw .headerMismatch(path: path) }
            // A row glued to a cut-short one would damage a second row; the reader reports the first.
            if !endsWithLineEnd {
                let existing = (try? readTextFile(path)) ?? ""
                _ = try parse(existing, path: path, requireLineEnd: true)
            }
        } else {
            payload = columns.joined(separator: ",") + "\n" + text
        }
        try appendText(payload, to: path)
    }

    /// The first line of a non-empty file at `path` and whether its last byte ends a line; nil
    /// when the file is missing, unreadable or empty.
    static func fileEdges(_ path: String) -> (firstLine: String, endsWithLineEnd: Bool)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return nil }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, status.st_size - 1) == 1 else { return nil }
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !head.contains(UInt8(ascii: "\n")) {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            head += chunk[0..<n]
        }
        let firstLine = head.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return (String(decoding: firstLine, as: UTF8.self), last == UInt8(ascii: "\n"))
    }

    /// Checks that `path` can take rows of `columns` (new, empty, or same header) without writing a row.
    public static func checkAppendable(path: String, columns: [String]) throws(CSVError) {
        if let existing = try? readTextFile(path), !existing.isEmpty {
            let firstLine = existing.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard firstLine == columns.joined(separator: ",") else { throw .headerMismatch(path: path) }
        }
        try appendText("", to: path)
    }

    /// Replaces the file at `path` atomically (write to a temporary file, then rename).
    public func write(to path: String) throws(CSVError) {
        let text = try render()
        let temporary = path + ".tmp"
        unlink(temporary)
        try appendText(text, to: temporary)
        guard rename(temporary, path) == 0 else { throw .unwritable(path: path, errno: errno) }
    }
}

public struct FileError: Error { public let code: Int32 }

/// The whole file as UTF-8 text.
public func readTextFile(_ path: String) throws(FileError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError(code: errno) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; throw FileError(code: errno) }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Appends `text` to `path` (created 0644 if missing) and flushes it to the kernel at once. All
/// or nothing: when a write fails (a full disk), the file is cut back to its length before, so
/// it never ends in part of a row.
public func appendText(_ text: String, to path: String) throws(CSVError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .unwritable(path: path, errno: errno) }
    defer { close(fd) }
    let lengthBefore = lseek(fd, 0, SEEK_END)
    var utf8 = Array(text.utf8)
    var offset = 0
    while offset < utf8.count {
        let n = utf8.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            let code = errno
            if lengthBefore >= 0 { _ = ftruncate(fd, lengthBefore) }
            throw .unwritable(path: path, errno: code)
        }
        offset += n
    }
    utf8.removeAll()
}
