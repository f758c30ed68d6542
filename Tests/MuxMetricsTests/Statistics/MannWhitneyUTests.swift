import Testing
@testable import MuxMetrics

@Suite struct MannWhitneyUTests {
    /// Critical values of U for a two-sided test at α = 0.05 (the largest u with P(U ≤ u) ≤ 0.025),
    /// from the standard Mann–Whitney table (e.g. Siegel & Castellan, table J), which a brute-force
    /// enumeration of all C(m+n, m) orderings also gives.
    @Test(arguments: [(5, 5, 2), (6, 6, 5), (7, 7, 8), (8, 8, 13), (9, 9, 17), (10, 10, 23), (5, 10, 8)])
    func exact_distribution_matches_the_critical_value_table(m: Int, n: Int, critical: Int) {
        let law = MannWhitneyDistribution(m: m, n: n)
        // C(m+n, m) orderings in all.
        var orderings = 1.0
        for i in 1...m { orderings = orderings * Double(n + i) / Double(i) }
        #expect(law.total == orderings.rounded())
        #expect(law.cdf(Double(critical)) <= 0.025)
        #expect(law.cdf(Double(critical + 1)) > 0.025)
    }

    /// Three below three: U = 0, the one ordering in C(6,3) = 20, so one-sided 1/20, two-sided 0.1
    /// (R: wilcox.test(1:3, 4:6) gives W = 0, p-value = 0.1). Never below 0.05 with three a side.
    @Test func three_against_three_cannot_reach_five_percent() throws {
        let result = try #require(MannWhitneyU.test([1, 2, 3], [4, 5, 6]))
        #expect(result.statistic == 0)
        #expect(result.method == .exact)
        #expect(abs(result.pLess - 0.05) < 1e-12)
        #expect(abs(result.pTwoSided - 0.1) < 1e-12)
        #expect(result.pGreater == 1)
    }

    /// R's own example (Hollander & Wolfe 1973, p. 69): wilcox.test(x, y, alternative = "g")
    /// gives W = 35, p-value = 0.1272 (exactly 382/3003, counted by hand from U's law).
    @Test func hollander_wolfe_example_exact() throws {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let result = try #require(MannWhitneyU.test(x, y))
        #expect(result.statistic == 35)
        #expect(result.method == .exact)
        #expect(abs(result.pGreater - 0.1272061272) < 1e-9)
        #expect(abs(result.pLess - 0.8967698968) < 1e-9)
        #expect(abs(result.pTwoSided - 0.2544122544) < 1e-9)
        // Swapping the samples mirrors U and the one-sided p-values.
        let swapped = try #require(MannWhitneyU.test(y, x))
        #expect(swapped.statistic == 15)
        #expect(abs(swapped.pLess - result.pGreater) < 1e-12)
    }

    /// Ties force the normal approximation: σ² = mn/12·((N+1) − Σ(t³−t)/(N(N−1))) with the ties
    /// {2,2,2} and {3,3,3}: 30/12·(12 − 48/110); z = (6 − 15 + 0.5)/σ. The same p-values as R's
    /// wilcox.test(exact = FALSE, correct = TRUE) and SciPy's mannwhitneyu(method="asymptotic").
    @Test func ties_use_the_normal_approximation_with_corrections() throws {
        let result = try #require(MannWhitneyU.test([1, 2, 2, 3, 4], [2, 3, 3, 5, 6, 7]))
        #expect(result.statistic == 6)
        #expect(result.method == .normalApproximation)
        #expect(abs(result.pLess - 0.05695157229) < 1e-9)
        #expect(abs(result.pTwoSided - 0.11390314459) < 1e-9)
        #expect(abs(result.pGreater - 0.96137560917) < 1e-9)
    }

    @Test func all_values_tied_give_no_evidence_and_empty_gives_nil() throws {
        let result = try #require(MannWhitneyU.test([4, 4, 4], [4, 4]))
        #expect(result.pTwoSided == 1 && result.statistic == 3)
        #expect(MannWhitneyU.test([], [1]) == nil)
    }
}
