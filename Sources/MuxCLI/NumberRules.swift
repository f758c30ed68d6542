// Every number a user can type, in one table: what it counts, the range a run can honour, and
// why. Flags (mux-bench run, mux-load, mux-server) and sweep files check their values against the
// same row, at parse time, with the same words: a value no run could carry out (a rate of 1e12/s,
// a 100 MiB payload, 300 threads) is refused before anything starts, never found out mid-sweep.
#if canImport(Glibc)
import Glibc
#endif

/// One typed number's rule.
public struct NumberRule: Sendable {
    public enum Kind: Sendable {
        /// A whole number; `10k`, `1M`, `64KiB` and `1e6` forms accepted.
        case count
        /// A byte count, written in KiB/MiB in messages.
        case bytes
        /// A decimal number (a rate): `2500.5`, `10k`, `1e6`.
        case decimal
        /// A duration in seconds: `500ms`, `5s`, `2m`.
        case duration
    }

    /// The flag's or the sweep key's name (`rate`, `payload`).
    public let name: String
    /// What one unit is, as a message says it (`requests/s`, `bytes`, `threads`).
    public let unit: String
    public let kind: Kind
    public let minimum: Double
    public let maximum: Double
    /// Why the bound is where it is, for the message and Benchmarks/README.md's table.
    public let why: String

    /// The words every entry point uses: `requests/s from 1 to 10,000,000 (why)`.
    public var expectation: String {
        let range = "\(format(minimum)) to \(format(maximum))"
        switch kind {
        case .duration: return "a duration from \(range) (\(why))"
        default: return "\(unit) from \(range) (\(why))"
        }
    }

    /// The value of `text` when it is well formed and within the range; nil otherwise.
    public func value(_ text: String) -> Double? {
        let parsed: Double?
        switch kind {
        case .duration: parsed = parseDuration(text)
        case .count, .bytes: parsed = parseCount(text).map(Double.init) ?? parseScientific(text).flatMap { $0 == $0.rounded() ? $0 : nil }
        case .decimal: parsed = parseCount(text).map(Double.init) ?? parseNumber(text) ?? parseScientific(text)
        }
        guard let parsed, parsed.isFinite, parsed >= minimum, parsed <= maximum else { return nil }
        return parsed
    }

    /// The whole-number value of `text` within the range; nil otherwise.
    public func integer(_ text: String) -> Int? { value(text).map { Int($0) } }

    func format(_ number: Double) -> String {
        switch kind {
        case .duration:
            if number >= 3600, number.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(number / 3600))h" }
            if number >= 60, number.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(number / 60))m" }
            return formatDuration(number)
        case .bytes where number >= 1024 && number.truncatingRemainder(dividingBy: 1024) == 0:
            let mib = number / 1_048_576
            return mib >= 1 && mib == mib.rounded() ? "\(Int(mib)) MiB" : "\(Int(number / 1024)) KiB"
        default: return groupedThousands(number)
        }
    }
}

/// `1e6`, `2.5E3`: a mantissa, `e`, a signed exponent (people and tools write rates so).
func parseScientific(_ text: String) -> Double? {
    guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
          let mantissa = parseNumber(String(text[..<e])) else { return nil }
    var exponent = Substring(text[text.index(after: e)...])
    if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
    guard !exponent.isEmpty, exponent.count <= 3, exponent.allSatisfy({ $0.isASCII && $0.isNumber }),
          let power = Double(text[text.index(after: e)...]) else { return nil }
    return mantissa * pow(10, power)
}

/// 10000000 → `10,000,000`; fractions kept as written by Swift.
func groupedThousands(_ number: Double) -> String {
    guard number == number.rounded(), abs(number) < 1e15 else { return "\(number)" }
    var digits = String(Int(abs(number)))
    var groups: [Substring] = []
    while digits.count > 3 {
        groups.insert(Substring(digits.suffix(3)), at: 0)
        digits.removeLast(3)
    }
    groups.insert(Substring(digits), at: 0)
    return (number < 0 ? "-" : "") + groups.joined(separator: ",")
}

