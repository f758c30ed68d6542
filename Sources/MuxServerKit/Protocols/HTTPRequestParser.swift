// The HTTP/1.x request parser of the benchmark server.
//
// It runs once per request on the server's hot path, so it scans the raw receive buffer in one
// pass and allocates nothing: no Strings, no arrays, header names compared byte by byte.
// It imports nothing but the standard library and uses no other file of the package, so the
// libFuzzer target (Tests/Fuzz/run-fuzz.sh) can compile this file on its own.

/// What the bytes at the start of a receive buffer hold.
public enum HTTPParseResult: Equatable, Sendable {
    /// Need more bytes.
    case incomplete
    /// One complete request of `length` bytes (head + body) at the start of the buffer.
    case request(length: Int, keepAlive: Bool)
    /// Answer 400 and close.
    case malformed(HTTPMalformation)
}

/// Why a request was refused.
public enum HTTPMalformation: Equatable, Sendable {
    case requestLine
    case headerLine
    case headersTooLarge
    case badContentLength
    case unsupportedTransferEncoding
    case binaryData
}

public enum HTTPRequestParser {
    /// The longest head (request line, headers and the blank line) accepted.
    public static let maxHeaderBytes = 8192

    /// The largest body accepted; bigger ones are refused as a bad Content-Length.
    static let maxContentLength = 1 << 20

