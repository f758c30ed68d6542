import Testing
@testable import MuxMetrics

@Suite struct HodgesLehmannTests {
    /// R: wilcox.test(x, y, conf.int = TRUE) on Hollander & Wolfe's example reports the
    /// difference in location 0.305 and the 95% interval [-0.15, 0.76]. By hand: qwilcox(0.025,
    /// 10, 5) = 9, so the interval is the 9th smallest and 9th largest of the 50 differences, with
    /// coverage 1 − 2·P(U ≤ 8) = 1 − 2·60/3003.
    @Test func two_sample_shift_with_exact_interval() throws {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let shift = try #require(HodgesLehmann.shift(x, y))
        #expect(abs(shift.estimate - 0.305) < 1e-12)
        #expect(abs(shift.low - -0.15) < 1e-12)
        #expect(abs(shift.high - 0.76) < 1e-12)
        #expect(abs(shift.coverage - (1 - 2 * 60.0 / 3003)) < 1e-12)
        #expect(shift.method == .exact && shift.reachesConfidence)
    }

    /// The paired example: the pseudo-median of the 45 Walsh averages is 0.46; qsignrank(0.025, 9)
    /// = 6, so the interval is the 6th smallest and 6th largest, [0.01, 0.786], coverage
    /// 1 − 2·10/512.
    @Test func pseudo_median_with_exact_interval() throws {
        let d = WilcoxonSignedRankTests.differences
        let estimate = try #require(HodgesLehmann.pseudoMedian(d))
        #expect(abs(estimate.estimate - 0.46) < 1e-12)
        #expect(abs(estimate.low - 0.01) < 1e-12)
        #expect(abs(estimate.high - 0.786) < 1e-12)
        #expect(estimate.coverage == 1 - 2 * 10.0 / 512)
    }

    /// Too few pairs for 95%: five differences reach at most 1 − 2/32; the widest interval is
    /// returned (min–max of the Walsh averages) and says it falls short.
    @Test func too_few_values_return_the_widest_interval() throws {
        let estimate = try #require(HodgesLehmann.pseudoMedian([0.01, 0.03, 0.02, 0.05, 0.04]))
        #expect(estimate.estimate == 0.03)
        #expect(estimate.low == 0.01 && estimate.high == 0.05)
        #expect(estimate.coverage == 1 - 2.0 / 32)
        #expect(!estimate.reachesConfidence)
        // A 90% interval (a one-sided 95% bound on each side) is reachable with five.
        let ninety = try #require(HodgesLehmann.pseudoMedian([0.01, 0.03, 0.02, 0.05, 0.04], confidence: 0.9))
        #expect(ninety.reachesConfidence && ninety.low == 0.01 && ninety.high == 0.05)
    }
}
