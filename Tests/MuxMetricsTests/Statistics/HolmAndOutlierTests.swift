import Testing
@testable import MuxMetrics

@Suite struct HolmBonferroniTests {
    /// By hand: sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max(0.06, 0.04);
    /// R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") gives 0.03 0.06 0.06 0.02.
    @Test func step_down_adjustment() {
        let adjusted = HolmBonferroni.adjust([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-12) }
        #expect(HolmBonferroni.adjust([0.6, 0.9]) == [1, 1])
        #expect(HolmBonferroni.adjust([]) == [])
    }
}

@Suite struct OutlierFlagsTests {
    /// Quartiles by R's type 7: Q1 = 11.25, Q3 = 13.75, IQR 2.5, fences 7.5 and 17.5.
    @Test func tukey_fences_flag_without_dropping() {
        let values: [Double] = [12, 50, 10, 11, 13, 14]
        #expect(OutlierFlags.flags(values) == [false, true, false, false, false, false])
        // Q1 = 10.25, Q3 = 12.75: the lower fence is 6.5.
        #expect(OutlierFlags.count([12, 10, 11, 13, 14, 5]) == 1)
        #expect(OutlierFlags.count([12, 10, 11, 13, 14, 7]) == 0)
        #expect(OutlierFlags.count([10, 11, 12, 13, 14, 15]) == 0)
    }

    /// Median 12.5, MAD 1.5: 50 scores 0.6745·37.5/1.5 = 16.9 > 3.5; 10 scores 1.12.
    @Test func mad_rule() {
        let values: [Double] = [12, 50, 10, 11, 13, 14]
        #expect(OutlierFlags.flags(values, rule: .medianAbsoluteDeviation) == [false, true, false, false, false, false])
    }

    @Test func too_few_values_are_never_flagged() {
        #expect(OutlierFlags.flags([1, 2, 1000]) == [false, false, false])
    }
}
