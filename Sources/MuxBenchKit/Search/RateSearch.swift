// The search of a sweep's `search = p99 <= 1ms` line: the highest offered rate a point sustains,
// meaning its latency percentile stays under the bound and it delivers ≥ 99% of the offer.
// Bracket by doubling with short windows, bisect until the bracket is within ~5%, then confirm
// the answer with one full window; about 2 minutes per point. The measuring is a function given
// to `run`, so the logic is tested on a deterministic fake.
import Foundation
import MuxCLI

/// `search = p99 <= 1ms`: which latency figure, and its bound.
public struct SearchSpec: Equatable, Sendable {
    /// The raw CSV column compared with the bound (`lat_p99_us`).
    public var figure: String
    public var boundMicroseconds: Double
    /// The first rate probed (requests/s).
    public var startRate: Double = 5000

    public init(figure: String, boundMicroseconds: Double, startRate: Double = 5000) {
        self.figure = figure
        self.boundMicroseconds = boundMicroseconds
        self.startRate = startRate
    }

    /// The percentiles a search may bound, by the name the sweep file uses, and their raw column.
    static let metricFigures = ["p50": "lat_p50_us", "p90": "lat_p90_us", "p99": "lat_p99_us", "p999": "lat_p999_us"]

    /// `p99 <= 1ms` → figure and bound; nil when malformed. Percentiles: p50 p90 p99 p999.
    public static func parse(_ words: [String]) -> SearchSpec? {
        guard words.count == 3, words[1] == "<=" else { return nil }
        guard let figure = metricFigures[words[0]], let seconds = parseDurationWithMicroseconds(words[2]), seconds > 0 else { return nil }
        return SearchSpec(figure: figure, boundMicroseconds: seconds * 1e6)
    }

    /// The bounded percentile as the sweep's `search` line names it (`p99`): the summary's `search_metric`.
    public var metric: String {
        figure.replacingOccurrences(of: "lat_", with: "").replacingOccurrences(of: "_us", with: "")
    }

    /// `p99 ≤ 1000 µs`, for messages and the max-rate chart's title.
    public var label: String { Self.label(metric: metric, boundMicroseconds: boundMicroseconds) }

    /// The label of a bound read back from a summary's `search_metric` and `search_bound_us`.
    public static func label(metric: String, boundMicroseconds: Double) -> String {
        "\(metric) ≤ \(formatCompactNumber(boundMicroseconds)) µs"
    }

    /// How a summary's reason names the search for people (`search (p50 ≤ 5000 µs)`); code reads
    /// the typed `search_metric` and `search_bound_us` columns instead.
    public var reasonPrefix: String { "search (\(label))" }
}

/// `250us`, `1ms`, `2s`: parseDuration's units plus microseconds.
func parseDurationWithMicroseconds(_ text: String) -> Double? {
    if text.hasSuffix("us"), let value = Double(text.dropLast(2)), value.isFinite { return value / 1e6 }
    if text.hasSuffix("µs"), let value = Double(text.dropLast(2)), value.isFinite { return value / 1e6 }
    return parseDuration(text)
}

/// What one probe showed.
public enum ProbeVerdict: Equatable, Sendable {
    /// Under the bound and delivered ≥ 99% of the offer, with the client not the limit.
    case sustained
    /// Over the bound, or the server fell short.
    case exceeded
    /// The load generator was the limit: the rate says nothing about the server.
    case clientLimited
    /// The run itself failed (a process died): the search stops.
    case failed(String)
}

public enum ProbeKind: String, Sendable, CaseIterable {
    case bracket, bisect, confirm
}

public struct SearchResult: Equatable, Sendable {
    /// The highest rate sustained and confirmed with a full window; nil when none was.
    public var rate: Double?
    /// The answer is where the load generator gave out, not the server: the curve ends there.
    public var clientLimited = false
    /// Every probe in order: (rate, kind, verdict).
    public var probes: [Probe] = []
    /// Why there is no answer, when there is none.
    public var problem: String?

    /// Answered, nothing sustained, or stopped by a probe whose run failed.
    public var outcome: SearchOutcome {
        if rate != nil { return .answered }
        if case .failed? = probes.last?.verdict { return .failed }
        return .none
    }

    public struct Probe: Equatable, Sendable {
        public var rate: Double
        public var kind: ProbeKind
        public var verdict: ProbeVerdict
    }
}

