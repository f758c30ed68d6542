import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// `mux-bench sweep FILE` on real processes: rows appended as measured, a summary row per point,
/// skipped points kept, `--resume` redoing exactly what is missing, Ctrl-C losing nothing.
extension BenchProcessSuites {
    @Suite struct SweepCommandTests {
        @Test func sweepAppendsRowsAndWritesTheSummary() throws {
            let sweep = try SweepFolder("two", shortSweep(backends: "poll epoll-et", connections: "50"))
            defer { sweep.remove() }
            let run = try sweep.run(["--order", "sequential"])
            #expect(run.status == 0, "\(run.diagnosis)")
            let rows = try sweep.rows()
            #expect(rows.map { $0["backend"] } == ["poll", "epoll-et"], "\(run.diagnosis)")
            #expect(rows.allSatisfy { $0["order_seed"] == "" }, "sequential order has no seed")
            #expect(rows.allSatisfy { $0["sweep"] == "two" && $0["connections"] == "50" && $0["active"] == "10" })
            #expect(rows.allSatisfy { (Double($0["requests"] ?? "") ?? 0) > 0 && $0["errors"] == "0" },
                    "\(rows.map { "\($0["backend"] ?? ""): requests \($0["requests"] ?? ""), errors \($0["errors"] ?? "")" }): \(run.diagnosis)")
            let summary = try sweep.summary()
            #expect(summary.header == ResultsSchema.summaryColumns)
            #expect(summary.rows.count == 2, "one row per point")
            #expect(summary.rows.map { $0["point"] } == rows.map { $0["point"] })
            #expect(summary.rows.allSatisfy { $0["status"] == "ok" && $0["reps"] == "1" })
            #expect(summary.rows.allSatisfy { $0["throughput_rps_median"] == $0["throughput_rps_min"] }, "one rep: median = min")
            #expect(run.stderr.contains("[1/2]") && run.stderr.contains("[2/2]"), "one progress line per run: \(run.diagnosis)")
            let pngs = try FileManager.default.contentsOfDirectory(atPath: sweep.results).filter { $0.hasSuffix(".png") }
            #expect(pngs.isEmpty, "--no-plot renders nothing")
        }

