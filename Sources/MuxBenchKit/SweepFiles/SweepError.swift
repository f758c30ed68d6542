// A malformed or unreadable sweep file. Printed as one line naming file and line, so the user
// can jump straight to the typo; the sweep command exits 2 before anything runs.

public struct SweepError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// 1-based line of the offending entry; nil for file-level errors (unreadable, missing key).
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