/// The table (Benchmarks/README.md lists it: One point: `mux-bench run`, *Number ranges*).
public enum NumberRules {
    /// The hard descriptor limit (`ulimit -Hn`), read once: connections are descriptors.
    public static let hardFileLimit: Int = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_max)
    }()
    /// Descriptors each program keeps beside its connections (listener, epoll, stdio, pipes).
    public static let reservedDescriptors = 64

    public static let connections = NumberRule(
        name: "connections", unit: "connections", kind: .count, minimum: 1,
        maximum: Double(min(1_000_000, max(1, hardFileLimit - reservedDescriptors))),
        why: "each is a descriptor in mux-load and in the server: the hard fd limit (ulimit -Hn: \(hardFileLimit)) less \(reservedDescriptors)")
    public static let active = NumberRule(
        name: "active", unit: "active connections", kind: .count, minimum: 1, maximum: connections.maximum,
        why: "at most the connections; a point with none measures nothing")
    public static let payload = NumberRule(
        name: "payload", unit: "bytes", kind: .bytes, minimum: 1, maximum: Double(16 << 20),
        why: "the largest request mux-load and mux-server buffer")
    public static let pipeline = NumberRule(
        name: "pipeline", unit: "requests in flight per connection", kind: .count, minimum: 1, maximum: 1024,
        why: "deeper pipelines only queue in the socket buffers")
    public static let rate = NumberRule(
        name: "rate", unit: "requests/s", kind: .decimal, minimum: 1, maximum: 10_000_000,
        why: "what the open loop can pace: at 1e9/s a 1.2 s run took 22 s")
    public static let threads = NumberRule(
        name: "threads", unit: "threads", kind: .count, minimum: 1, maximum: 64,
        why: "load-generator threads; more only contend for the CPUs")
    public static let maxEvents = NumberRule(
        name: "max-events", unit: "events per wait", kind: .count, minimum: 1, maximum: 1_000_000,
        why: "the server's event buffer is allocated at this size")
    public static let warmup = NumberRule(
        name: "warmup", unit: "seconds", kind: .duration, minimum: 0, maximum: 24 * 3600,
        why: "a day at most, so a typo such as 5000m cannot hang a sweep")
    public static let duration = NumberRule(
        name: "duration", unit: "seconds", kind: .duration, minimum: 0.001, maximum: 24 * 3600,
        why: "a window of 1ms to a day, so a typo such as 5000m cannot hang a sweep")
    public static let repetitions = NumberRule(
        name: "repetitions", unit: "repetitions", kind: .count, minimum: 1, maximum: 1000,
        why: "rows per point")
    public static let searchStart = NumberRule(
        name: "search-start", unit: "requests/s", kind: .decimal, minimum: 100, maximum: rate.maximum,
        why: "the rate search's first probe, within what mux-load can pace")
    public static let serverTimeout = NumberRule(
        name: "server-timeout", unit: "seconds", kind: .duration, minimum: 0.001, maximum: 600,
        why: "how long a server may take to accept, 10m at most")
    public static let requestTimeout = NumberRule(
        name: "timeout", unit: "seconds", kind: .duration, minimum: 0.001, maximum: 3600,
        why: "a request unanswered this long is an error")
    public static let linger = NumberRule(
        name: "linger", unit: "seconds", kind: .duration, minimum: 0, maximum: 3600,
        why: "connections held open after the result, an hour at most")
    public static let serverPort = NumberRule(
        name: "port", unit: "a TCP port", kind: .count, minimum: 0, maximum: 65535, why: "0: any free port")
    public static let loadPort = NumberRule(
        name: "port", unit: "a TCP port", kind: .count, minimum: 1, maximum: 65535, why: "the server's port")
    public static let maxConnections = NumberRule(
        name: "max-connections", unit: "connections", kind: .count, minimum: 1, maximum: 1_000_000,
        why: "connections the server keeps; the rest are closed at once")
    public static let idleTimeout = NumberRule(
        name: "idle-timeout", unit: "seconds", kind: .duration, minimum: 0, maximum: 24 * 3600,
        why: "a day at most")
    public static let sendBuffer = NumberRule(
        name: "send-buffer", unit: "bytes", kind: .bytes, minimum: 1024, maximum: Double(1 << 30),
        why: "SO_SNDBUF, which the kernel caps at net.core.wmem_max anyway")
    public static let outputLimit = NumberRule(
        name: "output-limit", unit: "bytes", kind: .bytes, minimum: 1024, maximum: Double(1 << 30),
        why: "pending output per connection before its reading pauses")
    public static let ringEntries = NumberRule(
        name: "ring-entries", unit: "entries", kind: .count, minimum: 1, maximum: 32768,
        why: "io_uring's submission queue limit")
    public static let ringBuffers = NumberRule(
        name: "ring-buffers", unit: "buffers", kind: .count, minimum: 1, maximum: 32768,
        why: "io_uring's provided-buffer ring limit; a power of two")

    /// Every row, in the order of Benchmarks/README.md's table.
    public static let all: [NumberRule] = [
        connections, active, payload, pipeline, rate, threads, maxEvents, warmup, duration, repetitions,
        searchStart, serverTimeout, requestTimeout, linger, serverPort, loadPort, maxConnections, idleTimeout,
        sendBuffer, outputLimit, ringEntries, ringBuffers,
    ]
}

extension ParsedArguments {
    /// The option `name` (default: the rule's name) checked against `rule`; nil when absent.
    public func number(_ rule: NumberRule, option name: String? = nil) throws(UsageError) -> Double? {
        let option = name ?? rule.name
        guard let raw = values[option] else { return nil }
        guard let value = rule.value(raw) else { throw error(option, rule.expectation, got: raw) }
        return value
    }

    /// The option as a whole number checked against `rule`; nil when absent.
    public func integer(_ rule: NumberRule, option name: String? = nil) throws(UsageError) -> Int? {
        try number(rule, option: name).map { Int($0) }
    }
}
