// libFuzzer entry point for HTTPRequestParser, linked by run-fuzz.sh against MuxServerKit and its
// dependencies as SwiftPM builds them (fuzzer coverage, ASan, -enable-testing).
//
// Besides "never crash, never read out of bounds" (AddressSanitizer watches that), it checks
// the properties the server loop relies on when it slices pipelined requests off its buffer.
@testable import MuxServerKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let result = HTTPRequestParser.parse(bytes)

    switch result {
    case .request(let length, _):
        // The caller slices `length` bytes off: they must exist, and be the whole request.
        precondition(length >= 1 && length <= size, "length \(length) outside 1...\(size)")
        precondition(
            HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: bytes[..<length])) == result,
            "the request alone parses differently")
        // One byte fewer must be waited for, or the server would answer half a request.
        precondition(
            HTTPRequestParser.parse(UnsafeRawBufferPointer(rebasing: bytes[..<(length - 1)])) == .incomplete,
            "a request minus its last byte is not incomplete")
    case .incomplete:
        precondition(size <= HTTPRequestParser.maxHeaderBytes + (1 << 20), "incomplete past every limit")
    case .malformed:
        break
    }

    // Verdicts only ever firm up as bytes arrive: a refused prefix stays refused for the same
    // reason, and a prefix shorter than a complete request is incomplete.
    let half = UnsafeRawBufferPointer(rebasing: bytes[..<(size / 2)])
    let halfResult = HTTPRequestParser.parse(half)
    if case .malformed = halfResult {
        precondition(result == halfResult, "prefix refused as \(halfResult), whole input \(result)")
    }
    if case .request(let length, _) = result, size / 2 < length {
        precondition(halfResult == .incomplete, "prefix of a request is \(halfResult)")
    }
    return 0
}
