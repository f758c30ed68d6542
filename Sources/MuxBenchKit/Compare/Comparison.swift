// Two sets of raw rows of the same points, judged figure by figure as Go's benchstat does: the
// median of each side, the change, a confidence interval for it (Hodges–Lehmann on the log scale,
// so it is a ratio), and a Mann–Whitney p-value; a change that is not significant or inside the
// figure's noise threshold reads `~`.
#if canImport(Glibc)
import Glibc
#endif
import MuxMetrics

public struct FigureComparison: Equatable, Sendable {
    public var point: String
    public var figure: JudgedFigure
    public var oldMedian: Double
    public var newMedian: Double
    public var oldCount: Int
    public var newCount: Int
    /// new/old − 1 of the medians (nil when the old median is 0).
    public var change: Double?
    /// The 95% interval of the change: the Hodges–Lehmann shift of log values (or of the values
    /// over the old median when some are ≤ 0), as a relative change.
    public var changeLow: Double
    public var changeHigh: Double
    public var test: RankTestResult
    public var significant: Bool

    /// Significant and beyond the noise threshold: a real change worth printing.
    public var isChange: Bool { significant && change.map { !figure.isWithinNoise($0) } ?? false }
    public var isRegression: Bool { figure.gated && isChange && change.map(figure.isWorse) ?? false }
}

public enum Comparison {
    /// Fewer than 4 values a side, no two-sided Mann–Whitney p-value can fall below 0.05
    /// (3 + 3: the smallest is 0.1), so the comparison could never say anything.
    public static let minimumSamples = 4
    public static let alpha = 0.05

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noCommonPoints
        case tooFewSamples(point: String, side: String, count: Int)

