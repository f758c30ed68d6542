// In which order a sweep measures its runs. By default in rounds: round k measures every point
// once, in an order shuffled from the sweep's seed, so slow drift of a noisy machine spreads over
// all points instead of landing on whichever point happened to run during it. `sequential` keeps
// the old order (each point's repetitions back to back).
import MuxCore

public enum SweepOrder: Equatable, Sendable {
    case rounds(seed: UInt64)
    case sequential

    /// The seed a fresh sweep uses when none is given: small enough to type back with `--seed`.
    public static func randomSeed() -> UInt64 { UInt64.random(in: 1...999_999) }

    /// Every (point, repetition) of the sweep in measuring order. Resuming filters this list, so
    /// the runs still missing keep the order (and round) they had.
    public func runs(of points: [SweepPoint], repetitions: Int) -> [(point: SweepPoint, rep: Int)] {
        let reps = 1...max(repetitions, 1)
        switch self {
        case .sequential:
            return points.flatMap { point in reps.map { (point: point, rep: $0) } }
        case let .rounds(seed):
            var generator = SplitMix64(seed: seed)
            return reps.flatMap { rep in
                points.shuffledDeterministically(using: &generator).map { (point: $0, rep: rep) }
            }
        }
    }

    /// The value of the CSV's `order_seed` column: the seed, or empty for sequential order.
    public var seedColumn: String {
        if case let .rounds(seed) = self { return String(seed) }
        return ""
    }
}

extension Array {
    /// Fisher–Yates with our own index draws: the standard library's `shuffled(using:)` does not
    /// promise the same permutation for the same generator across Swift versions, and a recorded
    /// seed must give the same order on every toolchain.
    func shuffledDeterministically(using generator: inout SplitMix64) -> [Element] {
        var result = self
        guard result.count > 1 else { return result }
        for i in stride(from: result.count - 1, to: 0, by: -1) {
            // Multiply-shift: uniform enough for ordering runs, and fully specified here.
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            result.swapAt(i, j)
        }
        return result
    }
}