    /// Parses the request at the start of `bytes`; pipelined requests after it are left alone.
    ///
    /// The scan stops at the first byte that no valid request could have there, so garbage is
    /// refused as soon as it arrives rather than after `maxHeaderBytes` of it. O(n) in the bytes
    /// scanned, which are never more than `maxHeaderBytes` plus nothing of the body.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPParseResult {
        // A head that ends past this point is too large anyway, so nothing beyond it is read.
        let limit = min(bytes.count, maxHeaderBytes)
        let head: HeadScan
        switch scanRequestLine(bytes, limit: limit) {
        case .incomplete:
            return incompleteOrTooLarge(bytes)
        case .malformed(let why):
            return .malformed(why)
        case .complete(let next, let isHTTP11):
            head = scanHeaderLines(bytes, from: next, limit: limit, isHTTP11: isHTTP11)
        }
        switch head {
        case .incomplete:
            return incompleteOrTooLarge(bytes)
        case .malformed(let why):
            return .malformed(why)
        case .complete(let headLength, let contentLength, let keepAlive):
            let length = headLength + contentLength
            return bytes.count < length ? .incomplete : .request(length: length, keepAlive: keepAlive)
        }
    }

    // MARK: - Scan results

    private enum RequestLineScan {
        case complete(next: Int, isHTTP11: Bool)
        case incomplete
        case malformed(HTTPMalformation)
    }

    private enum HeadScan {
        case complete(headLength: Int, contentLength: Int, keepAlive: Bool)
        case incomplete
        case malformed(HTTPMalformation)
    }

    /// Running out of scanned bytes means "wait for more" only while the head may still fit.
    private static func incompleteOrTooLarge(_ bytes: UnsafeRawBufferPointer) -> HTTPParseResult {
        bytes.count > maxHeaderBytes ? .malformed(.headersTooLarge) : .incomplete
    }

    // MARK: - Request line: METHOD SP TARGET SP HTTP/1.x CRLF

    private static func scanRequestLine(_ bytes: UnsafeRawBufferPointer, limit: Int) -> RequestLineScan {
        var i = 0
        while i < limit, isMethodByte(bytes[i]) { i += 1 }
        if i == limit { return .incomplete }
        if i == 0 || bytes[i] != .space { return .malformed(refusal(of: bytes[i], in: .requestLine)) }
        i += 1

        let targetStart = i
        while i < limit, isVisible(bytes[i]) { i += 1 }
        if i == limit { return .incomplete }
        if i == targetStart || bytes[i] != .space {
            return .malformed(refusal(of: bytes[i], in: .requestLine))
        }
        i += 1

        // "HTTP/1." then the minor version and CRLF; anything else, "http/1.1" included, is refused.
        for expected in httpVersionPrefix {
            if i == limit { return .incomplete }
            if bytes[i] != expected { return .malformed(refusal(of: bytes[i], in: .requestLine)) }
            i += 1
        }
        if i == limit { return .incomplete }
        let minor = bytes[i]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else {
            return .malformed(refusal(of: minor, in: .requestLine))
        }
        i += 1
        switch scanLineEnd(bytes, at: i, limit: limit, in: .requestLine) {
        case .incomplete: return .incomplete
        case .malformed(let why): return .malformed(why)
        case .complete(let next): return .complete(next: next, isHTTP11: minor == UInt8(ascii: "1"))
        }
    }

    /// "HTTP/1." as a tuple of bytes: iterating it builds no array.
    private static var httpVersionPrefix: StaticBytes {
        StaticBytes("HTTP/1.")
    }

    // MARK: - Header lines: Name: value CRLF ... CRLF

    private static func scanHeaderLines(
        _ bytes: UnsafeRawBufferPointer, from start: Int, limit: Int, isHTTP11: Bool
    ) -> HeadScan {
        var framing = RequestFraming()
        var i = start
        while true {
            if i == limit { return .incomplete }
            let first = bytes[i]
            if first == .carriageReturn {
                switch scanLineEnd(bytes, at: i, limit: limit, in: .headerLine) {
                case .incomplete: return .incomplete
                case .malformed(let why): return .malformed(why)
                case .complete(let headLength):
                    return .complete(
                        headLength: headLength, contentLength: framing.contentLength ?? 0,
                        keepAlive: framing.keepAlive(isHTTP11: isHTTP11))
                }
            }

            // Name: token bytes up to the colon. A leading SP/HTAB is obs-fold, which is refused.
            let nameStart = i
            while i < limit, isTokenByte(bytes[i]) { i += 1 }
            if i == limit { return .incomplete }
            if i == nameStart || bytes[i] != UInt8(ascii: ":") {
                return .malformed(refusal(of: bytes[i], in: .headerLine))
            }
            let name = nameStart..<i
            i += 1

            // Value: visible bytes, SP and HTAB (obs-text too, as RFC 9110 allows) up to CR.
            while i < limit, isOptionalWhitespace(bytes[i]) { i += 1 }
            let valueStart = i
            while i < limit {
                let byte = bytes[i]
                if byte >= 0x20 && byte != 0x7F || byte == .horizontalTab {
                    i += 1
                } else if byte == .carriageReturn {
                    break
                } else {
                    return .malformed(refusal(of: byte, in: .headerLine))
                }
            }
            if i == limit { return .incomplete }
            var valueEnd = i
            while valueEnd > valueStart, isOptionalWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            switch scanLineEnd(bytes, at: i, limit: limit, in: .headerLine) {
            case .incomplete: return .incomplete
            case .malformed(let why): return .malformed(why)
            case .complete(let next): i = next
            }

            if let why = framing.apply(name: name, value: valueStart..<valueEnd, in: bytes) {
                return .malformed(why)
            }
        }
    }

    private enum LineEndScan {
        case complete(next: Int)
        case incomplete
        case malformed(HTTPMalformation)
    }

    /// Expects CRLF at `i`. A bare LF or a CR followed by anything else is refused, not guessed at.
    private static func scanLineEnd(
        _ bytes: UnsafeRawBufferPointer, at i: Int, limit: Int, in line: HTTPMalformation
    ) -> LineEndScan {
        if i == limit { return .incomplete }
        if bytes[i] != .carriageReturn { return .malformed(refusal(of: bytes[i], in: line)) }
        if i + 1 == limit { return .incomplete }
        if bytes[i + 1] != .lineFeed { return .malformed(refusal(of: bytes[i + 1], in: line)) }
        return .complete(next: i + 2)
    }

    // MARK: - Byte classes

    /// A control byte where the grammar allows none is reported as binary data, anything else
    /// as an error of the line it is in. CR, LF and HTAB count as line errors: they are text.
    private static func refusal(of byte: UInt8, in line: HTTPMalformation) -> HTTPMalformation {
        let isText = byte >= 0x20 && byte != 0x7F
            || byte == .carriageReturn || byte == .lineFeed || byte == .horizontalTab
        return isText ? line : .binaryData
    }

    /// Token bytes except lowercase letters: methods are case-sensitive and all uppercase.
    @inline(__always)
    private static func isMethodByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    /// RFC 7230 tchar: ALPHA, DIGIT and !#$%&'*+-.^_`|~
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Visible ASCII, the bytes a request target may hold.
    @inline(__always)
    private static func isVisible(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    @inline(__always)
    static func isOptionalWhitespace(_ byte: UInt8) -> Bool {
        byte == .space || byte == .horizontalTab
    }
}

