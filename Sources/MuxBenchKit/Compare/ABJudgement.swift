// Judging an A/B run: per point and figure, the paired ABBA blocks' log ratios of B to A, a
// one-sided exact signed-rank test that B is worse, the Hodges–Lehmann estimate of the change
// with its exact interval, Holm's correction across every point × gated figure (and separately
// across the figures only shown), and a three-way
// verdict as Chromium's Pinpoint and criterion give: regressed, same, or unknown (with how many
// more blocks would likely decide).
#if canImport(Glibc)
import Glibc
#endif
import MuxMetrics

public enum ABVerdict: String, Sendable {
    /// Significantly worse (after Holm), and even the interval's best case is beyond the threshold.
    case regressed
    /// The interval's worst case is inside the threshold: any change is smaller than the noise.
    case same
    /// Neither: more blocks needed.
    case unknown
}

public struct ABFigureJudgement: Equatable, Sendable {
    public var point: String
    public var figure: JudgedFigure
    public var logRatios: [Double]
    /// One-sided p-value that B is worse than A (signed-rank; nil test: no nonzero ratio, p = 1).
    public var pWorse: Double
    public var method: TestMethod
    /// `pWorse` after Holm's correction across its family: every gated figure × point, or every other one.
    public var pAdjusted: Double
    /// Hodges–Lehmann change B/A − 1 and its interval (`ABJudgement.confidence`).
    public var change: Double
    public var changeLow: Double
    public var changeHigh: Double
    public var coverage: Double
    public var verdict: ABVerdict
    /// For `unknown`: about how many more blocks would decide (nil when the estimate sits on the
    /// threshold and no number of blocks would).
    public var moreBlocks: Int?
    /// Complete blocks of this point not judged: measured while the hypervisor took the CPUs.
    public var blocksSetAside = 0

    public var blocks: Int { logRatios.count }
}

public enum ABJudgement {
    public static let alpha = 0.05
    /// A two-sided 90% interval: each bound is a one-sided 95% bound, matching the one-sided test.
    public static let confidence = 1 - 2 * alpha

    /// log(B/A) of one ABBA block: the geometric means of the two B runs and the two A runs, so a
    /// linear drift over the block (A at t = 0 and 3, B at 1 and 2) cancels. Nil unless all four
    /// values are positive.
    public static func blockLogRatio(a: [Double], b: [Double]) -> Double? {
        guard !a.isEmpty, !b.isEmpty, (a + b).allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let meanLog = { (values: [Double]) in values.map { log($0) }.reduce(0, +) / Double(values.count) }
        return meanLog(b) - meanLog(a)
    }

    /// Judges every (point, figure, log ratios); Holm runs over the gated ones together and over
    /// the others together.
    public static func judge(_ series: [(point: String, figure: JudgedFigure, logRatios: [Double])]) -> [ABFigureJudgement] {
        var judged: [ABFigureJudgement] = []
        for (point, figure, ratios) in series where !ratios.isEmpty {
            let test = WilcoxonSignedRank.test(ratios)
            let pWorse = test.map { figure.higherIsBetter ? $0.pLess : $0.pGreater } ?? 1
            let estimate = HodgesLehmann.pseudoMedian(ratios, confidence: confidence)!
            judged.append(ABFigureJudgement(
                point: point, figure: figure, logRatios: ratios, pWorse: pWorse, method: test?.method ?? .exact,
                pAdjusted: pWorse, change: exp(estimate.estimate) - 1, changeLow: exp(estimate.low) - 1,
                changeHigh: exp(estimate.high) - 1, coverage: estimate.coverage, verdict: .unknown, moreBlocks: nil))
        }
        // Two families, each corrected on its own: the gated figures decide the exit status, so
        // figures shown for information must not raise the bar a real regression has to clear.
        for gated in [true, false] {
            let family = judged.indices.filter { judged[$0].figure.gated == gated }
            let adjusted = HolmBonferroni.adjust(family.map { judged[$0].pWorse })
            for (index, p) in zip(family, adjusted) {
                judged[index].pAdjusted = p
                decide(&judged[index], tests: family.count)
            }
        }
        return judged
    }

    /// The verdict, worked in "worse is positive" log units: x = ±log ratio, threshold t > 0.
    static func decide(_ j: inout ABFigureJudgement, tests: Int) {
        let sign: Double = j.figure.higherIsBetter ? -1 : 1
        let t = j.figure.higherIsBetter ? -log(1 - min(j.figure.threshold, 0.999)) : log(1 + j.figure.threshold)
        let estimate = sign * log(1 + j.change)
        let bounds = [sign * log(1 + j.changeLow), sign * log(1 + j.changeHigh)]
        let best = bounds.min()!, worst = bounds.max()!
        let reaches = j.coverage >= confidence - 1e-12
        if j.pAdjusted < alpha, best > t {
            j.verdict = .regressed
        } else if reaches, worst < t {
            j.verdict = .same
        } else {
            j.verdict = .unknown
            // Towards "regressed" the smallest possible p (2⁻ⁿ, times Holm's factor) must also fall below α.
            let floor = estimate > t ? max(minimumBlocks, blocksToDetect(tests: tests)) : (reaches ? 0 : minimumBlocks)
            j.moreBlocks = moreBlocks(n: j.blocks, estimate: estimate, best: best, worst: worst, threshold: t, floor: floor)
        }
    }

    /// The interval's half-width shrinks about as 1/√n: how many blocks would move the bound on the
    /// estimate's side of the threshold past it; at least `floor` blocks in all.
    static func moreBlocks(n: Int, estimate: Double, best: Double, worst: Double, threshold: Double, floor: Int) -> Int? {
        let gap = abs(threshold - estimate)
        guard gap > 1e-12 else { return nil }
        let halfWidth = estimate < threshold ? worst - estimate : estimate - best
        var needed = Double(n) * (halfWidth / gap) * (halfWidth / gap)
        needed = max(needed, Double(floor))
        guard needed.isFinite, needed < 100_000 else { return nil }
        return max(1, Int(needed.rounded(.up)) - n)
    }

    /// The fewest blocks whose interval reaches `confidence` (5: 1 − 2/2⁵ = 93.75% ≥ 90%).
    public static var minimumBlocks: Int {
        var n = 1
        while 1 - 2 / pow(2, Double(n)) < confidence { n += 1 }
        return n
    }

    /// The fewest blocks with which `tests` Holm-corrected one-sided tests can reach `alpha` at all.
    public static func blocksToDetect(tests: Int) -> Int {
        var n = 1
        while pow(2, -Double(n)) * Double(max(tests, 1)) >= alpha { n += 1 }
        return n
    }
}
