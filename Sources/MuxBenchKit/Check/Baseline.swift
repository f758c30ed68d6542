// The regression baseline (Benchmarks/baseline.json): a list of checks a human can read and
// edit. Only figures that survive a noisy machine belong here: error counts, syscalls per
// request, and throughput ratios between backends measured in the same run.
import Foundation
import MuxMetrics

/// Which summary rows a check looks at: column → value, every pair must match.
/// Written in JSON as an object; numbers may be written bare (`"connections": 1000`).
public struct PointSelector: Codable, Equatable, Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public func matches(_ row: [String: String]) -> Bool {
        values.allSatisfy { key, wanted in
            guard let found = row[key] else { return false }
            if found == wanted { return true }
            // "1000" and "1000.0" name the same point.
            if let a = Double(found), let b = Double(wanted) { return a == b }
            return false
        }
    }

    /// `backend=poll connections=1000`, keys in the schema's order so labels read alike.
    public var label: String {
        if values.isEmpty { return "every point" }
        let order = ResultsSchema.pointParameters
        let keys = values.keys.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
        return keys.map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var values: [String: String] = [:]
        for key in container.allKeys {
            guard ResultsSchema.pointParameters.contains(key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription: "'\(key.stringValue)' is not a point parameter (one of \(ResultsSchema.pointParameters.joined(separator: ", ")))")
            }
            if let text = try? container.decode(String.self, forKey: key) {
                values[key.stringValue] = text
            } else if let whole = try? container.decode(Int.self, forKey: key) {
                values[key.stringValue] = String(whole)
            } else {
                values[key.stringValue] = formatFigure(try container.decode(Double.self, forKey: key))
            }
        }
        self.values = values
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in values {
            if let whole = Int(value) { try container.encode(whole, forKey: AnyKey(key)) }
            else { try container.encode(value, forKey: AnyKey(key)) }
        }
    }
}

/// One check. `max`: the figure's worst repetition (`_max`) on every matching ok point stays
/// at or below `max`. `value`: the median stays within `tolerance + relative_tolerance × |expected|`
/// of `expected`. `ratio`: median(numerator) / median(denominator) stays at or above `min`
/// (`expected` records the ratio measured when the baseline was written).
public struct BaselineCheck: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case max, value, ratio }

    public var kind: Kind
    public var figure: String
    public var point: PointSelector?          // max, value: JSON key "where"
    public var max: Double?
    public var expected: Double?
    public var tolerance: Double?
    public var relativeTolerance: Double?
    public var numerator: PointSelector?
    public var denominator: PointSelector?
    public var min: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, figure, point = "where", max, expected, tolerance
        case relativeTolerance = "relative_tolerance", numerator, denominator, min
    }

    public static func maximum(_ figure: String, at point: PointSelector? = nil, max: Double) -> BaselineCheck {
        BaselineCheck(kind: .max, figure: figure, point: point, max: max)
    }

    public static func value(_ figure: String, at point: PointSelector, expected: Double,
                             tolerance: Double, relativeTolerance: Double? = nil) -> BaselineCheck {
        BaselineCheck(kind: .value, figure: figure, point: point, expected: expected,
                      tolerance: tolerance, relativeTolerance: relativeTolerance)
    }

    public static func ratio(_ figure: String, numerator: PointSelector, denominator: PointSelector,
                             min: Double, expected: Double? = nil) -> BaselineCheck {
        BaselineCheck(kind: .ratio, figure: figure, expected: expected, numerator: numerator,
                      denominator: denominator, min: min)
    }

    init(kind: Kind, figure: String, point: PointSelector? = nil, max: Double? = nil,
         expected: Double? = nil, tolerance: Double? = nil, relativeTolerance: Double? = nil,
         numerator: PointSelector? = nil, denominator: PointSelector? = nil, min: Double? = nil) {
        self.kind = kind
        self.figure = figure
        self.point = point
        self.max = max
        self.expected = expected
        self.tolerance = tolerance
        self.relativeTolerance = relativeTolerance
        self.numerator = numerator
        self.denominator = denominator
        self.min = min
    }

    /// The deviation from `expected` a value check accepts.
    public var allowedDeviation: Double {
        (tolerance ?? 0) + (relativeTolerance ?? 0) * abs(expected ?? 0)
    }

    public init(from decoder: Decoder) throws {
        // Hand-edited files: a misspelt key must be an error, not a silently ignored field.
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let stray = any.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: stray, in: any,
                debugDescription: "unknown key '\(stray.stringValue)' (expected one of \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        figure = try c.decode(String.self, forKey: .figure)
        point = try c.decodeIfPresent(PointSelector.self, forKey: .point)
        max = try c.decodeIfPresent(Double.self, forKey: .max)
        expected = try c.decodeIfPresent(Double.self, forKey: .expected)
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance)
        relativeTolerance = try c.decodeIfPresent(Double.self, forKey: .relativeTolerance)
        numerator = try c.decodeIfPresent(PointSelector.self, forKey: .numerator)
        denominator = try c.decodeIfPresent(PointSelector.self, forKey: .denominator)
        min = try c.decodeIfPresent(Double.self, forKey: .min)

        func require(_ present: Bool, _ key: CodingKeys, _ why: String) throws {
            guard present else {
                throw DecodingError.keyNotFound(key, .init(codingPath: c.codingPath, debugDescription: why))
            }
        }
        guard ResultsSchema.summaryFigures.contains(figure) else {
            throw DecodingError.dataCorruptedError(
                forKey: .figure, in: c,
                debugDescription: "unknown figure '\(figure)' (one of \(ResultsSchema.summaryFigures.joined(separator: ", ")))")
        }
        switch kind {
        case .max:
            try require(max != nil, .max, "a max check needs \"max\"")
        case .value:
            try require(point != nil, .point, "a value check needs \"where\"")
            try require(expected != nil, .expected, "a value check needs \"expected\"")
            try require(tolerance != nil || relativeTolerance != nil, .tolerance,
                        "a value check needs \"tolerance\" and/or \"relative_tolerance\"")
        case .ratio:
            try require(numerator != nil, .numerator, "a ratio check needs \"numerator\"")
            try require(denominator != nil, .denominator, "a ratio check needs \"denominator\"")
            try require(min != nil, .min, "a ratio check needs \"min\"")
        }
    }
}

