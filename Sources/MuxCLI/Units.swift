// Units parsed in one place (as wrk's units.c does): durations and counts with suffixes.

/// `500ms`, `5s`, `2m`, `250us`, `1.5s`, `1h`; a bare number means seconds. Returns seconds.
public func parseDuration(_ text: String) -> Double? {
    let suffixes: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9),
                                        ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in suffixes where text.hasSuffix(suffix) {
        guard let n = parseNumber(String(text.dropLast(suffix.count))) else { return nil }
        return n * scale
    }
    return parseNumber(text)
}

/// A plain decimal number (no hex, no infinities, no NaN).
public func parseNumber(_ text: String) -> Double? {
    guard !text.isEmpty,
          text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
          text.filter({ $0 == "." }).count <= 1, text != "." else { return nil }
    return Double(text)
}

/// An integer, optionally with `k`/`M` suffix (`10k` = 10000); also `64KiB`-style byte sizes.
public func parseCount(_ text: String) -> Int? {
    let scales: [(String, Int)] = [("KiB", 1024), ("MiB", 1 << 20), ("k", 1000), ("K", 1000), ("M", 1_000_000)]
    for (suffix, scale) in scales where text.hasSuffix(suffix) {
        guard let n = parseCount(String(text.dropLast(suffix.count))) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
    var digits = Substring(text)
    let negative = digits.first == "-"
    if negative { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { return nil }
    return negative ? -n : n
}

/// Seconds as the shortest of `250ms`, `5s`, `1.5s` for messages and CSV-adjacent text.
public func formatDuration(_ seconds: Double) -> String {
    if seconds < 1, seconds > 0 { return "\(Int((seconds * 1000).rounded()))ms" }
    if seconds == seconds.rounded() { return "\(Int(seconds))s" }
    return "\(seconds)s"
}
