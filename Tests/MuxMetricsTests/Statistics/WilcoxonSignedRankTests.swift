import Testing
@testable import MuxMetrics

@Suite struct WilcoxonSignedRankTests {
    /// R's paired example (Hollander & Wolfe 1973, p. 29, depression scores):
    /// wilcox.test(x, y, paired = TRUE, alternative = "greater") gives V = 40, p-value = 0.01953.
    /// By hand: the negative differences have ranks 2 and 3, so V = 45 − 5 = 40, and
    /// P(V ≥ 40) = P(V ≤ 5) = 10/512 (subsets of 1…9 summing to ≤ 5).
    static let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    static let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    static var differences: [Double] { zip(x, y).map { $0 - $1 } }

    @Test func hollander_wolfe_paired_example_exact() throws {
        let result = try #require(WilcoxonSignedRank.test(Self.differences))
        #expect(result.statistic == 40)
        #expect(result.method == .exact)
        #expect(result.pGreater == 10.0 / 512)
        #expect(result.pTwoSided == 20.0 / 512)
        #expect(result.pLess == 505.0 / 512)        // P(V ≤ 40) = 1 − P(V ≥ 41) = 1 − 7/512
    }

    /// Critical values of the signed-rank statistic, two-sided α = 0.05 (largest T with
    /// P(V ≤ T) ≤ 0.025), from the standard table (e.g. Wilcoxon, Katti & Wilcox 1963): n = 6 → 0,
    /// 8 → 3, 10 → 8, 15 → 25, 20 → 52.
    @Test(arguments: [(6, 0), (8, 3), (10, 8), (15, 25), (20, 52)])
    func exact_distribution_matches_the_critical_value_table(n: Int, critical: Int) {
        let law = SignedRankDistribution(n: n)
        #expect(law.total == Double(1 << n))
        #expect(law.cdf(Double(critical)) <= 0.025)
        #expect(law.cdf(Double(critical + 1)) > 0.025)
    }

    /// Five positive differences: the smallest one-sided p-value is 1/32; six give 1/64.
    @Test func the_smallest_reachable_p_value_is_one_over_two_to_the_n() throws {
        #expect(try #require(WilcoxonSignedRank.test([1, 2, 3, 4, 5])).pGreater == 1.0 / 32)
        #expect(try #require(WilcoxonSignedRank.test([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])).pGreater == 1.0 / 64)
    }

    /// A zero and tied magnitudes: the zero is dropped (n = 9), ties get mid-ranks, and the normal
    /// approximation with σ² = n(n+1)(2n+1)/24 − Σ(t³−t)/48 and continuity correction gives the
    /// p-values of R's wilcox.test(correct = TRUE) (and SciPy's wilcoxon, zero_method="wilcox").
    @Test func zeros_and_ties_use_the_normal_approximation() throws {
        let result = try #require(WilcoxonSignedRank.test([1, -2, 2, 3, 3, 4, -1, 5, 6, 0]))
        #expect(result.count == 9)
        #expect(result.statistic == 40)
        #expect(result.method == .normalApproximation)
        #expect(abs(result.pGreater - 0.0217276520) < 1e-9)
        #expect(abs(result.pTwoSided - 0.0434553040) < 1e-9)
    }

    @Test func all_zero_gives_nil() {
        #expect(WilcoxonSignedRank.test([0, 0]) == nil)
        #expect(SignTest.test([0]) == nil)
    }

    /// Sign test on the same differences: 7 of 9 positive; P(B ≥ 7) = (36 + 9 + 1)/512.
    @Test func sign_test_is_binomial() throws {
        let result = try #require(SignTest.test(Self.differences))
        #expect(result.statistic == 7)
        #expect(abs(result.pGreater - 46.0 / 512) < 1e-12)
        #expect(abs(result.pTwoSided - 92.0 / 512) < 1e-12)
        #expect(abs(result.pLess - (1 - 10.0 / 512)) < 1e-12)   // P(B ≤ 7) = 1 − P(B ≥ 8)
    }
}
