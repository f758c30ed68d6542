// A small, dependency-free GNU-style option parser: `--name value`, `--name=value`, short forms,
// `-h/--help`. Every malformed input becomes one `UsageError` line naming program and option.

/// One option or flag the program accepts.
public struct OptionSpec: Sendable {
    public let name: String          // long name without the leading "--"
    public let short: Character?
    public let valueName: String?    // nil: a flag that takes no value
    public let help: String
    public let defaultValue: String?

    public init(_ name: String, short: Character? = nil, value valueName: String? = nil,
                default defaultValue: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.valueName = valueName
        self.help = help
        self.defaultValue = defaultValue
    }

    public var isFlag: Bool { valueName == nil }
}

/// Bad command-line input: printed as one line, exit status 2.
public struct UsageError: Error, CustomStringConvertible, Equatable, Sendable {
    public let program: String
    public let message: String
    public init(program: String, message: String) {
        self.program = program
        self.message = message
    }
    public var description: String { "\(program): \(message)" }
}

/// What `parse` found: option values by long name, flags given, and positional arguments.
public struct ParsedArguments: Sendable {
    public let program: String
    public var values: [String: String] = [:]
    /// Every value of each option, in order (`values` keeps the last): for repeatable options.
    public var allValues: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    public var helpRequested = false

    public init(program: String) { self.program = program }

    public func has(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    public func string(_ name: String) -> String? { values[name] }

    /// Every value given for a repeatable option, in order; empty when absent.
    public func strings(_ name: String) -> [String] { allValues[name] ?? [] }

    func error(_ name: String, _ expected: String, got value: String) -> UsageError {
        UsageError(program: program, message: "--\(name): expected \(expected), got '\(value)'")
    }

    /// An integer option, checked against `range`.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard let raw = values[name] else { return nil }
        guard let n = parseCount(raw), range.contains(n) else {
            let bounds = range.upperBound == Int.max ? "an integer ≥ \(range.lowerBound)"
                : "an integer in \(range.lowerBound)...\(range.upperBound)"
            throw error(name, bounds, got: raw)
        }
        return n
    }

    /// A duration option (`500ms`, `5s`, `2m`), in seconds.
    public func duration(_ name: String) throws(UsageError) -> Double? {
        guard let raw = values[name] else { return nil }
        guard let d = parseDuration(raw), d >= 0 else {
            throw error(name, "a duration such as 500ms, 5s or 2m", got: raw)
        }
        return d
    }

    /// One of a fixed set of words.
    public func choice(_ name: String, _ allowed: [String]) throws(UsageError) -> String? {
        guard let raw = values[name] else { return nil }
        guard allowed.contains(raw) else {
            throw error(name, "one of \(allowed.joined(separator: ", "))", got: raw)
        }
        return raw
    }

    /// A positive decimal number (a rate, a ratio).
    public func double(_ name: String, minimum: Double = 0) throws(UsageError) -> Double? {
        guard let raw = values[name] else { return nil }
        guard let d = parseNumber(raw), d >= minimum, d.isFinite else {
            throw error(name, "a number ≥ \(minimum)", got: raw)
        }
        return d
    }
}

public struct ArgumentParser: Sendable {
    public let program: String
    public let summary: String
    public let usageLine: String
    public let options: [OptionSpec]
    public let acceptsPositionals: Bool

    public init(program: String, summary: String, usage: String, options: [OptionSpec],
                acceptsPositionals: Bool = false) {
        self.program = program
        self.summary = summary
        self.usageLine = usage
        self.options = options + [OptionSpec("help", short: "h", help: "print this help and exit")]
        self.acceptsPositionals = acceptsPositionals
    }

    private func spec(long: String) -> OptionSpec? { options.first { $0.name == long } }
    private func spec(short: Character) -> OptionSpec? { options.first { $0.short == short } }

    public func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments(program: program)
        var index = 0
        func fail(_ message: String) -> UsageError { UsageError(program: program, message: message) }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var found: OptionSpec?
            var inlineValue: String?
            var shown = argument
            if argument == "--" {
                guard acceptsPositionals || index >= arguments.count else {
                    throw fail("unexpected argument '\(arguments[index])'")
                }
                result.positionals += arguments[index...]
                break
            } else if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name: Substring
                if let eq = body.firstIndex(of: "=") {
                    name = body[..<eq]
                    inlineValue = String(body[body.index(after: eq)...])
                } else {
                    name = body
                }
                shown = "--" + name
                guard let s = spec(long: String(name)) else { throw fail("unknown option '\(shown)' (see --help)") }
                found = s
            } else if argument.hasPrefix("-"), argument.count >= 2, argument != "-" {
                let letters = argument.dropFirst()
                guard let s = spec(short: letters.first!) else { throw fail("unknown option '\(argument)' (see --help)") }
                shown = "-" + String(letters.first!)
                if letters.count > 1 {
                    guard !s.isFlag else { throw fail("unknown option '\(argument)' (see --help)") }
                    inlineValue = String(letters.dropFirst())
                }
                found = s
            } else {
                guard acceptsPositionals else { throw fail("unexpected argument '\(argument)'") }
                result.positionals.append(argument)
                continue
            }
            let option = found!
            if option.name == "help" { result.helpRequested = true; continue }
            if option.isFlag {
                if inlineValue != nil { throw fail("\(shown) takes no value") }
                result.flags.insert(option.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw fail("\(shown): missing value (expected \(option.valueName!))")
                }
                value = arguments[index]
                index += 1
            }
            result.values[option.name] = value
            result.allValues[option.name, default: []].append(value)
        }
        return result
    }

    /// The `--help` text: usage, summary, every option with its default.
    public func help() -> String {
        var lines = ["usage: \(usageLine)", "", summary, "", "options:"]
        for option in options {
            var left = "  "
            left += option.short.map { "-\($0), " } ?? "    "
            left += "--\(option.name)"
            if let v = option.valueName { left += " \(v)" }
            let pad = max(1, 34 - left.count)
            var line = left + String(repeating: " ", count: pad) + option.help
            if let d = option.defaultValue { line += " (default: \(d))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
