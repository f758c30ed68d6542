// What `--resume` may skip: the (point, repetition) runs already in results/NAME.csv. Rows are
// appended the moment they are measured, so every row on disk is a finished run.
import Foundation
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

public struct PointRep: Hashable, Sendable {
    public let pointID: String
    public let rep: Int

    public init(pointID: String, rep: Int) {
        self.pointID = pointID
        self.rep = rep
    }
}

public struct ResumeState: Sendable {
    /// Runs already measured, for points of the sweep and reps 1...repetitions only.
    public let measured: Set<PointRep>
    /// One line per row whose point id matches but whose parameters differ from the sweep file
    /// now (e.g. its duration was edited): resuming would mix two settings in one median.
    public let conflicts: [String]

    /// Reps are numbered 1...repetitions in the `rep` column. Rows of points no longer in the
    /// sweep, or of reps beyond `repetitions`, are ignored, not counted.
    public init(existing: CSVTable, points: [SweepPoint], repetitions: Int) {
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

/// What `--resume` continues from. A file whose last row was cut short (a full disk, a writer
/// killed mid-row) has that row cut off, the original kept beside it, and the run redone; damage
/// anywhere else is refused with file:line, never read as an empty file (which would measure
/// every run again, pick a new seed and append duplicates).
public enum ResumeRead {
    case table(CSVTable)
    case missing
    /// One line for stderr and the exit status: 2 for a damaged file, 1 when it cannot be repaired.
    case refused(String, status: Int32)

    public static func results(at path: String, backupSuffix: String, note: (String) -> Void) -> ResumeRead {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        do { return .table(try CSVTable.read(path: path, requireLineEnd: true)) } catch {
            guard case .partialLastRow = error else {
                if case .unreadable = error { return .refused(error.description, status: 1) }
                return .refused("cannot resume: \(error.description)", status: 2)
            }
            let backup = "\(path).damaged-\(backupSuffix)"
            if let problem = cutLastLine(of: path, keepingOriginalAs: backup) { return .refused(problem, status: 1) }
            note("\(error.description); cut that row (its run is measured again), the original kept as \(backup)")
            do { return .table(try CSVTable.read(path: path, requireLineEnd: true)) } catch {
                return .refused("cannot resume: \(error.description)", status: 2)
            }
        }
    }

    /// Keeps `path` up to its last line end: the kept part is written to a new file first, so a
    /// disk too full for it leaves the original untouched; then the original is renamed to `backup`.
    static func cutLastLine(of path: String, keepingOriginalAs backup: String) -> String? {
        let text: String
        do { text = try readTextFile(path) } catch { return "\(path): cannot read: \(String(cString: strerror(error.code)))" }
        let bytes = Array(text.utf8)
        let kept = bytes.lastIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }.map { $0 + 1 } ?? 0
        let temporary = path + ".repair.tmp"
        unlink(temporary)
        do { try appendText(String(decoding: bytes[..<kept], as: UTF8.self), to: temporary) } catch {
            unlink(temporary)
            return "\(path): its last row is cut short, and a repaired copy cannot be written (\(error)); nothing was changed"
        }
        guard rename(path, backup) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "\(path): cannot keep the original as \(backup): \(reason); nothing was changed"
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(backup, path)
            return "\(path): cannot replace it with its repaired copy: \(reason); nothing was changed"
        }
        return nil
    }
}