// MARK: - Framing headers

/// What Connection, Content-Length and Transfer-Encoding said, gathered while the head is read.
private struct RequestFraming {
    var contentLength: Int?
    var saysClose = false
    var saysKeepAlive = false

    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless told to keep it.
    func keepAlive(isHTTP11: Bool) -> Bool {
        if saysClose { return false }
        return isHTTP11 || saysKeepAlive
    }

    /// Records one header; returns why the request must be refused, if it must.
    mutating func apply(
        name: Range<Int>, value: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) -> HTTPMalformation? {
        // The length check first keeps the common headers (Host, Accept, ...) to one comparison.
        switch name.count {
        case 10 where bytes.equalsIgnoringASCIICase(name, StaticBytes("connection")):
            recordConnectionOptions(value, in: bytes)
        case 14 where bytes.equalsIgnoringASCIICase(name, StaticBytes("content-length")):
            // Digits only; a second Content-Length may repeat the first but not contradict it.
            guard let length = Self.decimalLength(value, in: bytes),
                contentLength == nil || contentLength == length
            else { return .badContentLength }
            contentLength = length
        case 17 where bytes.equalsIgnoringASCIICase(name, StaticBytes("transfer-encoding")):
            // Chunked bodies are not needed by the benchmark; refusing them also rules out
            // request smuggling through Content-Length / Transfer-Encoding disagreement.
            return .unsupportedTransferEncoding
        default:
            break
        }
        return nil
    }

    /// Connection is a comma-separated token list, e.g. "Keep-Alive, close".
    private mutating func recordConnectionOptions(_ value: Range<Int>, in bytes: UnsafeRawBufferPointer) {
        var tokenStart = value.lowerBound
        while tokenStart <= value.upperBound {
            var tokenEnd = tokenStart
            while tokenEnd < value.upperBound, bytes[tokenEnd] != UInt8(ascii: ",") { tokenEnd += 1 }
            var lower = tokenStart
            var upper = tokenEnd
            while lower < upper, HTTPRequestParser.isOptionalWhitespace(bytes[lower]) { lower += 1 }
            while upper > lower, HTTPRequestParser.isOptionalWhitespace(bytes[upper - 1]) { upper -= 1 }
            if bytes.equalsIgnoringASCIICase(lower..<upper, StaticBytes("close")) {
                saysClose = true
            } else if bytes.equalsIgnoringASCIICase(lower..<upper, StaticBytes("keep-alive")) {
                saysKeepAlive = true
            }
            tokenStart = tokenEnd + 1
        }
    }

    /// The value as a body length, or nil when it is empty, not all digits or above the limit.
    private static func decimalLength(_ value: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        if value.isEmpty { return nil }
        var length = 0
        for i in value {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            length = length * 10 + Int(digit)
            // Checked every digit, so a long run of digits cannot overflow.
            if length > HTTPRequestParser.maxContentLength { return nil }
        }
        return length
    }
}

// MARK: - Allocation-free ASCII helpers

/// The bytes of an ASCII string literal, iterated without building an array or a String.
private struct StaticBytes: Sequence {
    let literal: StaticString

    init(_ literal: StaticString) {
        self.literal = literal
    }

    var count: Int { literal.utf8CodeUnitCount }

    func makeIterator() -> UnsafeBufferPointer<UInt8>.Iterator {
        // Literals live in the binary's constant data for the whole run.
        UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount).makeIterator()
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes in `range` spell `lowercase` in any letter case.
    fileprivate func equalsIgnoringASCIICase(_ range: Range<Int>, _ lowercase: StaticBytes) -> Bool {
        guard range.count == lowercase.count else { return false }
        var i = range.lowerBound
        for expected in lowercase {
            var byte = self[i]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != expected { return false }
            i += 1
        }
        return true
    }
}

// Computed, not stored: a stored static is a lazily initialised global, checked on every use.
extension UInt8 {
    fileprivate static var space: UInt8 { 0x20 }
    fileprivate static var horizontalTab: UInt8 { 0x09 }
    fileprivate static var carriageReturn: UInt8 { 0x0D }
    fileprivate static var lineFeed: UInt8 { 0x0A }
}
