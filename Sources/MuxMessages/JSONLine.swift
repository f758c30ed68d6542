// How every message between the executables travels: one JSON object per line on stdout, with a
// "type" field that tells a reader which message a line is. Writer and reader share the types in
// this target, so a field renamed on one side cannot silently read as 0 on the other.
import Foundation

/// A message that is one JSON line; `lineTypes` are the values its "type" field may take.
public protocol JSONLineMessage: Codable, Sendable {
    static var lineTypes: Set<String> { get }
}

/// Only the "type" field: decoded first so lines of other types are skipped cheaply.
private struct LineType: Decodable { var type: String }

extension JSONLineMessage {
    /// The message as one line of JSON, without the newline.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of numbers and strings cannot fail; if it ever does, say so.
        guard let data = try? encoder.encode(self) else { return "{\"type\":\"unencodable\"}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The message if `line` is one of this type; nil for other lines (other types, not JSON).
    public static func decode(line: String) -> Self? {
        let data = Data(line.utf8)
        let decoder = JSONDecoder()
        guard let kind = try? decoder.decode(LineType.self, from: data), lineTypes.contains(kind.type) else { return nil }
        return try? decoder.decode(Self.self, from: data)
    }
}
