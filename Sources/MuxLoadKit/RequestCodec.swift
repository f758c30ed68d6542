// What goes on the wire and how each reply is checked. Echo payloads carry the connection and
// a sequence number, so a reply from the wrong request, a reordered or corrupted byte, is caught.

/// The echo payload of request `sequence` on `connection`: byte i is a function of all three,
/// so the verifier regenerates it instead of remembering what it sent.
@inline(__always)
func echoByte(connection: UInt32, sequence: UInt64, index: Int) -> UInt8 {
    switch index {
    case 0..<8: return UInt8(truncatingIfNeeded: sequence >> (UInt64(index) * 8))
    case 8..<12: return UInt8(truncatingIfNeeded: connection >> (UInt32(index - 8) * 8))
    default: return UInt8(truncatingIfNeeded: UInt64(index) &* 31 &+ sequence)
    }
}

func fillEchoPayload(_ destination: UnsafeMutableRawPointer, count: Int, connection: UInt32, sequence: UInt64) {
    let bytes = destination.assumingMemoryBound(to: UInt8.self)
    for i in 0..<count { bytes[i] = echoByte(connection: connection, sequence: sequence, index: i) }
}

/// Redis's inline PING and the one reply it has.
let redisRequest = "PING\r\n"
let redisReply: StaticString = "+PONG\r\n"

/// Parses HTTP/1.x responses incrementally from a byte stream.
enum HTTPResponseScan: Equatable {
    case incomplete
    /// A whole response of `length` bytes; `ok` when the status is 200; `closes` on Connection: close.
    case response(length: Int, ok: Bool, closes: Bool)
    case malformed
}

func scanHTTPResponse(_ bytes: UnsafeRawBufferPointer) -> HTTPResponseScan {
    let count = bytes.count
    guard count >= 12 else { return hasPrefixMismatch(bytes) ? .malformed : .incomplete }
    if hasPrefixMismatch(bytes) { return .malformed }
    // End of head.
    var end = -1
    var i = 0
    while i + 3 < count {
        if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 { end = i + 4; break }
        i += 1
    }
    if end < 0 { return count > 16384 ? .malformed : .incomplete }
    let ok = bytes[9] == UInt8(ascii: "2") && bytes[10] == UInt8(ascii: "0") && bytes[11] == UInt8(ascii: "0")
    var contentLength = -1
    var closes = false
    // Header lines: find Content-Length and Connection: close (case-insensitive names).
    var lineStart = 0
    while lineStart < end - 2 {
        var lineEnd = lineStart
        while lineEnd + 1 < end, !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
        if matchesName(bytes, lineStart, lineEnd, "content-length:") {
            var value = 0
            var j = lineStart + 15
            var digits = 0
            while j < lineEnd {
                let b = bytes[j]
                if b >= 48 && b <= 57 { value = value * 10 + Int(b - 48); digits += 1; if digits > 9 { return .malformed } }
                else if b != 32 && b != 9 { return .malformed }
                j += 1
            }
            if digits == 0 { return .malformed }
            contentLength = value
        } else if matchesName(bytes, lineStart, lineEnd, "connection:") {
            closes = containsCaseInsensitive(bytes, lineStart + 11, lineEnd, "close")
        }
        lineStart = lineEnd + 2
    }
    guard contentLength >= 0 else { return .malformed }
    let total = end + contentLength
    return count >= total ? .response(length: total, ok: ok, closes: closes) : .incomplete
}

private func hasPrefixMismatch(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let prefix: StaticString = "HTTP/1."
    let n = min(bytes.count, 7)
    for i in 0..<n where bytes[i] != prefix.utf8Start[i] { return true }
    return false
}

private func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

private func matchesName(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ name: StaticString) -> Bool {
    let n = name.utf8CodeUnitCount
    guard end - start >= n else { return false }
    for i in 0..<n where lower(bytes[start + i]) != name.utf8Start[i] { return false }
    return true
}

private func containsCaseInsensitive(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
    let n = word.utf8CodeUnitCount
    guard end - start >= n else { return false }
    var i = start
    while i + n <= end {
        var match = true
        for k in 0..<n where lower(bytes[i + k]) != word.utf8Start[k] { match = false; break }
        if match { return true }
        i += 1
    }
    return false
}
