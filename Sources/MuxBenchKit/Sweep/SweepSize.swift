// How big a sweep is before it starts: the runs still to do and a rough duration, said before
// anything runs, and a bound beyond which it needs `--yes` (a 9-line file can describe 76,800
// points × 1,000 repetitions: 76.8 million runs, years of measuring).
import MuxCLI

public struct SweepSize: Equatable, Sendable {
    /// Beyond either bound a sweep runs only with `--yes`.
    public static let maximumRuns = 100_000
    public static let maximumSeconds = 24 * 3600.0
    /// Starting and ending the processes around each window, as `Progress` assumes.
    public static let overheadPerRun = 1.5
    /// A rate search's rough cost (SweepSpec.estimatedSeconds).
    public static let secondsPerSearch = 120.0

    /// Runs still to do (skipped points and runs already measured left out).
    public let runs: Int
    /// The runs' warm-ups, windows and overhead; `seconds` adds the searches.
    public let runSeconds: Double
    public let seconds: Double

    /// Counted per point (its missing repetitions × its run time), never run by run, so it costs
    /// time and memory proportional to the points, whatever the repetitions.
    public init(points: [SweepPoint], repetitions: Int, skipped: Set<String>, state: ResumeState, searches: Int = 0) {
        var measuredByPoint: [String: Int] = [:]
        for run in state.measured { measuredByPoint[run.pointID, default: 0] += 1 }
        var runs = 0
        var seconds = 0.0
        for point in points where !skipped.contains(point.id) {
            let missing = max(repetitions, 1) - (measuredByPoint[point.id] ?? 0)
            runs += missing
            seconds += Double(missing) * (point.warmup + point.duration + SweepSize.overheadPerRun)
        }
        self.runs = runs
        runSeconds = seconds
        self.seconds = seconds + Double(searches) * SweepSize.secondsPerSearch
    }

    public var exceedsBound: Bool { runs > SweepSize.maximumRuns || seconds > SweepSize.maximumSeconds }

    /// `about 3 min`, `about 2 h 5 min`, `about 1,481 days`.
    public var estimate: String { "about " + SweepSize.describe(seconds: seconds) }

    static func describe(seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60, hours = minutes / 60, days = hours / 24
        if days >= 2 { return "\(groupedThousands(days)) days" }
        if hours >= 1 { return "\(hours) h" + (minutes % 60 > 0 ? " \(minutes % 60) min" : "") }
        return "\(minutes) min"
    }
}

/// `76,800,000`: a count people can read at a glance.
func groupedThousands(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return (value < 0 ? "-" : "") + out
}
