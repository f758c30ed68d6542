// The sign test of one sample (or paired differences) against zero: under the null each nonzero
// difference is positive with probability ½. Weaker than the signed-rank test but assumes no
// symmetry; always exact (binomial).

public enum SignTest {
    /// Statistic: the number of positive differences among the nonzero ones; nil when all are zero.
    public static func test(_ differences: [Double]) -> RankTestResult? {
        let nonzero = differences.filter { $0 != 0 }
        let n = nonzero.count
        guard n > 0 else { return nil }
        let positive = nonzero.filter { $0 > 0 }.count
        let less = BinomialDistribution.cdf(positive, n: n, p: 0.5)
        let greater = 1 - BinomialDistribution.cdf(positive - 1, n: n, p: 0.5)
        return RankTestResult(statistic: Double(positive), count: n, pLess: less, pGreater: max(0, greater),
                              pTwoSided: twoSided(less: less, greater: max(0, greater)), method: .exact)
    }
}
