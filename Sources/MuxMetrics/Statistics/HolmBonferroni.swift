// Holm's step-down correction for testing many hypotheses at once (points × figures): it keeps
// the chance of any false alarm at α, like Bonferroni, while rejecting more.

public enum HolmBonferroni {
    /// Adjusted p-values in the order given: sorted ascending, the i-th smallest (1-based) of m
    /// becomes max over j ≤ i of min(1, (m − j + 1)·p(j)) — R's `p.adjust(method = "holm")`.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (position, index) in order.enumerated() {
            running = max(running, min(1, Double(m - position) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
