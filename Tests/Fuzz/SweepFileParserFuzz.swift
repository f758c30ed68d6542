// libFuzzer entry point for the sweep-file parser, linked by run-fuzz.sh against MuxBenchKit and
// its dependencies as SwiftPM builds them (with fuzzer coverage and ASan, -enable-testing for the
// internal parser): no list of the parser's files to keep up to date.
//
// Invariants: parsing never crashes; an accepted spec expands to points without crashing (when
// its matrix is small enough to expand at all); an error is one line, free of control characters,
// that starts with the file name, and names a line of the input (LF/CRLF-counted) when it has one.
@testable import MuxBenchKit

private let path = "fuzz.sweep"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let spec = try SweepSpec.parse(text, path: path)
        precondition(!spec.backends.isEmpty, "accepted without backends")
        precondition(spec.repetitions >= 1 && spec.duration > 0 && spec.warmup >= 0, "bad sweep-wide values")
        // The matrix grows as the product of the list lengths: expand only what fits in memory.
        var matrix = 0
        for backend in spec.backends {
            let d = spec.dimensions(for: backend)
            let counts = [d.connections.count, d.active.count, d.payloadBytes.count, d.protocols.count,
                          d.writeModes.count, d.pipeline.count, d.rates.count, d.threads.count, d.maxEvents.count]
            precondition(counts.allSatisfy { $0 >= 1 }, "accepted with an empty dimension: \(counts)")
            matrix += counts.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max / 2 : $0 * $1 }
            if matrix > 20_000 { return 0 }
        }
        let points = spec.points()
        precondition(points.count <= matrix, "more points than the matrix holds")
        for point in points {
            precondition(point.active >= 1 && point.active <= point.connections, "point \(point.id) active out of range")
            _ = point.rowParameters
        }
        _ = spec.estimatedSeconds()
    } catch {
        let line = error.description
        precondition(!line.contains(where: \.isNewline), "error spans lines: \(line)")
        precondition(line.hasPrefix(path + ":"), "error does not start with the file: \(line)")
        precondition(!line.unicodeScalars.contains { $0.properties.generalCategory == .control },
                     "control character in an error: \(line.debugDescription)")
        if let number = error.line {
            let lineCount = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count
            precondition(number >= 1 && number <= lineCount, "error names line \(number) of \(lineCount)")
            precondition(line.hasPrefix("\(path):\(number): "), "error line number not in its text: \(line)")
        }
    }
    return 0
}
