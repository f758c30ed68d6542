// The Mann–Whitney U (Wilcoxon rank-sum) test of two independent samples, with R's
// `wilcox.test` conventions: U counts the pairs (x, y) with x > y, ties counting ½; the exact
// null distribution for small samples without ties, otherwise the normal approximation with
// tie and continuity correction.

/// The null distribution of U for sample sizes m and n: the number of the C(m+n, m) equally
/// likely orderings that give each U = 0 ... m·n.
public struct MannWhitneyDistribution: CountedDistribution, Sendable {
    public let m: Int
    public let n: Int
    /// counts[u]: orderings with U = u. Built by additions only (f(i, j) = f(i−1, j) shifted by j
    /// plus f(i, j−1)), so tail counts keep full relative precision in Double.
    public let counts: [Double]
    public let total: Double

    public init(m: Int, n: Int) {
        precondition(m >= 0 && n >= 0)
        self.m = m
        self.n = n
        // row[j]: distribution of U for sizes (i, j) at the current i.
        var row: [[Double]] = (0...n).map { _ in [1] }
        if m > 0 {
            for i in 1...m {
                var next: [[Double]] = []
                next.reserveCapacity(n + 1)
                for j in 0...n {
                    var f = [Double](repeating: 0, count: i * j + 1)
                    // The largest value is an x: it beats all j ys.
                    for (u, c) in row[j].enumerated() where c != 0 { f[u + j] += c }
                    // The largest value is a y: it beats nothing.
                    if j > 0 { for (u, c) in next[j - 1].enumerated() { f[u] += c } }
                    next.append(f)
                }
                row = next
            }
        }
        counts = row[n]
        total = counts.reduce(0, +)
    }
}

public enum MannWhitneyU {
    /// Exact only below this size per sample (and without ties), as R does.
    public static let exactLimit = 50

    /// The test of `x` against `y`; nil when either sample is empty.
    public static func test(_ x: [Double], _ y: [Double]) -> RankTestResult? {
        let m = x.count, n = y.count
        guard m > 0, n > 0 else { return nil }
        let (ranks, tieSum) = Ranking.midRanks(x + y)
        let rankSumX = ranks[0..<m].reduce(0, +)
        let u = rankSumX - Double(m * (m + 1)) / 2

        if m < exactLimit, n < exactLimit, tieSum == 0 {
            let distribution = MannWhitneyDistribution(m: m, n: n)
            let less = distribution.cdf(u)
            let greater = distribution.survival(u)
            return RankTestResult(statistic: u, count: m * n, pLess: less, pGreater: greater,
                                  pTwoSided: twoSided(less: less, greater: greater), method: .exact)
        }
        let mn = Double(m * n)
        let total = Double(m + n)
        let variance = mn / 12 * ((total + 1) - tieSum / (total * (total - 1)))
        let centred = u - mn / 2
        return .normalApproximation(statistic: u, count: m * n, centred: centred, variance: variance)
    }
}
