// Hodges–Lehmann estimates with their distribution-free confidence intervals: the estimate
// that goes with each Wilcoxon test, as R's `wilcox.test(conf.int = TRUE)` reports it.
//  - two samples: the shift of x against y, the median of all m·n differences xᵢ − yⱼ; the
//    interval runs between order statistics of those differences picked by U's null law;
//  - one sample (paired differences): the pseudo-median, the median of the n(n+1)/2 Walsh
//    averages (dᵢ + dⱼ)/2, i ≤ j; the interval is picked by V's null law.

public enum HodgesLehmann {
    /// The shift x − y with a `confidence` interval; nil when either sample is empty.
    public static func shift(_ x: [Double], _ y: [Double], confidence: Double = 0.95) -> LocationEstimate? {
        let m = x.count, n = y.count
        guard m > 0, n > 0 else { return nil }
        var differences: [Double] = []
        differences.reserveCapacity(m * n)
        for a in x { for b in y { differences.append(a - b) } }
        differences.sort()
        let exact = m < MannWhitneyU.exactLimit && n < MannWhitneyU.exactLimit && Ranking.midRanks(x + y).tieSum == 0
        if exact {
            let law = MannWhitneyDistribution(m: m, n: n)
            return interval(differences, confidence: confidence, quantile: law.quantile, cdf: law.cdf)
        }
        let mn = Double(m * n)
        let sigma = (mn * Double(m + n + 1) / 12).squareRoot()
        return approximateInterval(differences, mean: mn / 2, sigma: sigma, confidence: confidence)
    }

    /// The pseudo-median of `values` (or of paired differences) with a `confidence` interval; nil
    /// for no values.
    public static func pseudoMedian(_ values: [Double], confidence: Double = 0.95) -> LocationEstimate? {
        let n = values.count
        guard n > 0 else { return nil }
        var walsh: [Double] = []
        walsh.reserveCapacity(n * (n + 1) / 2)
        for i in 0..<n { for j in i..<n { walsh.append((values[i] + values[j]) / 2) } }
        walsh.sort()
        let exact = n < WilcoxonSignedRank.exactLimit && Ranking.midRanks(values.map { abs($0) }).tieSum == 0
            && !values.contains(0)
        if exact {
            let law = SignedRankDistribution(n: n)
            return interval(walsh, confidence: confidence, quantile: law.quantile, cdf: law.cdf)
        }
        let nn = Double(n)
        let sigma = (nn * (nn + 1) * (2 * nn + 1) / 24).squareRoot()
        return approximateInterval(walsh, mean: nn * (nn + 1) / 4, sigma: sigma, confidence: confidence)
    }

    /// [s(k), s(N+1−k)] with k the α/2 quantile of the statistic's null law (at least 1): its
    /// coverage is 1 − 2·P(stat ≤ k−1), the widest interval when even that misses `confidence`.
    private static func interval(_ sorted: [Double], confidence: Double, quantile: (Double) -> Int,
                                 cdf: (Double) -> Double) -> LocationEstimate {
        let k = max(1, quantile((1 - confidence) / 2))
        let coverage = 1 - 2 * cdf(Double(k - 1))
        return LocationEstimate(estimate: Ranking.median(ofSorted: sorted)!, low: sorted[k - 1],
                                high: sorted[sorted.count - k], coverage: coverage, method: .exact,
                                reachesConfidence: coverage >= confidence - 1e-12)
    }

    /// The same with k from the normal approximation of the statistic (ties or large samples).
    private static func approximateInterval(_ sorted: [Double], mean: Double, sigma: Double,
                                            confidence: Double) -> LocationEstimate {
        let z = NormalDistribution.quantile(1 - (1 - confidence) / 2)
        let k = max(1, min(Int((mean - 0.5 - z * sigma).rounded(.up)), (sorted.count + 1) / 2))
        let coverage = k > 1 ? confidence : 1 - 2 * NormalDistribution.cdf((0.5 - mean) / sigma)
        return LocationEstimate(estimate: Ranking.median(ofSorted: sorted)!, low: sorted[k - 1],
                                high: sorted[sorted.count - k], coverage: coverage, method: .normalApproximation,
                                reachesConfidence: coverage >= confidence - 1e-12)
    }
}
