import Testing
import MuxMetrics
@testable import MuxBenchKit

@Suite struct ResumeStateTests {
    private let spec: SweepSpec
    private let points: [SweepPoint]

    init() throws {
        spec = try SweepSpec.parse("backends = poll epoll-et\nconnections = 100\nrepetitions = 3\n", path: "r.sweep")
        points = spec.points()
    }

    private func row(_ point: SweepPoint, rep: Int, _ changes: [String: String] = [:]) -> [String: String] {
        var row = Dictionary(uniqueKeysWithValues: ResultsSchema.columns.map { ($0, "") })
        row.merge(spec.rowParameters(for: point)) { _, new in new }
        row["rep"] = String(rep)
        row.merge(changes) { _, new in new }
        return row
    }

    @Test func finished_runs_are_skipped_and_missing_ones_are_not() {
        let poll = points[0], epoll = points[1]
        let existing = CSVTable(header: ResultsSchema.columns,
                                rows: [row(poll, rep: 1), row(poll, rep: 2), row(poll, rep: 3), row(epoll, rep: 2)])
        let state = ResumeState(existing: existing, points: points, repetitions: spec.repetitions)
        #expect((1...3).allSatisfy { state.isMeasured(pointID: poll.id, rep: $0) })
        #expect(state.isMeasured(pointID: epoll.id, rep: 2))
        #expect(!state.isMeasured(pointID: epoll.id, rep: 1) && !state.isMeasured(pointID: epoll.id, rep: 3))
        #expect(state.measured.count == 4)
        #expect(state.conflicts.isEmpty)
    }

    @Test func an_empty_table_skips_nothing() {
        let state = ResumeState(existing: CSVTable(header: ResultsSchema.columns), points: points, repetitions: 3)
        #expect(state.measured.isEmpty)
        #expect(!state.isMeasured(pointID: points[0].id, rep: 1))
    }

    @Test func rows_of_unknown_points_or_extra_reps_are_ignored() {
        var stranger = row(points[0], rep: 1)
        stranger["point"] = "select-c100-a100-b64-echo-immediate-p1-closed-t1"
        let existing = CSVTable(header: ResultsSchema.columns,
                                rows: [stranger, row(points[0], rep: 4), row(points[0], rep: 0)])
        let state = ResumeState(existing: existing, points: points, repetitions: 3)
        #expect(state.measured.isEmpty)
    }

    @Test func rows_measured_with_other_settings_are_conflicts_not_progress() {
        let existing = CSVTable(header: ResultsSchema.columns,
                                rows: [row(points[0], rep: 1, ["duration_s": "10"]), row(points[0], rep: 2, ["duration_s": "5.0"])])
        let state = ResumeState(existing: existing, points: points, repetitions: 3)
        #expect(state.conflicts == ["point \(points[0].id) rep 1: duration_s is '10' in the results but '5' in the sweep"])
        #expect(!state.isMeasured(pointID: points[0].id, rep: 1))
        #expect(state.isMeasured(pointID: points[0].id, rep: 2))
    }

    @Test func works_on_a_table_read_back_from_disk_text() throws {
        var text = ResultsSchema.columns.joined(separator: ",") + "\n"
        text += try CSVTable.line(row(points[1], rep: 1), columns: ResultsSchema.columns) + "\n"
        let state = ResumeState(existing: try CSVTable.parse(text), points: points, repetitions: 1)
        #expect(state.measured == [PointRep(pointID: points[1].id, rep: 1)])
    }
}
