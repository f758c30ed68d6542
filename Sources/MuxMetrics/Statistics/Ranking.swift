// Order statistics every rank-based method here shares: the median, quantiles, and mid-ranks
// with the tie information the normal approximations need.

public enum Ranking {
    /// The middle value of sorted values; for an even count the mean of the two middle ones.
    /// Nil for no values.
    public static func median(ofSorted values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }

    public static func median(_ values: [Double]) -> Double? { median(ofSorted: values.sorted()) }

    /// The `p` quantile of sorted values by linear interpolation between order statistics
    /// (Hyndman & Fan type 7, R's and NumPy's default), so fences match what R's `quantile` shows.
    public static func quantile(ofSorted values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty, p >= 0, p <= 1 else { return nil }
        let position = p * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        return values[lower] + (position - Double(lower)) * (values[upper] - values[lower])
    }

    /// Ranks 1...n of `values` in their own order, tied values sharing the mean of their ranks,
    /// and Σ(t³ − t) over the tie groups (0 when all values differ).
    public static func midRanks(_ values: [Double]) -> (ranks: [Double], tieSum: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 2) / 2    // mean of ranks start+1 ... end+1
            for k in start...end { ranks[order[k]] = rank }
            let t = Double(end - start + 1)
            tieSum += t * t * t - t
            start = end + 1
        }
        return (ranks, tieSum)
    }
}
