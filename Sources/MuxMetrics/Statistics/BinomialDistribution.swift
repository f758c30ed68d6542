// The binomial distribution Bin(n, p): the law of order statistics around a quantile and of the
// sign test.
#if canImport(Glibc)
import Glibc
#endif

public enum BinomialDistribution {
    /// P(X = k), in log space so large n neither overflows nor underflows early.
    public static func pmf(_ k: Int, n: Int, p: Double) -> Double {
        guard k >= 0, k <= n else { return 0 }
        if p == 0 { return k == 0 ? 1 : 0 }
        if p == 1 { return k == n ? 1 : 0 }
        let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
        return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
    }

    /// P(X ≤ k).
    public static func cdf(_ k: Int, n: Int, p: Double) -> Double {
        guard k >= 0 else { return 0 }
        guard k < n else { return 1 }
        var total = 0.0
        for i in 0...k { total += pmf(i, n: n, p: p) }
        return min(total, 1)
    }
}
