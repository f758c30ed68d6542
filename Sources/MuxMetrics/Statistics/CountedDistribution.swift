/// An exact null distribution on 0, 1, 2 …, given as counts of equally likely outcomes per value
/// (orderings for Mann–Whitney U, sign patterns for the signed-rank V). The tail sums are
/// the same for both, so they are written once here.
public protocol CountedDistribution {
    /// counts[k]: outcomes with statistic = k.
    var counts: [Double] { get }
    /// All outcomes: the sum of `counts`.
    var total: Double { get }
}

extension CountedDistribution {
    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        let k = Int(x.rounded(.down))
        guard k >= 0 else { return 0 }
        guard k < counts.count - 1 else { return 1 }
        return counts[0...k].reduce(0, +) / total
    }

    /// P(X ≥ x).
    public func survival(_ x: Double) -> Double { 1 - cdf(x.rounded(.up) - 1) }

    /// The smallest x with P(X ≤ x) ≥ p (R's `qwilcox` and `qsignrank`).
    public func quantile(_ p: Double) -> Int {
        var cumulative = 0.0
        for (x, c) in counts.enumerated() {
            cumulative += c
            if cumulative / total >= p * (1 - 1e-12) { return x }
        }
        return counts.count - 1
    }
}
