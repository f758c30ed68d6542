// What a point measured with `--profile` (or a sweep's `profile = yes`) does around its window:
// PerfProfiler attached before traffic, sampling over the window only, then the stacks folded,
// written beside the CSV and summed into the row's profile columns. Any trouble is one note and
// empty columns; the row itself is never lost to it.
import Foundation
import MuxMetrics

final class WindowProfile {
    private let profiler: PerfProfiler
    private let foldedPath: String
    private let serverName: String

    /// Where a point's folded stacks go: `DIRECTORY/POINT-rREP.folded`.
    static func foldedPath(in directory: String, point: SweepPoint, repetition: Int) -> String {
        "\(directory)/\(point.id)-r\(repetition).folded"
    }

    /// The profiles' directory beside a results CSV: `results/NAME.csv` → `results/NAME-profiles`.
    public static func directory(besides csvPath: String) -> String {
        (csvPath.hasSuffix(".csv") ? String(csvPath.dropLast(4)) : csvPath) + "-profiles"
    }

    /// Attaches to `pids` (the server's processes) or returns nil after one note saying why.
    /// With `serverCPUs` (where the server is pinned) perf samples those CPUs (PerfProfiler).
    static func attach(to pids: [Int32], serverName: String, serverCPUs: [Int]? = nil, perfCPUs: [Int]?, foldedPath: String,
                       notes: inout [String]) -> WindowProfile? {
        let (profiler, reason) = PerfProfiler.attach(to: pids, serverCPUs: serverCPUs, pinTo: perfCPUs)
        guard let profiler else {
            notes.append("no profile of \(serverName) (profile columns left empty): \(reason ?? "perf did not start")")
            return nil
        }
        return WindowProfile(profiler: profiler, foldedPath: foldedPath, serverName: serverName)
    }

    private init(profiler: PerfProfiler, foldedPath: String, serverName: String) {
        self.profiler = profiler
        self.foldedPath = foldedPath
        self.serverName = serverName
    }

    /// At the window's start.
    func beginWindow(notes: inout [String]) {
        if !profiler.enable() { notes.append("profile: perf did not acknowledge enable") }
    }

    /// At the window's end.
    func endWindow(notes: inout [String]) {
        if !profiler.disable() { notes.append("profile: perf did not acknowledge disable") }
    }

    /// After the window: the stacks folded and written to `foldedPath`, the category columns
    /// into `row`; on failure, empty columns and a note.
    func finish(into row: inout [String: String], notes: inout [String]) {
        row.merge(CategoryFold.emptyColumns) { current, _ in current }
        let stacks: FoldedStacks
        do { stacks = try profiler.finish() } catch {
            notes.append("no profile of \(serverName) (profile columns left empty): \(error)")
            return
        }
        let fold = CategoryFold(stacks)
        row.merge(fold.columns) { $1 }
        let directory = (foldedPath as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try stacks.text.write(toFile: foldedPath, atomically: true, encoding: .utf8)
        } catch {
            notes.append("profile: cannot write \(foldedPath): \(error)")
        }
        let top = ProfileCategory.allCases.map { ($0, fold.percent($0)) }.filter { $0.1 >= 0.5 }
            .sorted { $0.1 > $1.1 }.map { "\($0.0.rawValue) \(formatCompactNumber(($0.1 * 10).rounded() / 10))%" }
        let cost = profiler.perfCPUSeconds.map { ", perf record used \(formatCompactNumber(($0 * 100).rounded() / 100)) s CPU" } ?? ""
        notes.append("profile: \(fold.total) samples at \(profiler.frequency) Hz (\(top.joined(separator: ", ")))\(cost); stacks in \(foldedPath)")
    }
}