        public var description: String {
            switch self {
            case .noCommonPoints: return "the two files have no point in common"
            case let .tooFewSamples(point, side, count):
                return "point \(point) has \(count) row(s) in \(side); a comparison needs at least "
                    + "\(Comparison.minimumSamples) repetitions per point on each side (6 or more for a 95% interval of each median)"
            }
        }
    }

    /// Every figure of every point present on both sides, in the old file's point order.
    public static func compare(old: [[String: String]], new: [[String: String]], figures: [JudgedFigure],
                               oldName: String = "OLD", newName: String = "NEW") throws(Problem) -> [FigureComparison] {
        let newByPoint = Dictionary(grouping: new) { $0["point"] ?? "" }
        var order: [String] = []
        var seen = Set<String>()
        for row in old { let id = row["point"] ?? ""; if newByPoint[id] != nil, seen.insert(id).inserted { order.append(id) } }
        guard !order.isEmpty else { throw .noCommonPoints }
        let oldByPoint = Dictionary(grouping: old) { $0["point"] ?? "" }

        var results: [FigureComparison] = []
        for point in order {
            let oldRows = oldByPoint[point]!, newRows = newByPoint[point]!
            if oldRows.count < minimumSamples { throw .tooFewSamples(point: point, side: oldName, count: oldRows.count) }
            if newRows.count < minimumSamples { throw .tooFewSamples(point: point, side: newName, count: newRows.count) }
            for figure in figures {
                let a = oldRows.compactMap { SweepSummary.figureValue(figure.name, in: $0) }
                let b = newRows.compactMap { SweepSummary.figureValue(figure.name, in: $0) }
                guard a.count >= minimumSamples, b.count >= minimumSamples,
                      let comparison = compareFigure(point: point, figure: figure, old: a, new: b) else { continue }
                results.append(comparison)
            }
        }
        return results
    }

    /// Points present on both sides, in the old file's order.
    static func commonPoints(old: [[String: String]], new: [[String: String]]) -> [String] {
        let newPoints = Set(new.map { $0["point"] ?? "" })
        var order: [String] = []
        var seen = Set<String>()
        for row in old { let id = row["point"] ?? ""; if newPoints.contains(id), seen.insert(id).inserted { order.append(id) } }
        return order
    }

    /// One line per side of a common point whose runs did not work: a row that served no request
    /// (or has no request count) or counted errors. Its figures say nothing about speed (a broken
    /// NEW reads as throughput −100%), so the comparison fails instead of judging them.
    public static func failedRuns(old: [[String: String]], new: [[String: String]],
                                  oldName: String = "OLD", newName: String = "NEW") -> [String] {
        let oldByPoint = Dictionary(grouping: old) { $0["point"] ?? "" }, newByPoint = Dictionary(grouping: new) { $0["point"] ?? "" }
        var lines: [String] = []
        for point in commonPoints(old: old, new: new) {
            for (byPoint, name, side) in [(oldByPoint, oldName, "OLD"), (newByPoint, newName, "NEW")] {
                let mine = byPoint[point] ?? []
                let noRequests = mine.filter { row in Double(row["requests"] ?? "").map { !($0.isFinite && $0 > 0) } ?? true }.count
                let withErrors = mine.filter { row in Double(row["errors"] ?? "").map { !$0.isFinite || $0 > 0 } ?? false }.count
                var why: [String] = []
                if noRequests > 0 { why.append("\(noRequests) of \(mine.count) runs served no request") }
                if withErrors > 0 { why.append("\(withErrors) of \(mine.count) runs counted errors") }
                if !why.isEmpty { lines.append("point \(point): \(side) (\(name)) is a failed run: " + why.joined(separator: ", ")) }
            }
        }
        return lines
    }

    /// One line per gated figure of a common point that `comparisons` lacks (too few finite values
    /// on a side): a gate that could not be judged must not read as passed.
    public static func unjudgedGates(old: [[String: String]], new: [[String: String]], figures: [JudgedFigure],
                                     comparisons: [FigureComparison]) -> [String] {
        let judged = Set(comparisons.map { "\($0.point)\u{0}\($0.figure.name)" })
        let oldByPoint = Dictionary(grouping: old) { $0["point"] ?? "" }, newByPoint = Dictionary(grouping: new) { $0["point"] ?? "" }
        var lines: [String] = []
        for point in commonPoints(old: old, new: new) {
            for figure in figures where figure.gated && !judged.contains("\(point)\u{0}\(figure.name)") {
                let a = (oldByPoint[point] ?? []).compactMap { SweepSummary.figureValue(figure.name, in: $0) }.count
                let b = (newByPoint[point] ?? []).compactMap { SweepSummary.figureValue(figure.name, in: $0) }.count
                lines.append("point \(point): gated \(figure.label) not judged: \(a) OLD and \(b) NEW values"
                    + " (needs \(minimumSamples) a side)")
            }
        }
        return lines
    }

    static func compareFigure(point: String, figure: JudgedFigure, old: [Double], new: [Double]) -> FigureComparison? {
        guard let oldMedian = Ranking.median(old), let newMedian = Ranking.median(new),
              let test = MannWhitneyU.test(new, old) else { return nil }
        let change: Double? = oldMedian != 0 ? newMedian / oldMedian - 1 : nil
        var low = Double.nan, high = Double.nan
        if old.allSatisfy({ $0 > 0 }), new.allSatisfy({ $0 > 0 }),
           let shift = HodgesLehmann.shift(new.map { log($0) }, old.map { log($0) }) {
            low = exp(shift.low) - 1
            high = exp(shift.high) - 1
        } else if oldMedian != 0, let shift = HodgesLehmann.shift(new, old) {
            low = shift.low / abs(oldMedian)
            high = shift.high / abs(oldMedian)
        }
        return FigureComparison(point: point, figure: figure, oldMedian: oldMedian, newMedian: newMedian,
                                oldCount: old.count, newCount: new.count, change: change, changeLow: low,
                                changeHigh: high, test: test, significant: test.pTwoSided < alpha)
    }
}
