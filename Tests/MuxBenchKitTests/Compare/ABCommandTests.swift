import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit

/// A folder for `--base-build`/`--head-build`: links to the real mux-server and mux-load, or a
/// mux-server wrapper that appends `extraServerArguments` (the last value of an option wins).
private func buildFolder(_ parent: String, _ name: String, extraServerArguments: String? = nil) throws -> String {
    let folder = "\(parent)/\(name)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let products = productsDirectory()
    try FileManager.default.createSymbolicLink(atPath: "\(folder)/mux-load", withDestinationPath: "\(products)/mux-load")
    if let extra = extraServerArguments {
        try "#!/bin/sh\nexec '\(products)/mux-server' \"$@\" \(extra)\n".write(toFile: "\(folder)/mux-server", atomically: true, encoding: .utf8)
        chmod("\(folder)/mux-server", 0o755)
    } else {
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/mux-server", withDestinationPath: "\(products)/mux-server")
    }
    return folder
}

private let tinySweep = """
    # written by a test: one short point
    backends    = epoll-et
    connections = 20
    active      = 10
    warmup      = 200ms
    duration    = 400ms
    repetitions = 2
    """

/// ab judges CPU per request at 2% (interleaved blocks are tighter), compare at 3%; the rest alike.
@Test func ab_judges_cpu_per_request_tighter_than_compare() {
    let ab = Dictionary(uniqueKeysWithValues: ABCommand.figures.map { ($0.name, $0) })
    let compare = Dictionary(uniqueKeysWithValues: JudgedFigure.defaults.map { ($0.name, $0) })
    #expect(ab["server_cpu_us_per_req"]?.threshold == 0.02 && compare["server_cpu_us_per_req"]?.threshold == 0.03)
    #expect(ab["server_cpu_us_per_req"]?.gated == true && ab["sc_per_req"] == compare["sc_per_req"])
    #expect(ABCommand.parser.summary.contains("cpu/req 2% (gated)"), "\(ABCommand.parser.summary)")
}

extension BenchProcessSuites {
    @Suite struct ABCommandTests {
        @Test func bad_input_exits_2_before_anything_runs() throws {
            let dir = try makeTemporaryDirectory("ab-usage")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "tiny", tinySweep)
            let good = try buildFolder(dir, "good")
            let cases: [([String], String)] = [
                ([sweep], "--base REV (or --base-build DIR) is required"),
                (["--base", "HEAD", "--base-build", good, sweep], "exclude each other"),
                (["--base-build", "\(dir)/nowhere", sweep], "nowhere/mux-server: no such executable"),
                (["--base-build", good, "--head-build", dir, sweep], "--head-build: \(dir)/mux-server"),
                (["--base-build", good, "--blocks", "0", sweep], "--blocks"),
                (["--base-build", good, "--gate", "speed", sweep], "unknown figure 'speed'"),
                (["--base-build", good, "--max-steal", "lots", sweep], "--max-steal: expected a percentage"),
                (["--base-build", good, "--blocks", "4", "--max-blocks", "3", sweep], "--max-blocks 3 is below the 4 blocks"),
                (["--base-build", good, "\(dir)/missing.sweep"], "missing.sweep"),
                (["--base", "no-such-revision-\(getpid())", sweep], "git does not know revision"),
            ]
            for (arguments, message) in cases {
                let run = try runBench(["ab", "--results", "\(dir)/results"] + arguments)
                #expect(run.status == 2, "\(run.diagnosis)")
                #expect(run.stderr.contains(message) && !run.stderr.contains("block 1"), "\(run.diagnosis)")
            }
        }

