// A distribution-free confidence interval of the median from order statistics, as Go's
// benchstat computes it: [x(k), x(n+1−k)] covers the true median with probability
// 1 − 2·P(B ≤ k−1), B ~ Bin(n, ½), whatever the distribution (continuous) is. The coverage
// comes in steps, so the interval reports the coverage it actually reaches; with too few values
// no interval reaches the level asked and the widest one, min–max, is returned with its own
// (n = 5: 1 − 2/32 = 93.75%).

public struct MedianInterval: Equatable, Sendable {
    public var median: Double
    public var low: Double
    public var high: Double
    /// The probability the interval covers the true median (≥ the level asked unless too few values).
    public var coverage: Double
    public var count: Int
    /// Whether `coverage` reached the confidence asked for.
    public var reachesConfidence: Bool

    /// The narrowest symmetric order-statistic interval with coverage ≥ `confidence`; nil for no values.
    public init?(_ values: [Double], confidence: Double = 0.95) {
        let sorted = values.sorted()
        guard let median = Ranking.median(ofSorted: sorted) else { return nil }
        let n = sorted.count
        self.median = median
        self.count = n
        // Largest k (1-based, k ≤ (n+1)/2) whose interval still reaches the confidence.
        var chosen = 1
        var chosenCoverage = Self.coverage(k: 1, n: n)
        var k = 2
        while k <= (n + 1) / 2 {
            let c = Self.coverage(k: k, n: n)
            if c < confidence { break }
            chosen = k
            chosenCoverage = c
            k += 1
        }
        low = sorted[chosen - 1]
        high = sorted[n - chosen]
        coverage = chosenCoverage
        reachesConfidence = chosenCoverage >= confidence
    }

    /// Coverage of [x(k), x(n+1−k)]: the median lies outside only if ≥ n−k+1 values fall on one side.
    static func coverage(k: Int, n: Int) -> Double {
        if 2 * k > n + 1 { return 0 }
        return max(0, 1 - 2 * BinomialDistribution.cdf(k - 1, n: n, p: 0.5))
    }

    /// The smallest n for which some interval reaches `confidence` (6 for 95%).
    public static func minimumCount(confidence: Double) -> Int {
        var n = 1
        while coverage(k: 1, n: n) < confidence { n += 1 }
        return n
    }
}