public struct RateSearch: Sendable {
    public var startRate: Double
    /// Below this the search gives up: the point sustains (practically) nothing under the bound.
    public var minimumRate = 100.0
    /// Above this it stops doubling: nothing on loopback goes further.
    public var maximumRate = 5_000_000.0
    /// Bisect until (high − low) / low is at most this.
    public var tolerance = 0.05
    /// How many times a failed confirmation steps down and confirms again: by `tolerance` first,
    /// then by twice the last step (5%, 10%, 20%), since short windows can overrate a server near
    /// its capacity by more than the tolerance (poll at 10,000 connections: 38k/s in 1 s, under
    /// 35k/s over 3 s).
    public var confirmRetries = 3
    /// A short probe over the bound is measured once more before it counts: on a shared VM one
    /// stalled second (a steal burst) ended searches at a tenth of the rate the ladder sustains.
    /// A lucky pass costs nothing: the full-window confirmation still has to hold.
    public var exceededRetries = 1

    public init(startRate: Double) { self.startRate = startRate }

    /// Rates are rounded to 3 significant digits, so ids and labels stay readable (83.4k, not 83417.3).
    static func rounded(_ rate: Double) -> Double {
        guard rate > 0 else { return rate }
        let magnitude = pow(10, floor(log10(rate)) - 2)
        return (rate / magnitude).rounded() * magnitude
    }

    /// Runs the search; `measure` runs one probe at a rate and returns its verdict.
    public func run(_ measure: (Double, ProbeKind) -> ProbeVerdict) -> SearchResult {
        var result = SearchResult()
        func measured(_ rate: Double, _ kind: ProbeKind) -> ProbeVerdict {
            let verdict = measure(rate, kind)
            result.probes.append(.init(rate: rate, kind: kind, verdict: verdict))
            if verdict == .clientLimited { result.clientLimited = true }
            return verdict
        }
        func probe(_ rate: Double, _ kind: ProbeKind) -> ProbeVerdict {
            var verdict = measured(rate, kind)
            var retries = kind == .confirm ? 0 : exceededRetries
            while verdict == .exceeded, retries > 0 {
                retries -= 1
                verdict = measured(rate, kind)
            }
            return verdict
        }
        var low: Double?   // highest rate sustained
        var high: Double?  // lowest rate not sustained (or where the client gave out)

        // Bracket: double up from the start until a probe fails, or halve down until one passes.
        var rate = Self.rounded(startRate)
        while true {
            let verdict = probe(rate, .bracket)
            if case let .failed(reason) = verdict { result.problem = reason; return result }
            if verdict == .sustained {
                low = rate
                if high != nil { break }
                if rate * 2 > maximumRate { break }
                rate = Self.rounded(rate * 2)
            } else {
                high = rate
                if low != nil { break }
                if rate / 2 < minimumRate {
                    result.problem = "no rate from \(formatCompactNumber(Self.rounded(startRate))) down to \(formatCompactNumber(rate)) req/s was sustained"
                    return result
                }
                rate = Self.rounded(rate / 2)
            }
        }

        // Bisect (geometric midpoint: rates span decades) until the bracket is within tolerance.
        while var lowRate = low, let highRate = high, (highRate - lowRate) / lowRate > tolerance {
            let middle = Self.rounded((lowRate * highRate).squareRoot())
            if middle <= lowRate || middle >= highRate { break }
            let verdict = probe(middle, .bisect)
            if case let .failed(reason) = verdict { result.problem = reason; return result }
            if verdict == .sustained { lowRate = middle; low = lowRate } else { high = middle }
        }

        // Confirm with a full window; a miss steps down (5%, 10%, 20%) and tries again.
        guard var answer = low else { return result }
        var step = tolerance
        for attempt in 0...confirmRetries {
            let verdict = probe(answer, .confirm)
            if case let .failed(reason) = verdict { result.problem = reason; return result }
            if verdict == .sustained {
                result.rate = answer
                return result
            }
            if attempt < confirmRetries {
                answer = Self.rounded(answer * (1 - min(step, 0.5)))
                step *= 2
            }
        }
        result.problem = "the full-window confirmation missed the bound \(confirmRetries + 1) times down to \(formatCompactNumber(answer)) req/s"
        return result
    }
}
