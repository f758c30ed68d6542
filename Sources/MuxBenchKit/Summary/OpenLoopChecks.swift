// Runs that check themselves (Sources/README.md, How a point is measured): an open-loop row says
// whether it delivered what it offered, whether the load generator sent on time, and, for
// exponential arrivals, whether the sends really were a Poisson process. A failed check is shown
// like a saturated run: counted in the summary, named in its reason, drawn hollow.

public enum OpenLoopCheck: String, CaseIterable, Sendable {
    /// Achieved within 1% of offered.
    case rate
    /// The median send at most a tenth of a thread's mean gap late, and p99 at most one gap.
    case lateness
    /// The actual send gaps fit the exponential schedule (Kolmogorov–Smirnov, gap_ks_d ≤ gap_ks_critical).
    case gap

    /// The row's CSV column: a `Verdict`, or empty where the check does not apply.
    public var column: String { "\(rawValue)_check" }

    /// A check column's value.
    public enum Verdict: String, Sendable, CaseIterable {
        case ok, fail

        init(passed: Bool) { self = passed ? .ok : .fail }
    }

    /// This check's verdict on a raw row; nil where it did not apply.
    public func verdict(in row: [String: String]) -> Verdict? { row[column].flatMap(Verdict.init(rawValue:)) }
}

public enum OpenLoopChecks {
    public static let rateTolerance = 0.01
    public static let medianLatenessGaps = 0.1
    public static let tailLatenessGaps = 1.0

    /// The mean gap between one load thread's sends, in µs: the threads split the rate.
    public static func meanGapMicroseconds(of row: [String: String]) -> Double? {
        guard let rate = number(row["rate_target_rps"]), rate > 0 else { return nil }
        let threads = max(1, min(number(row["threads"]) ?? 1, number(row["active"]) ?? 1))
        return threads / rate * 1e6
    }

    /// Each check's verdict for `row` (nil: not applicable: closed loop, or no figure to judge).
    public static func verdicts(of row: [String: String]) -> [OpenLoopCheck: Bool] {
        guard let offered = number(row["rate_target_rps"]), offered > 0 else { return [:] }
        var result: [OpenLoopCheck: Bool] = [:]
        if let achieved = number(row["throughput_rps"]) {
            result[.rate] = abs(achieved - offered) <= offered * rateTolerance
        }
        if let gap = meanGapMicroseconds(of: row), let p50 = number(row["send_late_p50_us"]),
           let p99 = number(row["send_late_p99_us"]) {
            result[.lateness] = p50 <= gap * medianLatenessGaps && p99 <= gap * tailLatenessGaps
        }
        if let d = number(row["gap_ks_d"]), let critical = number(row["gap_ks_critical"]) {
            result[.gap] = d <= critical
        }
        return result
    }

    /// Writes the `*_check` columns.
    public static func record(into row: inout [String: String]) {
        let verdicts = verdicts(of: row)
        for check in OpenLoopCheck.allCases {
            row[check.column] = verdicts[check].map { OpenLoopCheck.Verdict(passed: $0).rawValue } ?? ""
        }
    }

    /// The checks a raw row failed, in a fixed order.
    public static func failed(_ row: [String: String]) -> [OpenLoopCheck] {
        OpenLoopCheck.allCases.filter { $0.verdict(in: row) == .fail }
    }

    /// The summary's line about them, or nil when every rep passed.
    static func warning(for rows: [[String: String]]) -> String? {
        let failing = rows.filter { !failed($0).isEmpty }
        guard !failing.isEmpty else { return nil }
        let byCheck = OpenLoopCheck.allCases.compactMap { check -> String? in
            let count = failing.filter { check.verdict(in: $0) == .fail }.count
            return count > 0 ? "\(check.rawValue) \(count)" : nil
        }
        return "check failed in \(failing.count)/\(rows.count) reps (\(byCheck.joined(separator: " ")))"
    }

    private static func number(_ text: String?) -> Double? {
        guard let text, !text.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