public struct Baseline: Codable, Equatable, Sendable {
    public var sweep: String?
    public var comment: String?
    public var checks: [BaselineCheck]

    public init(sweep: String? = nil, comment: String? = nil, checks: [BaselineCheck]) {
        self.sweep = sweep
        self.comment = comment
        self.checks = checks
    }

    /// Reads and validates `path`; every problem becomes one `BaselineError` line.
    public static func load(path: String) throws(BaselineError) -> Baseline {
        let text: String
        do { text = try readTextFile(path) } catch {
            throw BaselineError(message: "\(path): cannot read: \(String(cString: strerror(error.code)))", missing: error.code == ENOENT)
        }
        return try decode(text, path: path)
    }

    public static func decode(_ text: String, path: String) throws(BaselineError) -> Baseline {
        let baseline: Baseline
        do {
            baseline = try JSONDecoder().decode(Baseline.self, from: Data(text.utf8))
        } catch {
            throw BaselineError(message: "\(path): \(describe(error, in: text))")
        }
        // An empty list would pass every run, however broken.
        guard !baseline.checks.isEmpty else {
            throw BaselineError(message: "\(path): checks is empty: nothing would be checked (remove the file and run check --update to generate one)")
        }
        return baseline
    }

    /// Pretty, key-sorted JSON, so a diff of an updated baseline shows only changed numbers.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public func write(to path: String) throws(BaselineError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        do { try appendText(encoded(), to: temporary) } catch {
            throw BaselineError(message: error.description)
        }
        guard rename(temporary, path) == 0 else {
            throw BaselineError(message: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

/// A baseline that cannot be used: printed as one line, exit status 2.
public struct BaselineError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public var missing = false
    public var description: String { message }
}

/// A decoding error as `checks[2].where: …`, with the line when the JSON itself is malformed.
private func describe(_ error: Error, in text: String) -> String {
    func path(_ codingPath: [CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "" : out + ": "
    }
    guard let decoding = error as? DecodingError else { return "\(error)" }
    switch decoding {
    case let .dataCorrupted(context):
        if context.codingPath.isEmpty { return "not valid JSON: " + syntaxDetail(context, in: text) }
        // "Cannot initialize Kind from invalid String value zero" → the value, in the file's words.
        if let value = context.debugDescription.range(of: "invalid String value ") {
            return path(context.codingPath) + "unknown value '\(context.debugDescription[value.upperBound...])'"
        }
        return path(context.codingPath) + context.debugDescription
    case let .keyNotFound(key, context):
        let why = context.debugDescription.hasPrefix("a ") ? context.debugDescription : "missing key \"\(key.stringValue)\""
        return path(context.codingPath) + why
    case let .typeMismatch(type, context):
        // In JSON's words, never Swift's ("Dictionary<String, Any>"): what was expected, what was found.
        let expected = type == String.self ? "a string" : type == Double.self || type == Int.self ? "a number"
            : type == Bool.self ? "true or false" : "\(type)".hasPrefix("Dictionary") ? "an object" : "\(type)".hasPrefix("Array") ? "a list" : "another value"
        let found = context.debugDescription.range(of: "but found ").flatMap { start in
            context.debugDescription[start.upperBound...].range(of: " instead").map {
                let what = context.debugDescription[start.upperBound..<$0.lowerBound]
                    .replacingOccurrences(of: "dictionary", with: "object").replacingOccurrences(of: "array", with: "list")
                    .replacingOccurrences(of: "an ", with: "").replacingOccurrences(of: "a ", with: "")
                return ", found " + ("aeiou".contains(what.first ?? "x") ? "an " : "a ") + what
            }
        } ?? ""
        let place = context.codingPath.isEmpty ? "the file: " : path(context.codingPath)
        return place + "expected \(expected)\(found)" + (context.codingPath.isEmpty ? " (a baseline is an object with \"checks\")" : "")
    case let .valueNotFound(_, context):
        return path(context.codingPath) + "value is null"
    @unknown default:
        return "\(error)"
    }
}

/// JSONDecoder only says "not valid JSON"; JSONSerialization says "around character N", which
/// becomes `line L: …` so the human editing the file knows where to look.
private func syntaxDetail(_ context: DecodingError.Context, in text: String) -> String {
    let bytes = Data(text.utf8)
    do { _ = try JSONSerialization.jsonObject(with: bytes) } catch {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        guard let range = detail.range(of: #"character \d+"#, options: .regularExpression),
              let offset = Int(detail[range].dropFirst("character ".count)) else { return detail }
        let line = bytes.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
        return "line \(line): " + detail
    }
    return context.debugDescription
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A figure as a short decimal: 4 significant digits, no exponent for everyday magnitudes.
func formatFigure(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    let magnitude = value == 0 ? 0 : Int(floor(log10(abs(value))))
    let decimals = Swift.max(0, 3 - magnitude)
    return String(format: "%.\(decimals)f", value)
        .replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #"\.$"#, with: "", options: .regularExpression)
}

/// `value` rounded to 4 significant digits, so an updated baseline stays readable.
func roundedFigure(_ value: Double) -> Double { Double(formatFigure(value)) ?? value }
