// `mux-bench compare OLD NEW` on profiled rows: the categories that moved most, beside the
// CPU verdict, and a differential folded file from the two sides' stacks.
import Foundation
import MuxMetrics
import Testing
@testable import MuxBenchKit

@Suite struct ProfileShiftTests {
    let point = SweepPoint(sweep: "t", backend: "poll", connections: 5000, active: 100)

    /// Six repetitions of `point` at `cpu` µs per request with these shares (the rest `other`).
    func rows(cpu: Double, shares: [ProfileCategory: Double]) -> [[String: String]] {
        (1...6).map { rep in
            var row = Dictionary(uniqueKeysWithValues: ResultsSchema.columns.map { ($0, "") })
            row.merge(point.rowParameters) { _, new in new }
            row["rep"] = "\(rep)"
            row["server_cpu_us_per_req"] = formatCompactNumber(cpu * (1 + Double(rep) / 1000))
            row["sc_per_req"] = "2.03"
            row["throughput_rps"] = "10000"
            row["prof_samples"] = "1000"
            let named = shares.values.reduce(0, +)
            for category in ProfileCategory.allCases {
                row[category.column] = formatCompactNumber(category == .other ? 100 - named : shares[category] ?? 0)
            }
            return row
        }
    }

    @Test func theLargestMovesComeFirst() {
        let old = rows(cpu: 60, shares: [.readinessScan: 80, .tcpRx: 8, .wakeupSched: 3])
        let new = rows(cpu: 30, shares: [.readinessScan: 40, .tcpRx: 30, .wakeupSched: 20])
        let moves = ProfileShift.moves(old: old, new: new)
        #expect(moves.count == 1 && moves.first?.point == point.id)
        #expect(moves.first?.moves.prefix(3).map(\.category) == [.readinessScan, .tcpRx, .wakeupSched])
        #expect(moves.first?.moves.first?.points == -40)
    }

    @Test func theDifferentialScalesOldToNewsSamples() {
        let old = FoldedStacks(folded: "s;a 10\n")
        let new = FoldedStacks(folded: "s;a 10\ns;b 10\n")
        #expect(ProfileShift.differential(old: old, new: new) == "s;a 20 10\ns;b 0 10\n")
    }

    @Test func compareSaysWhichPartMovedAndKeepsTheDifferentialStacks() throws {
        let dir = try makeTemporaryDirectory("shift")
        defer { removeDirectory(dir) }
        let (oldPath, newPath) = ("\(dir)/old.csv", "\(dir)/new.csv")
        try CSVTable(header: ResultsSchema.columns, rows: rows(cpu: 60, shares: [.readinessScan: 80, .tcpRx: 8])).write(to: oldPath)
        try CSVTable(header: ResultsSchema.columns, rows: rows(cpu: 30, shares: [.readinessScan: 40, .tcpRx: 30])).write(to: newPath)
        for (side, stacks) in [("old", "mux-server;do_sys_poll_[k];sock_poll_[k] 80\nmux-server;ksys_read_[k] 20\n"),
                               ("new", "mux-server;do_sys_poll_[k];sock_poll_[k] 40\nmux-server;ksys_read_[k] 60\n")] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(side)-profiles", withIntermediateDirectories: true)
            try stacks.write(toFile: "\(dir)/\(side)-profiles/\(point.id)-r1.folded", atomically: true, encoding: .utf8)
        }
        let run = try runBench(["compare", oldPath, newPath])
        let moved = try #require(run.stderrLines.first { $0.hasPrefix("profile \(point.id): readiness_scan") }, "\(run.diagnosis)")
        #expect(moved.contains("80% → 40% (−40 pts)") && moved.contains("tcp_rx 8% → 30% (+22 pts)"), "\(moved)")
        let differential = try String(contentsOfFile: "\(dir)/new-profiles/\(point.id).vs-old.difffolded", encoding: .utf8)
        #expect(differential == "mux-server;ksys_read_[k] 20 60\nmux-server;do_sys_poll_[k];sock_poll_[k] 80 40\n")
    }
}