        /// The sweep says which binaries it measures (paths, build times) and which commit, and
        /// every row's `commit` is that of the checkout the binaries were built in.
        @Test func sweepReportsTheBinariesAndTheCommitItMeasures() throws {
            let sweep = try SweepFolder("bin", shortSweep(backends: "epoll-lt", connections: "20"))
            defer { sweep.remove() }
            let run = try sweep.run()
            #expect(run.status == 0, "\(run.diagnosis)")
            for product in ["mux-server", "mux-load"] {
                let path = URL(fileURLWithPath: executablePath(product)).resolvingSymlinksInPath().path
                #expect(run.stderr.contains("measuring: \(path) (built 20"), "\(product): \(run.diagnosis)")
            }
            // The checkout these tests (and so the binaries) come from, asked of git directly.
            let root = repositoryRoot
            let head = try git(["-C", root, "rev-parse", "--short", "HEAD"])
            let dirty = try git(["-C", root, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"])
            // A checkout without git (an exported tarball) has no commit to claim.
            let commit = head.isEmpty ? "" : head + (dirty.isEmpty ? "" : "+dirty")
            #expect(run.stderr.contains("commit:    \(head.isEmpty ? "unknown (no git)" : commit) (\(root))"), "\(run.diagnosis)")
            let rows = try sweep.rows()
            #expect(rows.count == 1 && rows.allSatisfy { $0["commit"] == commit }, "\(rows.map { $0["commit"] ?? "" })")
            #expect(rows.allSatisfy { !($0["server_cpus"] ?? "").isEmpty && !($0["load_cpus"] ?? "").isEmpty })
            #expect(rows.allSatisfy { $0["threads"] == "1" && $0["max_events"] == "1024" })
        }

        @Test func selectBeyondItsLimitIsSkippedAndTheOthersRun() throws {
            let sweep = try SweepFolder("skip", shortSweep(backends: "select poll", connections: "50 2000"))
            defer { sweep.remove() }
            let run = try sweep.run(["--order", "sequential"])
            #expect(run.status == 0, "a skipped point is not a failure: \(run.diagnosis)")
            let rows = try sweep.rows()
            #expect(rows.map { "\($0["backend"]!)-\($0["connections"]!)" } == ["select-50", "poll-50", "poll-2000"], "\(run.diagnosis)")
            let summary = try sweep.summary().rows
            #expect(summary.count == 4, "every point has a summary row")
            let skipped = try #require(summary.first { $0["backend"] == "select" && $0["connections"] == "2000" })
            #expect(skipped["status"] == "skipped")
            #expect(skipped["reps"] == "0")
            #expect(skipped["reason"]?.contains("FD_SETSIZE") == true, "\(skipped)")
            #expect(summary.filter { $0["status"] == "ok" }.count == 3)
            #expect(run.stderr.contains("skipped select-c2000"), "\(run.diagnosis)")
        }

        @Test func resumeRedoesExactlyTheMissingRuns() throws {
            let dir = try makeTemporaryDirectory("resume")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "res", shortSweep(backends: "poll epoll-et", connections: "30"))
            let results = "\(dir)/results"
            let csv = "\(results)/res.csv"
            let first = try runBench(["sweep", file, "--results", results, "--no-plot"])
            #expect(first.status == 0, "\(first.diagnosis)")
            let measured = try lines(of: csv)
            #expect(measured.count == 3, "header and two rows")

            let again = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(again.status == 0, "\(again.diagnosis)")
            #expect(again.stderr.contains("0 runs to do") && again.stderr.contains("2 already measured"), "\(again.diagnosis)")
            #expect(try lines(of: csv) == measured, "nothing re-run")
            #expect(!again.stderr.contains("[1/"), "no run started: \(again.diagnosis)")
            #expect(try readCSV("\(results)/res-summary.csv").rows.count == 2)

            // The last run lost: exactly that one is measured again.
            try (measured.dropLast().joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
            let redo = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(redo.status == 0, "\(redo.diagnosis)")
            #expect(redo.stderr.contains("1 runs to do") && redo.stderr.contains("1 already measured"), "\(redo.diagnosis)")
            let after = try lines(of: csv)
            #expect(after.count == 3)
            #expect(Array(after.prefix(2)) == Array(measured.prefix(2)), "earlier rows untouched")
            let redone = try CSVTable.parse(after[0] + "\n" + after[2] + "\n").rows[0]
            let lost = try CSVTable.parse(measured[0] + "\n" + measured[2] + "\n").rows[0]
            #expect(redone["point"] == lost["point"] && redone["rep"] == lost["rep"])
            #expect(redone["started_at"] != nil && redone != lost, "measured anew")
        }

        /// Rounds: every point once per round in the order the seed gives, the seed in every row;
        /// `--resume` without `--seed` takes the recorded seed and redoes exactly the lost run.
        @Test func roundsFollowTheRecordedSeedAndResumeKeepsIt() throws {
            let dir = try makeTemporaryDirectory("rounds")
            defer { removeDirectory(dir) }
            let text = shortSweep(backends: "poll epoll-et", connections: "20 40", active: "5", duration: "300ms", repetitions: 2)
            let file = try writeSweep(dir, "rnd", text)
            let results = "\(dir)/results"
            let csv = "\(results)/rnd.csv"
            let run = try runBench(["sweep", file, "--results", results, "--no-plot", "--seed", "1234"])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("--seed 1234"), "the seed is said: \(run.diagnosis)")
            let expected = Array(SweepOrder.rounds(seed: 1234).runs(of: try SweepSpec.parse(text, path: file).points(), repetitions: 2))
            let rows = try readCSV(csv).rows
            #expect(rows.map { "\($0["point"]!)#\($0["rep"]!)" } == expected.map { "\($0.point.id)#\($0.rep)" }, "\(run.diagnosis)")
            #expect(rows.allSatisfy { $0["order_seed"] == "1234" })

            // Lose a run of the first round: resuming (no --seed) redoes it alone, under the recorded seed.
            let measured = try lines(of: csv)
            try ([measured[0]] + measured[1...].enumerated().filter { $0.offset != 1 }.map(\.element))
                .joined(separator: "\n").appending("\n").write(toFile: csv, atomically: true, encoding: .utf8)
            let again = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(again.status == 0, "\(again.diagnosis)")
            #expect(again.stderr.contains("1 runs to do") && again.stderr.contains("--seed 1234"), "\(again.diagnosis)")
            let redone = try readCSV(csv).rows
            #expect(redone.count == 8)
            #expect(redone.last?["point"] == expected[1].point.id && redone.last?["rep"] == "1", "the lost run, measured anew")
            #expect(redone.allSatisfy { $0["order_seed"] == "1234" })
        }

        /// A tiny real search: every probe a row marked as a probe under the point's search id,
        /// the answer (the sustained full-window confirmation) a row of the summary.
        @Test func searchAppendsProbesAndPutsTheAnswerInTheSummary() throws {
            let dir = try makeTemporaryDirectory("search")
            defer { removeDirectory(dir) }
            let text = searchSweep(start: "2k")
            let file = try writeSweep(dir, "find", text)
            let results = "\(dir)/results"
            let run = try runBench(["sweep", file, "--results", results, "--no-plot"], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            let point = try #require(try SweepSpec.parse(text, path: file).points().first)
            let rows = try readCSV("\(results)/find.csv").rows
            #expect(rows.first?["point"] == point.id && rows.first?["probe"] == "", "the ladder's row first: \(run.diagnosis)")
            let probes = Array(rows.dropFirst())
            #expect(probes.count >= 2, "\(run.diagnosis)")
            #expect(probes.allSatisfy { $0["point"] == point.searchID }, "probes are filed under the search id")
            #expect(probes.allSatisfy { ($0["probe"] ?? "").contains("/") && !($0["rate_target_rps"] ?? "").isEmpty })
            #expect(probes.first?["probe"]?.hasPrefix("bracket/") == true && probes.first?["rate_target_rps"] == "2000")
            let shortWindows = probes.filter { !($0["probe"] ?? "").hasPrefix("confirm/") }
            #expect(shortWindows.allSatisfy { $0["duration_s"] == "0.3" && $0["warmup_s"] == "0.1" })
            let summary = try readCSV("\(results)/find-summary.csv").rows
            #expect(summary.first?["point"] == point.id && summary.first?["max_sustainable_rps"] == "")
            let answer = try #require(summary.first { $0["point"] == point.searchID }, "a summary row for the search: \(run.diagnosis)")
            #expect(summary.first?["row_kind"] == "point" && summary.first?["search_outcome"] == "")
            #expect(answer["row_kind"] == "search" && answer["search_metric"] == "p99" && answer["search_bound_us"] == "50000", "\(answer)")
            let limited = probes.filter { $0["probe"]?.hasSuffix("/client-limited") == true }.count
            #expect(answer["search_client_limited_probes"] == String(limited), "\(answer)")
            if let confirmed = probes.last(where: { $0["probe"] == "confirm/sustained" }) {
                #expect(answer["status"] == "ok" && answer["max_sustainable_rps"] == confirmed["rate_target_rps"], "\(answer)")
                #expect(answer["search_outcome"] == "answered", "\(answer)")
                #expect(answer["reason"]?.hasPrefix("search (p99 ≤ 50000 µs): max sustainable rate") == true, "\(answer)")
                #expect(run.stderr.contains("max sustainable rate \(confirmed["rate_target_rps"]!) req/s"), "\(run.diagnosis)")
            } else {
                #expect(answer["status"] == "skipped" && answer["max_sustainable_rps"] == "", "\(answer)")
                // A failed probe leaves no row; the outcome tells the two endings apart.
                #expect(["none", "failed"].contains(answer["search_outcome"] ?? ""), "\(answer)")
                #expect(answer["reason"]?.hasPrefix("search (p99 ≤ 50000 µs):") == true, "\(answer)")
            }
        }

        /// A full disk mid-sweep (a real 64 KiB tmpfs, filled but for a page): the sweep stops
        /// with the rows before intact and no part of the row that did not fit; once there is room,
        /// `--resume` measures exactly the runs that are missing, under the same seed.
        @Test func aDiskThatFillsMidSweepLosesNothingAndResumeFinishesIt() throws {
            let dir = try makeTemporaryDirectory("fulldisk")
            defer { removeDirectory(dir) }
            let disk = try SmallDisk(size: "64k", label: "sweep")
            defer { disk.unmount() }
            let text = shortSweep(backends: "poll epoll-lt epoll-et", connections: "10 20 30 40", active: "5", duration: "300ms")
            let file = try writeSweep(dir, "full", text)
            let results = disk.path + "/results"
            try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
            try disk.fill(leaving: 4096)
            let first = try runBench(["sweep", file, "--results", results, "--no-plot", "--seed", "77"])
            #expect(first.status == 1, "the disk filled: \(first.diagnosis)")
            #expect(first.stderr.contains("No space left on device"), "\(first.diagnosis)")
            let csv = "\(results)/full.csv"
            let cut = try String(contentsOfFile: csv, encoding: .utf8)
            #expect(cut.hasSuffix("\n"), "no part of a row left behind")
            let kept = try CSVTable.read(path: csv, requireLineEnd: true).rows
            #expect(kept.count >= 1 && kept.count < 12, "some rows fitted, not all: \(first.diagnosis)")

            disk.removeFiller()
            let again = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(again.status == 0, "\(again.diagnosis)")
            #expect(again.stderr.contains("\(12 - kept.count) runs to do, \(kept.count) already measured"), "\(again.diagnosis)")
            #expect(again.stderr.contains("--seed 77"), "the recorded seed: \(again.diagnosis)")
            let rows = try readCSV(csv).rows
            #expect(Array(rows.prefix(kept.count)) == kept, "the rows before are untouched")
            #expect(Set(rows.map { "\($0["point"]!)#\($0["rep"]!)" }).count == 12 && rows.count == 12, "each run once")
            #expect(try readCSV("\(results)/full-summary.csv").rows.count == 12)
        }

        /// What a full disk left before appends became all-or-nothing (or a writer killed mid-row
        /// leaves): a last row cut short. `--resume` cuts that row, keeps the original beside the
        /// file, says so with file:line, and redoes that run alone under the recorded seed; damage
        /// in the middle is refused with file:line, and nothing is measured.
        @Test func resumeCutsALastRowCutShortAndRefusesDamageInTheMiddle() throws {
            let dir = try makeTemporaryDirectory("cutrow")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "cut", shortSweep(backends: "poll epoll-et", connections: "20", active: "5", duration: "300ms"))
            let results = "\(dir)/results"
            let csv = "\(results)/cut.csv"
            let first = try runBench(["sweep", file, "--results", results, "--no-plot", "--seed", "4321"])
            #expect(first.status == 0, "\(first.diagnosis)")
            let whole = try String(contentsOfFile: csv, encoding: .utf8)
            let measured = try lines(of: csv)
            #expect(measured.count == 3)
            let damaged = String(whole.dropLast(measured[2].count / 2))
            try damaged.write(toFile: csv, atomically: true, encoding: .utf8)

            let again = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(again.status == 0, "\(again.diagnosis)")
            #expect(again.stderr.contains("\(csv):3: the last row is cut short"), "file:line: \(again.diagnosis)")
            #expect(again.stderr.contains("1 runs to do, 1 already measured") && again.stderr.contains("--seed 4321"), "\(again.diagnosis)")
            let backups = try FileManager.default.contentsOfDirectory(atPath: results).filter { $0.hasPrefix("cut.csv.damaged-") }
            #expect(backups.count == 1, "\(backups)")
            if let backup = backups.first {
                #expect(try String(contentsOfFile: "\(results)/\(backup)", encoding: .utf8) == damaged, "the original, kept as it was")
                #expect(again.stderr.contains("\(results)/\(backup)"), "says where: \(again.diagnosis)")
            }
            let after = try lines(of: csv)
            #expect(after.count == 3 && Array(after.prefix(2)) == Array(measured.prefix(2)), "\(after)")
            let redone = try CSVTable.parse(after[0] + "\n" + after[2] + "\n").rows[0]
            #expect(try redone["point"] == CSVTable.parse(measured[0] + "\n" + measured[2] + "\n").rows[0]["point"])
            #expect(redone["order_seed"] == "4321")

            // A row damaged in the middle: refused, file:line, exit 2, the file untouched.
            let middle = [after[0], String(after[1].prefix(after[1].count / 2)), after[2]].joined(separator: "\n") + "\n"
            try middle.write(toFile: csv, atomically: true, encoding: .utf8)
            let refused = try runBench(["sweep", file, "--results", results, "--no-plot", "--resume"])
            #expect(refused.status == 2, "\(refused.diagnosis)")
            #expect(refused.stderrLines.count == 1 && refused.stderr.contains("\(csv):2: expected"), "\(refused.diagnosis)")
            #expect(try String(contentsOfFile: csv, encoding: .utf8) == middle)

            // The other readers say the same about a cut-short file, with file:line, exit 2.
            try damaged.write(toFile: csv, atomically: true, encoding: .utf8)
            let compare = try runBench(["compare", csv, csv])
            #expect(compare.status == 2 && compare.stderr.contains("\(csv):3: the last row is cut short"), "\(compare.diagnosis)")
            let summary = "\(results)/cut-summary.csv"
            let summaryText = try String(contentsOfFile: summary, encoding: .utf8)
            try String(summaryText.dropLast(40)).write(toFile: summary, atomically: true, encoding: .utf8)
            let check = try runBench(["check", "--baseline", "\(dir)/none.json", "--update", summary])
            #expect(check.status == 2 && check.stderr.contains("\(summary):3: the last row is cut short"), "\(check.diagnosis)")
        }

        /// A 13-line file of 76,800 points × 1,000 repetitions, as the probe wrote: before, the
        /// sweep built its whole run list (killed at ~24 GB, nothing printed). Now, under a 2 GB
        /// address-space limit, it says its size in one line and refuses (exit 2) before touching
        /// anything; with --yes it starts measuring and still stops on SIGTERM, keeping its rows.
        static let huge = """
        backends    = poll epoll-lt epoll-et select
        connections = 10 20 30 40 50 60 70 80 90 100 110 120 130 140 150 160 170 180 190 200
        active      = 1
        payload     = 16 64 256 1024
        protocol    = echo http
        mode        = immediate on-writable
        pipeline    = 1 2 4
        threads     = 1 2
        max-events  = 64 128 256 512 1024
        rate        = 1k 2k
        warmup      = 100ms
        duration    = 200ms
        repetitions = 1000
        """

        @Test func aHugeSweepSaysItsSizeAndNeedsYesWithoutEatingTheMachine() throws {
            let dir = try makeTemporaryDirectory("huge")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "huge", Self.huge)
            let results = "\(dir)/results"
            let bench = executablePath("mux-bench")
            let limited = "ulimit -v 2000000; exec \(bench) sweep \(file) --results \(results) --no-plot"
            let refused = try runToCompletion("/bin/sh", ["-c", limited], timeout: 60)
            #expect(refused.status == 2, "exit \(refused.status): \(refused.stderr)")
            let lines = refused.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("\(file): 76,800,000 runs to do (76,800 points × 1000 repetitions), about 1,600 days")
                    && refused.stderr.contains("--yes"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: results), "nothing created before the refusal")

