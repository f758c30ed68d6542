import Foundation
import MuxTestSupport
import Testing
@testable import MuxMetrics

@Suite struct KolmogorovSmirnovTests {
    /// Exp(1) by inversion from a seeded generator.
    private func exponential(_ count: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in -log(1 - random.nextUnit()) }
    }

    @Test func exponential_samples_fit() throws {
        // At α = 0.001 a true fit fails once in a thousand seeds; these ten are fixed.
        for seed in UInt64(1)...10 {
            let fit = try #require(KolmogorovSmirnov.exponentialFit(exponential(2000, seed: seed)))
            #expect(fit.fits, "seed \(seed): D \(fit.statistic) > \(fit.critical)")
            #expect(fit.count == 2000)
        }
    }

    @Test func constant_gaps_and_the_wrong_mean_do_not_fit() throws {
        // wrk2's schedule: every gap the mean. D = max(1 − e^−1, e^−1) ≈ 0.632.
        let constant = try #require(KolmogorovSmirnov.exponentialFit(Array(repeating: 1.0, count: 2000)))
        #expect(!constant.fits)
        #expect(abs(constant.statistic - (1 - exp(-1.0))) < 1e-3)
        // Sends 20% slower than scheduled: exponential, but not the schedule's.
        let slow = try #require(KolmogorovSmirnov.exponentialFit(exponential(2000, seed: 3).map { $0 * 1.2 }))
        #expect(!slow.fits, "D \(slow.statistic) against \(slow.critical)")
        // Bursts: half the gaps zero (sends batched after a late wake-up).
        let bursty = exponential(2000, seed: 4).enumerated().map { $0.offset % 2 == 0 ? 0 : $0.element * 2 }
        #expect(KolmogorovSmirnov.exponentialFit(bursty)?.fits == false)
    }

    @Test func the_critical_value_is_smirnovs() throws {
        let fit = try #require(KolmogorovSmirnov.exponentialFit(exponential(400, seed: 9)))
        #expect(abs(fit.critical - 1.9495 / 20) < 1e-4)
        #expect(KolmogorovSmirnov.exponentialFit([1, 2, 3]) == nil, "too few gaps to judge")
    }
}
