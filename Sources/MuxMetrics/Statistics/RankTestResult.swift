// What every rank test here returns: its statistic, the p-value for each alternative, and
// whether the p-values come from the exact null distribution or its normal approximation.

public enum TestMethod: String, Equatable, Sendable {
    case exact
    /// With tie and continuity correction, as R's `wilcox.test(exact = FALSE)` computes it.
    case normalApproximation = "normal approximation"
}

public struct RankTestResult: Equatable, Sendable {
    /// U (Mann–Whitney), V = W⁺ (signed-rank) or the count of positive differences (sign test).
    public var statistic: Double
    /// Sample size the test used: n of the nonzero differences; m·n pairs for Mann–Whitney.
    public var count: Int
    /// H₁: the first sample's location is below the second's (one-sample: below zero).
    public var pLess: Double
    /// H₁: the first sample's location is above the second's (one-sample: above zero).
    public var pGreater: Double
    public var pTwoSided: Double
    public var method: TestMethod
}

extension RankTestResult {
    /// The normal approximation with continuity correction, as R's `wilcox.test(exact = FALSE)`:
    /// `centred` is the statistic less its null mean, `variance` its tie-corrected null variance.
    /// No variance (every value tied) is no evidence either way: every p-value 1.
    static func normalApproximation(statistic: Double, count: Int, centred: Double, variance: Double) -> RankTestResult {
        guard variance > 0 else {
            return RankTestResult(statistic: statistic, count: count, pLess: 1, pGreater: 1, pTwoSided: 1,
                                  method: .normalApproximation)
        }
        let sigma = variance.squareRoot()
        let less = NormalDistribution.cdf((centred + 0.5) / sigma)
        let greater = NormalDistribution.survival((centred - 0.5) / sigma)
        let correction = centred > 0 ? 0.5 : centred < 0 ? -0.5 : 0
        let z = (centred - correction) / sigma
        let two = min(1, 2 * min(NormalDistribution.cdf(z), NormalDistribution.survival(z)))
        return RankTestResult(statistic: statistic, count: count, pLess: less, pGreater: greater, pTwoSided: two,
                              method: .normalApproximation)
    }
}

/// The interval reported with a Hodges–Lehmann estimate or a median.
public struct LocationEstimate: Equatable, Sendable {
    public var estimate: Double
    public var low: Double
    public var high: Double
    /// The interval's actual coverage (exact), or the nominal level (normal approximation).
    public var coverage: Double
    public var method: TestMethod
    /// Whether `coverage` reached the confidence asked for (too few values: widest interval instead).
    public var reachesConfidence: Bool
}

/// A two-sided p-value from the two tails, as R doubles the smaller one.
func twoSided(less: Double, greater: Double) -> Double { min(1, 2 * min(less, greater)) }
