// `mux-bench run --profile` and a sweep's `profile = yes` end to end: real mux-server and mux-load
// over loopback, perf over the window, the row's profile columns and the folded stacks beside the
// CSV; and without perf, one line and a row with empty profile columns, never a failure.
import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit

extension BenchProcessSuites {
    @Suite struct WindowProfileTests {
        let point = ["--backend", "poll", "--connections", "1000", "--active", "20", "--rate", "3000",
                     "--warmup", "200ms", "--duration", "1s"]

        @Test(.enabled(if: perfIsInstalled, "perf is not installed (Debian: apt-get install linux-perf)"))
        func aProfiledRunFillsTheColumnsAndKeepsTheStacks() throws {
            let dir = try makeTemporaryDirectory("profile")
            defer { removeDirectory(dir) }
            let out = "\(dir)/p.csv"
            let run = try runBench(["run"] + point + ["--profile", "--out", out], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            let row = try #require(try readCSV(out).rows.first)
            let samples = try #require(Int(row["prof_samples"] ?? ""), "\(row)")
            #expect(samples > 50, "\(row)")
            let shares = ProfileCategory.allCases.map { Double(row[$0.column] ?? "") ?? -1 }
            #expect(shares.allSatisfy { $0 >= 0 }, "every category has a share: \(row)")
            #expect(abs(shares.reduce(0, +) - 100) < 0.1, "the shares cover every sample: \(shares)")
            #expect((Double(row["prof_readiness_scan_pct"] ?? "") ?? 0) > 30, "poll over 1,000 connections scans: \(row)")

            let folded = WindowProfile.foldedPath(in: "\(dir)/p-profiles", point: try #require(pointOf(row)), repetition: 1)
            let stacks = FoldedStacks(folded: try String(contentsOfFile: folded, encoding: .utf8))
            #expect(stacks.sampleCount == samples, "the folded file holds the row's samples")
            #expect(CategoryFold(stacks).columns["prof_readiness_scan_pct"] == row["prof_readiness_scan_pct"])
            #expect(run.stderr.contains("profile: \(samples) samples at \(PerfProfiler.defaultFrequency) Hz"), "\(run.diagnosis)")
        }

        @Test(.enabled(if: perfIsInstalled, "perf is not installed (Debian: apt-get install linux-perf)"))
        func muxProfileHzSetsTheSamplingFrequency() throws {
            let dir = try makeTemporaryDirectory("profhz")
            defer { removeDirectory(dir) }
            let out = "\(dir)/p.csv"
            var environment = ProcessInfo.processInfo.environment
            environment["MUX_PROFILE_HZ"] = "499"
            let child = try ChildProcess("mux-bench", ["run"] + point + ["--profile", "--out", out], environment: environment)
            while child.readLine(timeout: 90) != nil {}
            let status = child.wait(timeout: 90)
            let stderr = child.standardError()
            #expect(status == 0, "\(stderr)")
            let row = try #require(try readCSV(out).rows.first, "\(stderr)")
            let samples = try #require(Int(row["prof_samples"] ?? ""), "\(row)")
            #expect(stderr.contains("profile: \(samples) samples at 499 Hz"), "\(stderr)")
        }

        @Test func aSamplingFrequencyThatIsNotOneStopsBeforeAnythingIsMeasured() throws {
            let dir = try makeTemporaryDirectory("badhz")
            defer { removeDirectory(dir) }
            let out = "\(dir)/p.csv"
            let child = try ChildProcess("mux-bench", ["run"] + point + ["--profile", "--out", out],
                                         environment: ["MUX_PROFILE_HZ": "fast", "HOME": NSTemporaryDirectory()])
            while child.readLine(timeout: 30) != nil {}
            let status = child.wait(timeout: 30)
            let lines = child.standardError().split(separator: "\n")
            #expect(status == 2, "\(lines)")
            #expect(lines.count == 1 && lines.first?.hasPrefix("mux-bench: MUX_PROFILE_HZ=fast: not a sampling frequency") == true,
                    "one line naming the variable and its value: \(lines)")
            #expect(!FileManager.default.fileExists(atPath: out), "nothing was measured")
        }

        @Test func withoutPerfTheRunGoesOnWithEmptyProfileColumns() throws {
            let dir = try makeTemporaryDirectory("noperf")
            defer { removeDirectory(dir) }
            let out = "\(dir)/p.csv"
            // A PATH with no perf in it (the binaries are found beside mux-bench, not through PATH).
            let child = try ChildProcess("mux-bench", ["run"] + point + ["--profile", "--out", out],
                                         environment: ["PATH": dir, "HOME": NSTemporaryDirectory()])
            var stdout = ""
            while let line = child.readLine(timeout: 90) { stdout += line + "\n" }
            let status = child.wait(timeout: 90)
            let stderr = child.standardError()
            #expect(status == 0, "\(stderr)")
            let noProfile = stderr.split(separator: "\n").filter { $0.contains("no profile") }
            #expect(noProfile.count == 1, "one clear line: \(stderr)")
            #expect(noProfile.first?.contains("perf is not installed") == true, "\(stderr)")
            let row = try #require(try readCSV(out).rows.first, "the row is measured: \(stderr)")
            #expect(Int(row["requests"] ?? "") ?? 0 > 0)
            for column in ProfileCategories.columns { #expect(row[column] == "", "\(column) empty: \(row)") }
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/p-profiles"))
        }

        @Test(.enabled(if: perfIsInstalled, "perf is not installed (Debian: apt-get install linux-perf)"))
        func aSweepWithProfileYesProfilesEveryPoint() throws {
            let dir = try makeTemporaryDirectory("profsweep")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "prof", shortSweep(backends: "epoll-lt", connections: "50") + "\nprofile = yes\n")
            let run = try runBench(["sweep", sweep, "--results", dir, "--no-plot"], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            let row = try #require(try readCSV("\(dir)/prof.csv").rows.first)
            #expect(Int(row["prof_samples"] ?? "") ?? 0 > 0, "\(row)")
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/prof-profiles")
            #expect(files.count == 1 && files.first?.hasSuffix("-r1.folded") == true, "\(files)")
            let summary = try #require(try readCSV("\(dir)/prof-summary.csv").rows.first)
            #expect(Double(summary["prof_epoll_pct_median"] ?? "") != nil, "the summary carries each share's median: \(summary)")
        }

        /// The point a row names, rebuilt from its parameters for its folded file's name.
        func pointOf(_ row: [String: String]) -> SweepPoint? {
            guard let connections = Int(row["connections"] ?? ""), let active = Int(row["active"] ?? ""),
                  let rate = Double(row["rate_target_rps"] ?? "") else { return nil }
            var point = SweepPoint(sweep: row["sweep"] ?? "", backend: row["backend"] ?? "", connections: connections, active: active)
            point.rate = .perSecond(rate)
            return point.id == row["point"] ? point : nil
        }
    }
}
