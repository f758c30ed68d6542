// Flags values that sit far from the rest — never drops them: a disturbed run on a shared
// machine is information a reader should see, and the median already resists it.

public enum OutlierRule: String, Sendable {
    /// Outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR] (Tukey), quartiles by R's default interpolation.
    case tukeyFences = "tukey"
    /// Modified z-score 0.6745·|x − median| / MAD above 3.5 (Iglewicz & Hoaglin).
    case medianAbsoluteDeviation = "mad"
}

public enum OutlierFlags {
    /// One flag per value, in the values' order. Fewer than 4 values are never flagged: with so few
    /// there is no "rest" to be far from.
    public static func flags(_ values: [Double], rule: OutlierRule = .tukeyFences) -> [Bool] {
        guard values.count >= 4 else { return values.map { _ in false } }
        let sorted = values.sorted()
        switch rule {
        case .tukeyFences:
            let q1 = Ranking.quantile(ofSorted: sorted, 0.25)!
            let q3 = Ranking.quantile(ofSorted: sorted, 0.75)!
            let reach = 1.5 * (q3 - q1)
            return values.map { $0 < q1 - reach || $0 > q3 + reach }
        case .medianAbsoluteDeviation:
            let median = Ranking.median(ofSorted: sorted)!
            let mad = Ranking.median(values.map { abs($0 - median) })!
            // All but a few values identical: anything different is far from them.
            guard mad > 0 else { return values.map { $0 != median } }
            return values.map { 0.6745 * abs($0 - median) / mad > 3.5 }
        }
    }

    public static func count(_ values: [Double], rule: OutlierRule = .tukeyFences) -> Int {
        flags(values, rule: rule).filter { $0 }.count
    }
}
