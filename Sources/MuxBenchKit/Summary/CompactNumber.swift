// Numbers as the CSVs show them: integers without decimals, others with up to 6 significant
// digits and no trailing zeros, never in exponent form (gnuplot and people both read it).
#if canImport(Glibc)
import Glibc
#endif

/// `3`, `0.5`, `1234.57`, `0.000123457`; empty for NaN and infinities (not applicable).
public func formatCompactNumber(_ value: Double) -> String {
    guard value.isFinite else { return "" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    let magnitude = Int(floor(log10(abs(value))))
    let decimals = min(max(0, 5 - magnitude), 20)
    var text = formatFixed(value, decimals: decimals)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}

private func formatFixed(_ value: Double, decimals: Int) -> String {
    // The largest Double has 309 integer digits; decimals are capped at 20.
    var buffer = [CChar](repeating: 0, count: 400)
    _ = withVaList([Int32(decimals), value]) { arguments in
        vsnprintf(&buffer, buffer.count, "%.*f", arguments)
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