            let started = try ChildProcess("/bin/sh", ["-c", limited + " --yes --seed 5"])
            #expect(started.waitForStandardError(containing: "[1/76800000]", timeout: 60), "measuring: \(started.standardError())")
            started.signal(SIGTERM)
            let status = started.wait(timeout: 15)
            let stderr = started.standardError()
            #expect(status == 130, "\(stderr)")
            #expect(stderr.contains("76800000 runs to do; about 1,600 days"), "the size said before it starts: \(stderr)")
            #expect(stderr.contains("--resume") && stderr.contains("--seed 5"), "\(stderr)")
            #expect(try readCSV("\(results)/huge.csv").rows.count >= 1, "the finished rows kept")
        }

        static let malformed: [(text: String, line: Int)] = [
            ("backends = poll\nconnectoins = 10\n", 2),
            ("# comment\n\nbackends = poll kqueue\nconnections = 10\n", 3),
            ("backends = poll\nconnections =\n", 2),
            ("backends = poll\nconnections = 10\nwarmup = soon\n", 3),
        ]

        @Test(arguments: 0..<malformed.count)
        func malformedSweepFileExitsTwoWithFileAndLine(_ index: Int) throws {
            let (text, line) = Self.malformed[index]
            let sweep = try SweepFolder("bad", text)
            defer { sweep.remove() }
            let run = try sweep.run(timeout: 20)
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1, "one line: \(run.diagnosis)")
            #expect(run.stderr.contains("\(sweep.file):\(line)"), "names \(sweep.file):\(line): \(run.diagnosis)")
            #expect(!FileManager.default.fileExists(atPath: "\(sweep.results)/bad.csv"), "nothing run")
        }

        /// Tests run as root, so /proc stands in for an unwritable directory.
        @Test func unwritableResultsDirectoryIsRefusedBeforeTheSweepStarts() throws {
            let dir = try makeTemporaryDirectory("unwritable")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "nowhere", shortSweep(backends: "poll", connections: "10"))
            let run = try runBench(["sweep", file, "--results", "/proc/mux-bench-results", "--no-plot"], timeout: 20)
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains("/proc/mux-bench-results"), "\(run.diagnosis)")
            #expect(!run.stderr.contains("pinning"), "before anything runs: \(run.diagnosis)")
        }

        @Test func missingSweepFileExitsTwo() throws {
            let run = try runBench(["sweep", "/nonexistent/none.sweep", "--no-plot"], timeout: 20)
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains("/nonexistent/none.sweep"), "\(run.diagnosis)")
        }

        /// Ctrl-C (or SIGTERM) while the second of three points runs: the finished row and its
        /// summary stay, the resume command is printed, and the second point's children are gone.
        @Test(arguments: [SIGINT, SIGTERM])
        func ctrlCKeepsFinishedRowsAndEndsTheChildren(_ signalNumber: Int32) throws {
            let dir = try makeTemporaryDirectory("ctrlc")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "intr", shortSweep(backends: "poll epoll-lt epoll-et", connections: "20", active: "5"))
            let results = "\(dir)/results"
            let bench = try ChildProcess("mux-bench", ["sweep", file, "--results", results, "--no-plot", "--order", "sequential"])
            #expect(bench.waitForStandardError(containing: "[1/3]", timeout: 30), "first run finished: \(bench.standardError())")
            let load = waitForChildProcess(of: bench.pid, named: "mux-load", timeout: 10)
            let server = childProcesses(of: bench.pid).first { $0.name == "mux-server" && $0.state != "Z" }
            #expect(load != nil && server != nil, "the second point is running")
            if let load, let server { #expect(trafficHasBegun(server: server, load: load)) }
            bench.signal(signalNumber)
            let status = bench.wait(timeout: 15)
            let stderr = bench.standardError()
            #expect(status == 130, "ended by the signal, not at the point's end: \(stderr)")
            #expect(!stderr.contains("[2/3]") && !stderr.contains("[3/3]"), "the second point was cut short: \(stderr)")
            for child in [load, server].compactMap({ $0 }) {
                #expect(waitForProcessGone(child.pid, timeout: 2), "\(child.name) \(child.pid) ended")
                endLeftover(child)
            }
            let rows = try readCSV("\(results)/intr.csv").rows
            #expect(rows.map { $0["backend"] } == ["poll"], "the finished row is on disk: \(stderr)")
            let summary = try readCSV("\(results)/intr-summary.csv").rows
            #expect(summary.map { $0["backend"] } == ["poll"], "summary of the finished point")
            #expect(summary.first?["status"] == "ok")
            #expect(stderr.contains("--resume"), "\(stderr)")
            let resumeLine = try #require(stderr.split(separator: "\n").first { $0.contains("--resume") })
            #expect(resumeLine.contains(results), "the printed command resumes into the same results directory: \(resumeLine)")
        }

        static let hasGnuplot = gnuplotPath() != nil

        @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
        func sweepRendersChartsBesideTheCSV() throws {
            let dir = try makeTemporaryDirectory("charts")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "pics", shortSweep(backends: "epoll-et", connections: "10 30", active: "5"))
            let results = "\(dir)/results"
            let run = try runBench(["sweep", file, "--results", results])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(!run.stderr.contains("not rendered"), "\(run.diagnosis)")
            for chart in chartNames {
                let path = "\(results)/pics-\(chart).png"
                let bytes = try #require(FileManager.default.contents(atPath: path), "\(path) written: \(run.diagnosis)")
                #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "\(path) is a PNG")
                #expect(run.stderr.contains(path), "says where it is")
            }
        }
    }
}

/// git's trimmed stdout.
private func git(_ arguments: [String]) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else { return "" }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return "" }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
