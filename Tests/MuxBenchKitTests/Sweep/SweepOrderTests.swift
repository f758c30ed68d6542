import Testing
import MuxCore
import MuxMetrics
@testable import MuxBenchKit

/// The sweep's measuring order: rounds of every point, shuffled from a seed that reproduces them.
@Suite struct SweepOrderTests {
    private let points: [SweepPoint]

    init() throws {
        let spec = try SweepSpec.parse("backends = select poll epoll-lt epoll-et\nconnections = 100 1000\nrepetitions = 3\n",
                                       path: "o.sweep")
        points = spec.points()
    }

    private func labels(_ runs: [(point: SweepPoint, rep: Int)]) -> [String] { runs.map { "\($0.point.id)#\($0.rep)" } }

    @Test func each_round_measures_every_point_once_before_the_next_round_starts() {
        let runs = Array(SweepOrder.rounds(seed: 42).runs(of: points, repetitions: 3))
        #expect(runs.count == points.count * 3)
        for round in 1...3 {
            let slice = runs[(round - 1) * points.count ..< round * points.count]
            #expect(slice.allSatisfy { $0.rep == round }, "round \(round) holds only rep \(round)")
            #expect(Set(slice.map(\.point.id)) == Set(points.map(\.id)), "round \(round) holds every point")
        }
    }

    @Test func the_same_seed_gives_the_same_order_and_another_seed_another() {
        let first = labels(Array(SweepOrder.rounds(seed: 42).runs(of: points, repetitions: 3)))
        #expect(labels(Array(SweepOrder.rounds(seed: 42).runs(of: points, repetitions: 3))) == first)
        #expect(labels(Array(SweepOrder.rounds(seed: 43).runs(of: points, repetitions: 3))) != first)
        let sequentialIDs = points.map(\.id)
        let rounds = Array(SweepOrder.rounds(seed: 42).runs(of: points, repetitions: 3))
        let orders = (1...3).map { round in rounds.filter { $0.rep == round }.map(\.point.id) }
        #expect(orders.contains { $0 != sequentialIDs }, "shuffled, not the matrix order")
        #expect(Set(orders.map { $0.joined(separator: ",") }).count > 1, "each round has its own order")
    }

    /// A recorded seed must give the same order on every toolchain: pinned here.
    @Test func the_order_of_a_recorded_seed_never_changes() {
        let runs = Array(SweepOrder.rounds(seed: 7).runs(of: Array(points.prefix(4)), repetitions: 1))
        let names = runs.map { "\($0.point.backend)-\($0.point.connections)" }
        #expect(names == Self.seven, "\(names)")
    }
    /// What seed 7 gave when the order was written (SplitMix64, multiply-shift Fisher–Yates).
    static let seven = ["poll-100", "poll-1000", "select-100", "select-1000"]

    /// Made lazily, one round at a time: the same order as shuffling the points themselves,
    /// round after round from one generator (what a recorded seed has always meant).
    @Test func the_lazy_order_is_the_order_of_shuffling_the_points_round_by_round() {
        var generator = SplitMix64(seed: 42)
        let eager = (1...5).flatMap { rep in points.shuffledDeterministically(using: &generator).map { (point: $0, rep: rep) } }
        let lazy = SweepOrder.rounds(seed: 42).runs(of: points, repetitions: 5)
        #expect(lazy.count == eager.count)
        #expect(labels(Array(lazy)) == labels(eager))
    }

    @Test func sequential_keeps_each_points_repetitions_together_in_matrix_order() {
        let runs = Array(SweepOrder.sequential.runs(of: points, repetitions: 2))
        #expect(labels(runs) == points.flatMap { ["\($0.id)#1", "\($0.id)#2"] })
        #expect(SweepOrder.sequential.seedColumn == "")
        #expect(SweepOrder.rounds(seed: 5).seedColumn == "5")
    }

    @Test func resuming_keeps_the_missing_runs_in_their_rounds_order() {
        let order = SweepOrder.rounds(seed: 9)
        let all = Array(order.runs(of: points, repetitions: 3))
        // Every third run on disk: the rest must come back in the order they had.
        var rows: [[String: String]] = []
        for (index, run) in all.enumerated() where index % 3 == 0 {
            var row = run.point.rowParameters
            row["rep"] = String(run.rep)
            rows.append(row)
        }
        let state = ResumeState(existing: CSVTable(header: ResultsSchema.columns, rows: rows), points: points, repetitions: 3)
        let missing = all.filter { !state.isMeasured(pointID: $0.point.id, rep: $0.rep) }
        #expect(labels(missing) == labels(all.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)))
    }
}
