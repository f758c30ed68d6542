// The one-sample Kolmogorov–Smirnov test against an exponential distribution of known mean: do
// an open loop's actual send gaps fit the Poisson schedule it was asked for? The parameter is the
// schedule's, not estimated from the sample, so the classical critical values hold.
#if canImport(Glibc)
import Glibc
#endif

public struct ExponentialFit: Equatable, Sendable {
    /// D: the largest distance between the sample's empirical CDF and the exponential's.
    public var statistic: Double
    public var count: Int
    /// D's critical value at `significance` (asymptotic, Smirnov's 1.949/√n at 0.001).
    public var critical: Double
    public var fits: Bool { statistic <= critical }
}

public enum KolmogorovSmirnov {
    /// A false alarm once in a thousand rows of a correct schedule.
    public static let significance = 0.001
    /// √(−ln(α/2)/2) at α = 0.001.
    static let criticalCoefficient = (-log(significance / 2) / 2).squareRoot()

    /// `sample` in units of the mean (so the distribution is Exp(1)); nil below 35 values, where
    /// the asymptotic critical value is not good enough.
    public static func exponentialFit(_ sample: [Double]) -> ExponentialFit? {
        guard sample.count >= 35 else { return nil }
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = x > 0 ? -expm1(-x) : 0
            d = max(d, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return ExponentialFit(statistic: d, count: sorted.count, critical: criticalCoefficient / n.squareRoot())
    }
}
