// Splitting CSV text into records of fields (RFC 4180), byte by byte: Swift's String treats
// "\r\n" as one Character, so splitting on "\n" would leave a CRLF file as a single line.

/// One record of a CSV file and the (1-based) line it starts on.
struct CSVRecord: Equatable {
    var fields: [String]
    var line: Int
}

enum CSVRecords {
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","),
                       lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    /// The records of `text`, blank lines left out. An unclosed quote, or text between a closing
    /// quote and the next separator, is refused with the line the field starts on.
    static func split(_ text: String, path: String) throws(CSVError) -> [CSVRecord] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var index = 0
        var quotedInRecord = false

        func endRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            // A blank line is one empty unquoted field: not a record ("" alone is one).
            if quotedInRecord || !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(fields: fields, line: recordLine))
            }
            fields.removeAll(keepingCapacity: true)
            quotedInRecord = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote && field.isEmpty {
                // A quoted field: up to the quote that is not doubled.
                let fieldLine = line
                index += 1
                var closed = false
                while index < bytes.count {
                    let inner = bytes[index]
                    if inner == quote {
                        if index + 1 < bytes.count && bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    if inner == lineFeed { line += 1 }
                    field.append(inner)
                    index += 1
                }
                guard closed else { throw .unterminatedQuote(path: path, line: fieldLine) }
                // Only a separator or the end of the line may follow the closing quote.
                if index < bytes.count, ![comma, lineFeed, carriageReturn].contains(bytes[index]) {
                    throw .unterminatedQuote(path: path, line: fieldLine)
                }
                quotedInRecord = true
                continue
            }
            switch byte {
            case comma:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                index += 1
            case lineFeed, carriageReturn:
                endRecord()
                index = skipLineEnd(bytes, index, &line)
                recordLine = line
            default:
                field.append(byte)
                index += 1
            }
        }
        if !fields.isEmpty || !field.isEmpty || quotedInRecord { endRecord() }
        return records
    }

    /// Past one line end (LF, CRLF or a lone CR) at `index`, counting the line.
    private static func skipLineEnd(_ bytes: [UInt8], _ index: Int, _ line: inout Int) -> Int {
        guard index < bytes.count else { return index }
        var next = index
        if bytes[next] == carriageReturn { next += 1 }
        if next < bytes.count && bytes[next] == lineFeed { next += 1 }
        if next == index { return index }
        line += 1
        return next
    }
}
