// What `--resume` may skip: the (point, repetition) runs already in results/NAME.csv. Rows are
// appended the moment they are measured, so every row on disk is a finished run.
import MuxMetrics

public struct PointRep: Hashable, Sendable {
    public let pointID: String
    public let rep: Int

    public init(pointID: String, rep: Int) {
        self.pointID = pointID
        self.rep = rep
    }
}

public struct ResumeState: Sendable {
    public let repetitions: Int
    /// Runs already measured, for points of the sweep and reps 1...repetitions only.
    public let measured: Set<PointRep>
    /// One line per row whose point id matches but whose parameters differ from the sweep file
    /// now (e.g. its duration was edited): resuming would mix two settings in one median.
    public let conflicts: [String]

    /// Reps are numbered 1...repetitions in the `rep` column. Rows of points no longer in the
    /// sweep, or of reps beyond `repetitions`, are ignored, not counted.
    public init(existing: CSVTable, points: [SweepPoint], repetitions: Int) {
        self.repetitions = repetitions
        let pointsByID = Dictionary(points.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var measured = Set<PointRep>()
        var conflicts: [String] = []
        for row in existing.rows {
            guard let id = row["point"], let point = pointsByID[id],
                  let rep = row["rep"].flatMap({ Int($0) }), (1...max(repetitions, 1)).contains(rep) else { continue }
            if let conflict = ResumeState.parameterConflict(row: row, expected: point.rowParameters) {
                conflicts.append("point \(id) rep \(rep): \(conflict)")
                continue
            }
            measured.insert(PointRep(pointID: id, rep: rep))
        }
        self.measured = measured
        self.conflicts = conflicts
    }

    public func isMeasured(pointID: String, rep: Int) -> Bool {
        measured.contains(PointRep(pointID: pointID, rep: rep))
    }

    /// A point is complete when every one of its reps is on disk.
    public func isComplete(pointID: String) -> Bool {
        (1...max(repetitions, 1)).allSatisfy { isMeasured(pointID: pointID, rep: $0) }
    }

    /// The runs still to do, in sweep order: each point's missing reps.
    public func remainingRuns(of points: [SweepPoint]) -> [(point: SweepPoint, rep: Int)] {
        points.flatMap { point in
            (1...max(repetitions, 1)).filter { !isMeasured(pointID: point.id, rep: $0) }.map { (point: point, rep: $0) }
        }
    }

    /// The first point parameter whose value differs, numbers compared as numbers (`5` = `5.0`).
    static func parameterConflict(row: [String: String], expected: [String: String]) -> String? {
        for column in ResultsSchema.pointParameters {
            let found = row[column] ?? "", wanted = expected[column] ?? ""
            if found == wanted { continue }
            if let a = Double(found), let b = Double(wanted), a == b { continue }
            return "\(column) is '\(found)' in the results but '\(wanted)' in the sweep"
        }
        return nil
    }
}