        /// The head's server is told to reply only when the socket reports writable (the tutorials'
        /// pattern): two more epoll_ctl per request, +50-66% syscalls per request in every block.
        /// Eight blocks: one-sided exact p = 2⁻⁸ (2⁻ⁿ for the n complete blocks, should a starved
        /// machine give a run without requests), Holm over the 2 gated tests ≤ 2/64: regressed, exit 3. That
        /// the regression shows at all proves each side ran its own folder's mux-server.
        @Test func a_syscall_regression_is_caught_with_prebuilt_folders() throws {
            let dir = try makeTemporaryDirectory("ab-regress")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "tiny", tinySweep)
            let base = try buildFolder(dir, "base")
            let head = try buildFolder(dir, "head", extraServerArguments: "--write-mode on-writable")
            // --max-steal off: a steal episode on the test machine must not change the block count.
            let run = try runBench(["ab", "--base-build", base, "--head-build", head, "--blocks", "8", "--max-steal", "off",
                                    "--results", "\(dir)/results", sweep], timeout: 300)
            #expect(run.status == 3, "\(run.diagnosis)")
            let line = run.stdout.split(separator: "\n").first { $0.contains("\"figure\":\"sc_per_req\"") } ?? ""
            let blocks = Int(line.split(separator: ",").first { $0.hasPrefix("\"blocks\":") }?.dropFirst(9) ?? "") ?? 0
            #expect(line.contains("\"verdict\":\"regressed\"") && blocks >= 6 && line.contains("\"p\":\(formatCompactNumber(pow(2, -Double(blocks))))"),
                    "\(run.diagnosis)")
            #expect(run.stderr.contains("REGRESSED") && run.stderr.contains("[32/32]"), "\(run.diagnosis)")
            // Both raw CSVs hold 16 rows (2 per block), readable by `mux-bench compare`.
            let baseRows = try readCSV("\(dir)/results/tiny-ab-base.csv").rows
            let headRows = try readCSV("\(dir)/results/tiny-ab-head.csv").rows
            #expect(baseRows.count == 16 && headRows.count == 16, "base \(baseRows.count), head \(headRows.count) rows: \(run.diagnosis)")
            #expect(baseRows.allSatisfy { $0["commit"] == "build:\(base)" })
            let compare = try runBench(["compare", "\(dir)/results/tiny-ab-base.csv", "\(dir)/results/tiny-ab-head.csv"])
            #expect(compare.status == 3 && compare.stderr.contains("syscalls/req"), "\(compare.diagnosis)")
        }

        /// A block whose runs saw steal time at or above --max-steal is set aside for the figures
        /// steal moves, and another run in its place, up to --max-blocks. With a bound of 0% every
        /// block qualifies (steal_pct is never negative): both blocks run, CPU per request is left
        /// unjudged and said so (unknown, exit 0), while syscalls per request, which steal does not
        /// move, is judged on both blocks. Every run's row is still in the CSVs.
        @Test func blocks_measured_under_steal_are_set_aside_and_replaced() throws {
            let dir = try makeTemporaryDirectory("ab-steal")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "tiny", tinySweep)
            let same = try buildFolder(dir, "same")
            let run = try runBench(["ab", "--base-build", same, "--head-build", same, "--blocks", "1", "--max-blocks", "2",
                                    "--max-steal", "0", "--results", "\(dir)/results", sweep], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("block 2: 1 point(s) short of 1 clean blocks"), "\(run.diagnosis)")
            #expect(run.stderr.contains("no clean block for epoll-et") && run.stderr.contains("cpu/req: all 2 complete ones were set aside"),
                    "\(run.diagnosis)")
            #expect(!run.stdout.contains("\"figure\":\"server_cpu_us_per_req\""), "\(run.diagnosis)")
            #expect(run.stdout.contains("\"figure\":\"sc_per_req\",\"gated\":true,\"blocks\":2,\"set_aside\":0"), "\(run.diagnosis)")
            #expect(run.stdout.contains("\"unknown\":2"), "\(run.diagnosis)")
            #expect(try readCSV("\(dir)/results/tiny-ab-base.csv").rows.count == 4, "\(run.diagnosis)")
            #expect(try readCSV("\(dir)/results/tiny-ab-head.csv").rows.count == 4, "\(run.diagnosis)")
        }

        /// The same build against itself, one block: nothing can be significant; exit 0.
        @Test func a_against_a_exits_0() throws {
            let dir = try makeTemporaryDirectory("ab-aa")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "tiny", tinySweep)
            let same = try buildFolder(dir, "same")
            let run = try runBench(["ab", "--base-build", same, "--head-build", same, "--max-steal", "off",
                                    "--results", "\(dir)/results", sweep], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("no change can be significant") && !run.stderr.contains("REGRESSED"), "\(run.diagnosis)")
            #expect(run.stdout.contains("\"type\":\"ab-summary\"") && run.stdout.contains("\"regressed\":0"), "\(run.diagnosis)")
        }
    

        /// With --profile each side's runs keep their stacks beside its CSV, and the report says
        /// which categories moved (A against A: they barely do, but every point gets its line).
        @Test(.enabled(if: perfIsInstalled, "perf is not installed (Debian: apt-get install linux-perf)"))
        func profiled_ab_says_which_categories_moved() throws {
            let dir = try makeTemporaryDirectory("ab-profile")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "tiny", tinySweep)
            let same = try buildFolder(dir, "same")
            let run = try runBench(["ab", "--base-build", same, "--head-build", same, "--blocks", "1", "--max-steal", "off",
                                    "--profile", "--results", "\(dir)/results", sweep], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderrLines.contains { $0.hasPrefix("profile epoll-et-c20-a10") && $0.contains("% → ") }, "\(run.diagnosis)")
            for side in ["base", "head"] {
                let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/results/tiny-ab-\(side)-profiles")
                #expect(files.filter { $0.hasSuffix(".folded") }.count == 2, "two runs per side per block: \(files)")
                #expect(try readCSV("\(dir)/results/tiny-ab-\(side).csv").rows.allSatisfy { !($0["prof_samples"] ?? "").isEmpty })
            }
            #expect(FileManager.default.fileExists(atPath: "\(dir)/results/tiny-ab-head-profiles/epoll-et-c20-a10-b64-echo-immediate-p1-closed-t1.vs-tiny-ab-base.difffolded"),
                    "\(run.diagnosis)")
        }
    }
}
