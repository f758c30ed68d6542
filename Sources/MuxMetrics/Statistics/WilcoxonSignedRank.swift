// The Wilcoxon signed-rank test of one sample (or paired differences) against zero, with R's
// `wilcox.test(paired = TRUE)` conventions: zeros dropped, V = W⁺ the sum of the ranks of |d|
// over positive d; exact for small samples without ties or zeros, otherwise the normal
// approximation with tie and continuity correction.

/// The null distribution of V for n nonzero differences: each of the 2ⁿ sign patterns equally
/// likely; counts[v] of them give V = v.
public struct SignedRankDistribution: CountedDistribution, Sendable {
    public let n: Int
    public let counts: [Double]
    public let total: Double

    public init(n: Int) {
        precondition(n >= 0)
        self.n = n
        let maximum = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        // Subset sums of {1 ... n}, by additions only.
        if n > 0 {
            var reach = 0
            for rank in 1...n {
                reach += rank
                var v = reach
                while v >= rank { counts[v] += counts[v - rank]; v -= 1 }
            }
        }
        self.counts = counts
        total = counts.reduce(0, +)
    }
}

public enum WilcoxonSignedRank {
    public static let exactLimit = 50

    /// The test of `differences` against location zero; nil when all of them are zero (or none).
    public static func test(_ differences: [Double]) -> RankTestResult? {
        let nonzero = differences.filter { $0 != 0 }
        let n = nonzero.count
        guard n > 0 else { return nil }
        let (ranks, tieSum) = Ranking.midRanks(nonzero.map { abs($0) })
        var v = 0.0
        for (d, rank) in zip(nonzero, ranks) where d > 0 { v += rank }

        if n < exactLimit, tieSum == 0, nonzero.count == differences.count {
            let distribution = SignedRankDistribution(n: n)
            let less = distribution.cdf(v)
            let greater = distribution.survival(v)
            return RankTestResult(statistic: v, count: n, pLess: less, pGreater: greater,
                                  pTwoSided: twoSided(less: less, greater: greater), method: .exact)
        }
        let nn = Double(n)
        let centred = v - nn * (nn + 1) / 4
        let variance = nn * (nn + 1) * (2 * nn + 1) / 24 - tieSum / 48
        return .normalApproximation(statistic: v, count: n, centred: centred, variance: variance)
    }
}
