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

    /// Every (point, repetition) of the sweep in measuring order, made as it is read: one round's
    /// order (the points' indices) at a time, never a list of points × repetitions (a 9-line file
    /// can describe 76,800 points × 1,000 repetitions). Resuming filters it, so the runs still
    /// missing keep the order (and round) they had.
    public func runs(of points: [SweepPoint], repetitions: Int) -> SweepRuns {
        SweepRuns(order: self, points: points, repetitions: max(repetitions, 1))
    }

    /// The value of the CSV's `order_seed` column: the seed, or empty for sequential order.
    public var seedColumn: String {
        if case let .rounds(seed) = self { return String(seed) }
        return ""
    }
}

/// The runs of a sweep in measuring order, generated lazily (see `SweepOrder.runs`).
public struct SweepRuns: Sequence {
    public typealias Element = (point: SweepPoint, rep: Int)
    let order: SweepOrder
    let points: [SweepPoint]
    let repetitions: Int

    /// Runs in all: every point once per repetition.
    public var count: Int { points.count * repetitions }

    public func makeIterator() -> Iterator { Iterator(runs: self) }

    public struct Iterator: IteratorProtocol {
        let runs: SweepRuns
        var taken = 0
        var generator: SplitMix64
        /// This round's order, as indices into `points`.
        var roundOrder: [Int] = []

        init(runs: SweepRuns) {
            self.runs = runs
            if case let .rounds(seed) = runs.order { generator = SplitMix64(seed: seed) } else { generator = SplitMix64(seed: 0) }
        }

        public mutating func next() -> Element? {
            let count = runs.points.count
            guard taken < runs.count else { return nil }
            defer { taken += 1 }
            switch runs.order {
            case .sequential:
                return (point: runs.points[taken / runs.repetitions], rep: taken % runs.repetitions + 1)
            case .rounds:
                // The same draws, in the same order, as shuffling the points themselves round by round.
                if taken % count == 0 { roundOrder = Array(0..<count).shuffledDeterministically(using: &generator) }
                return (point: runs.points[roundOrder[taken % count]], rep: taken / count + 1)
            }
        }
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
