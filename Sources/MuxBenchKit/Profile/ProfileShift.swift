// Which part of the server's CPU changed between two profiled runs (`mux-bench compare OLD NEW`
// on rows measured with --profile): per point in both, the categories whose median share moved
// most, printed beside the CPU verdict, and a differential folded file of the two sides' stacks
// (`stack OLD_COUNT NEW_COUNT` per line, what difffolded.pl writes and flamegraph.pl draws as a
// differential flame graph), kept beside NEW's profiles.
import Foundation

enum ProfileShift {
    struct Move: Equatable {
        let category: ProfileCategory
        let old: Double
        let new: Double
        var points: Double { new - old }
    }

    /// How many categories a point's line names.
    static let shown = 3

    /// Per point profiled on both sides (in NEW's order): every category's median share on each
    /// side, largest move first. Points without profile shares on either side are left out.
    static func moves(old: [[String: String]], new: [[String: String]]) -> [(point: String, moves: [Move])] {
        func medians(_ rows: [[String: String]], _ point: String) -> [ProfileCategory: Double]? {
            let profiled = rows.filter { $0["point"] == point && !($0["prof_samples"] ?? "").isEmpty }
            guard !profiled.isEmpty else { return nil }
            var result: [ProfileCategory: Double] = [:]
            for category in ProfileCategory.allCases {
                let values = profiled.compactMap { Double($0[category.column] ?? "") }.sorted()
                guard !values.isEmpty else { continue }
                let middle = values.count / 2
                result[category] = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
            }
            return result
        }
        var seen = Set<String>()
        var result: [(String, [Move])] = []
        for point in new.compactMap({ $0["point"] }) where seen.insert(point).inserted {
            guard let before = medians(old, point), let after = medians(new, point) else { continue }
            let moves = ProfileCategory.allCases.map { Move(category: $0, old: before[$0] ?? 0, new: after[$0] ?? 0) }
                .sorted { abs($0.points) != abs($1.points) ? abs($0.points) > abs($1.points) : $0.category.rawValue < $1.category.rawValue }
            result.append((point, moves))
        }
        return result
    }

    /// One line per point: the `shown` largest moves, in share points.
    static func lines(_ moves: [(point: String, moves: [Move])]) -> [String] {
        moves.map { point, moves in
            "profile \(point): " + moves.prefix(shown).map { move in
                let sign = move.points >= 0 ? "+" : "−"
                return "\(move.category.rawValue) \(formatCompactNumber((move.old * 10).rounded() / 10))% → "
                    + "\(formatCompactNumber((move.new * 10).rounded() / 10))% (\(sign)\(formatCompactNumber((abs(move.points) * 10).rounded() / 10)) pts)"
            }.joined(separator: ", ")
        }
    }

    /// The folded stacks of every repetition of `point` in `directory` (`POINT-rREP.folded`), summed.
    static func stacks(of point: String, in directory: String) -> FoldedStacks? {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let mine = files.filter { $0.hasPrefix(point + "-r") && $0.hasSuffix(".folded") }.sorted()
        guard !mine.isEmpty else { return nil }
        let text = mine.compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }.joined()
        return FoldedStacks(folded: text)
    }

    /// `stack OLD NEW` for every stack on either side, heaviest (NEW, then OLD) first; OLD's
    /// counts scaled to NEW's total, so a stack that kept its share shows equal counts.
    static func differential(old: FoldedStacks, new: FoldedStacks) -> String {
        let scale = old.sampleCount > 0 ? Double(new.sampleCount) / Double(old.sampleCount) : 0
        let stacks = Set(old.counts.keys).union(new.counts.keys)
        let rows = stacks.map { ($0, Int((Double(old.counts[$0] ?? 0) * scale).rounded()), new.counts[$0] ?? 0) }
            .sorted { ($0.2, $0.1, $1.0) > ($1.2, $1.1, $0.0) }
        return rows.map { "\($0.0) \($0.1) \($0.2)\n" }.joined()
    }

    /// What `compare` prints after its table: the moves per point, and for each point whose
    /// folded stacks both sides kept, the differential file written beside NEW's profiles
    /// (`NEW-profiles/POINT.vs-OLDNAME.difffolded`). Nothing when neither side was profiled.
    static func report(old: [[String: String]], new: [[String: String]], oldPath: String, newPath: String) -> [String] {
        let moves = moves(old: old, new: new)
        guard !moves.isEmpty else { return [] }
        var lines = lines(moves)
        let oldDirectory = WindowProfile.directory(besides: oldPath)
        let newDirectory = WindowProfile.directory(besides: newPath)
        let oldName = ((oldPath as NSString).lastPathComponent as NSString).deletingPathExtension
        for (point, _) in moves {
            guard let before = stacks(of: point, in: oldDirectory), let after = stacks(of: point, in: newDirectory) else { continue }
            let path = "\(newDirectory)/\(point).vs-\(oldName).difffolded"
            do {
                try differential(old: before, new: after).write(toFile: path, atomically: true, encoding: .utf8)
                lines.append("profile \(point): differential stacks (old scaled to new's samples, new) in \(path)")
            } catch {
                lines.append("profile \(point): cannot write \(path): \(error)")
            }
        }
        return lines
    }
}
