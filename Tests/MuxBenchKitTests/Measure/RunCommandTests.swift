import Foundation
import MuxCore
import MuxCLI
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// `mux-bench run`, the collector for one point, on real processes: a complete row whose figures
/// cover the measurement window only, rows appended (never to a foreign file), bad input refused
/// before anything starts.
extension BenchProcessSuites {
    @Suite struct RunCommandTests {
        /// Columns that must hold a number in every measured row (commit may be empty outside
        /// git; rate_target_rps is empty in closed loop, order_seed outside a shuffled sweep, probe
        /// outside a rate search; the profile's without --profile).
        static let numericColumns = ResultsSchema.columns.filter {
            !["sweep", "point", "backend", "protocol", "mode", "rate_target_rps", "server_cpus", "load_cpus", "kernel", "cpu_model", "commit", "started_at",
              "order_seed", "saturated_by", "probe"].contains($0) && !Self.openLoopColumns.contains($0)
                && !ringColumns.contains($0) && !$0.hasPrefix("prof_")
        }
        /// Empty in closed loop: the actual-send latency view, send lateness, hiccups.
        static let openLoopColumns = ResultsSchema.columns.filter {
            $0.hasPrefix("lat_sent_") || $0.hasPrefix("send_late_") || $0.hasPrefix("hiccup_")
        } + ResultsSchema.columns.drop { $0 != "pacing" }  // pacing … floor_rtt_us
        /// io_uring's figures: numbers for the io_uring backends, empty for the others.
        static let ringColumns = ["sqe_per_req", "cqe_per_req", "cqes_per_enter"]

        static func number(_ row: [String: String], _ column: String) -> Double { Double(row[column] ?? "") ?? -1 }

        @Test func pollRunWritesACompleteRow() throws {
            let dir = try makeTemporaryDirectory("run")
            defer { removeDirectory(dir) }
            let out = "\(dir)/x.csv"
            let run = try runBench(["run", "--backend", "poll", "--connections", "200", "--active", "20",
                                    "--warmup", "200ms", "--duration", "1s", "--out", out])
            #expect(run.status == 0, "\(run.diagnosis)")
            let text = try lines(of: out)
            #expect(text.first == ResultsSchema.columns.joined(separator: ","), "the header is ResultsSchema's columns in order")
            let table = try readCSV(out)
            #expect(table.rows.count == 1, "\(run.diagnosis)")
            let row = try #require(table.rows.first)
            for column in ResultsSchema.columns { #expect(row[column] != nil, "column \(column) present") }
            for column in Self.numericColumns {
                #expect(Double(row[column] ?? "") != nil, "\(column) = '\(row[column] ?? "")' is a number")
            }
            #expect(row["backend"] == "poll" && row["connections"] == "200" && row["active"] == "20")
            #expect(row["sweep"] == "run" && row["rep"] == "1" && row["warmup_s"] == "0.2" && row["duration_s"] == "1")
            #expect(Self.number(row, "requests") > 0, "\(run.diagnosis)")
            #expect(Self.number(row, "errors") == 0, "\(run.diagnosis)")
            #expect(Self.number(row, "throughput_rps") > 0)
            #expect(Self.number(row, "lat_p50_us") > 0 && Self.number(row, "lat_p99_us") >= Self.number(row, "lat_p50_us"))
            #expect(Self.number(row, "sc_read") > 0 && Self.number(row, "sc_write") > 0 && Self.number(row, "sc_wait") > 0)
            #expect(Self.number(row, "sc_per_req") > 0 && Self.number(row, "events_per_wait") > 0)
            // The hypervisor's share of the two CPUs over the window, from /proc/stat.
            #expect((0...100).contains(Self.number(row, "steal_pct")), "steal_pct = '\(row["steal_pct"] ?? "")'")
            for column in Self.ringColumns { #expect(row[column] == "", "\(column) is empty for poll") }
            for column in ["started_at", "kernel", "cpu_model"] { #expect(row[column]?.isEmpty == false, "\(column) filled") }
            #expect(ISO8601DateFormatter().date(from: row["started_at"] ?? "") != nil, "started_at is ISO 8601: \(row["started_at"] ?? "")")
            #expect(run.stderr.contains("rows appended to \(out)"), "\(run.diagnosis)")
        }

        /// io-uring: reads, writes and accepts go through the ring, so they are not syscalls; the
        /// row says what went through it instead (SQEs and CQEs per request, CQEs per enter).
        @Test(.runnable(.ioUring)) func ioUringRowCountsSQEsAndCQEsNotReadsAndWrites() throws {
            let (run, row) = try measuredRow(["--backend", "io-uring", "--connections", "100", "--active", "20",
                                              "--warmup", "200ms", "--duration", "1s"])
            #expect(Self.number(row, "requests") > 0 && Self.number(row, "errors") == 0, "\(run.diagnosis)")
            // The only reads and writes are the server's own, not requests: the signalfd reads of
            // the two snapshots (one each inside the window) and its counters line on stdout.
            #expect(Self.number(row, "sc_read") <= 2 && Self.number(row, "sc_accept") == 0, "\(row)")
            #expect(Self.number(row, "sc_write") <= 2, "\(row)")
            #expect(Self.number(row, "sc_wait") > 0, "every io_uring_enter is a wait")
            // At least one recv CQE and one send SQE and CQE per request.
            #expect(Self.number(row, "sqe_per_req") > 0 && Self.number(row, "cqe_per_req") >= 1, "\(row)")
            #expect(Self.number(row, "cqes_per_enter") > 0, "\(row)")
        }

        /// Warm-up as long as the window: a row that counted warm-up traffic would show about twice
        /// the requests the server read in the window, and the connects and closes of the run.
        @Test func figuresCoverTheWindowOnly() throws {
            let (run, row) = try measuredRow(["--backend", "epoll-lt", "--connections", "40", "--active", "10",
                                              "--warmup", "1s", "--duration", "1s"])
            let requests = Self.number(row, "requests")
            #expect(requests > 1000, "\(run.diagnosis)")
            // `requests` is mux-load's count; the server's own counts over the same window are
            // independent of it. Level-triggered echo: one read per request, plus the reads that
            // found nothing; a row that counted warm-up replies would be about twice these.
            let reads = Self.number(row, "sc_read") - Self.number(row, "read_eagain")
            #expect(abs(reads - requests) <= requests * 0.05,
                    "server reads over the window \(reads) vs requests \(requests): \(row)")
            #expect(abs(Self.number(row, "sc_write") - requests) <= requests * 0.05, "one write per echo: \(row)")
            // Throughput over the window's length is what the server wrote in it (a rate over the
            // wrong interval, warm-up included or cut short, would not be).
            let served = Self.number(row, "throughput_rps") * Self.number(row, "duration_s")
            #expect(abs(served - Self.number(row, "sc_write")) <= requests * 0.05, "\(row)")
            // Connections are opened before the window and held after it.
            #expect(Self.number(row, "sc_accept") == 0, "\(row)")
            #expect(Self.number(row, "sc_close") == 0, "\(row)")
        }

        /// An offer no client can make (10M req/s from one thread) is marked saturated, with the
        /// side that gave out; a light open loop with CPU to spare is not.
        @Test func saturatedRunsAreMarkedWithTheLimitingSide() throws {
            let dir = try makeTemporaryDirectory("saturated")
            defer { removeDirectory(dir) }
            let out = "\(dir)/s.csv"
            let flood = try runBench(["run", "--backend", "epoll-et", "--connections", "20", "--active", "20", "--rate", "10000000",
                                      "--warmup", "200ms", "--duration", "1s", "--out", out])
            #expect(flood.status == 0, "\(flood.diagnosis)")
            let light = try runBench(["run", "--backend", "epoll-et", "--connections", "20", "--active", "20", "--rate", "1000",
                                      "--warmup", "200ms", "--duration", "1s", "--out", out])
            #expect(light.status == 0, "\(light.diagnosis)")
            let rows = try readCSV(out).rows
            try #require(rows.count == 2, "\(flood.diagnosis)")
            let (floodRow, lightRow) = (rows[0], rows[1])
            // 10M req/s from one thread: far short of the offer, whoever gave out first on a
            // machine shared with other work, and the row and the run's words say so.
            let side = floodRow["saturated_by"] ?? ""
            #expect(SaturationLimit(rawValue: side) != nil, "10M req/s offered, \(floodRow["throughput_rps"] ?? "?") delivered: '\(side)'")
            #expect(Self.number(floodRow, "throughput_rps") < 5_000_000, "\(floodRow)")
            #expect(flood.stderr.contains("SATURATED"), "\(flood.diagnosis)")
            // 1,000 req/s pegs no server: never `server` or `both`. A busy or stolen machine may
            // still make the client late or the offer fall short (`client`, `neither`): then the
            // run says so as the flood's does; unmarked, it says nothing of saturation.
            let lightSide = lightRow["saturated_by"] ?? "?"
            #expect(["", "client", "neither"].contains(lightSide), "1,000 req/s is easy for the server: \(lightRow)")
            #expect(light.stderr.contains("SATURATED") == !lightSide.isEmpty, "\(light.diagnosis)")
        }

        /// Issue 21: a spinning client is at 100% CPU whatever it does, so its busy share and send
        /// lateness say whether it kept up. One thread asked for 400,000/s with 64 requests in flight
        /// on each of 100 connections writes each request itself while the server answers them in
        /// batches: the client is the limit (busy share 1.0 in three runs on the 2-vCPU VM). With
        /// 16 on 20 the slots filled and the server's wake-ups on a CPU shared with compilers set
        /// the pace (busy share 0.67–0.83, `neither`). 2,000/s is no limit, though its CPU is as full.
        @Test func aSpinningClientThatCannotKeepUpIsMarkedClient() throws {
            let dir = try makeTemporaryDirectory("spin")
            defer { removeDirectory(dir) }
            let out = "\(dir)/s.csv"
            for rate in ["400000", "2000"] {
                let run = try runBench(["run", "--backend", "epoll-et", "--connections", "100", "--active", "100", "--pipeline", "64",
                                        "--rate", rate, "--pacing", "spin", "--warmup", "200ms", "--duration", "1s", "--out", out])
                #expect(run.status == 0, "\(run.diagnosis)")
                #expect(run.stderr.contains("loopback floor: p50"), "\(run.diagnosis)")
            }
            let rows = try readCSV(out).rows
            try #require(rows.count == 2)
            let (flood, light) = (rows[0], rows[1])
            for row in rows {
                #expect(row["pacing"] == "spin" && row["arrivals"] == "constant", "\(row)")
                #expect(Self.number(row, "load_busy_share") > 0 && Self.number(row, "floor_rtt_us") > 0, "\(row)")
            }
            #expect(flood["saturated_by"] == "client", "400,000/s from one thread: \(flood)")
            #expect(flood["rate_check"] == "fail", "\(flood)")
            #expect(light["saturated_by"] != "client" && light["saturated_by"] != "both", "2,000/s: \(light)")
            #expect(Self.number(light, "load_busy_share") < 0.9, "\(light)")
        }

        @Test func repetitionsAppendRowsUnderOneHeader() throws {
            let dir = try makeTemporaryDirectory("reps")
            defer { removeDirectory(dir) }
            let out = "\(dir)/r.csv"
            let run = try runBench(["run", "-b", "epoll-et", "-c", "20", "-a", "5", "-w", "200ms", "-d", "1s", "-n", "2", "-o", out])
            #expect(run.status == 0, "\(run.diagnosis)")
            let text = try lines(of: out)
            #expect(text.count == 3, "header and two rows: \(text)")
            #expect(text.filter { $0.hasPrefix("sweep,point,") }.count == 1, "header once")
            let table = try readCSV(out)
            #expect(table.rows.map { $0["rep"] } == ["1", "2"])
            #expect(table.rows.allSatisfy { Self.number($0, "requests") > 0 && Self.number($0, "errors") == 0 })
            #expect(run.stderr.contains("rep 1/2") && run.stderr.contains("rep 2/2"), "\(run.diagnosis)")
        }

        @Test func refusesToAppendToAFileWithAnotherHeader() throws {
            let dir = try makeTemporaryDirectory("header")
            defer { removeDirectory(dir) }
            let out = "\(dir)/old.csv"
            let old = "sweep,point,rep,requests\nold,p,1,42\n"
            try old.write(toFile: out, atomically: true, encoding: .utf8)
            let run = try runBench(["run", "--backend", "poll", "--connections", "10", "--warmup", "200ms", "--duration", "1s", "--out", out])
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains(out), "names the file: \(run.diagnosis)")
            #expect(run.stderr.contains("header"), "\(run.diagnosis)")
            #expect(!run.stderr.contains("pinning") && run.stderrLines.count == 1, "refused before anything runs: \(run.diagnosis)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == old, "file unchanged byte for byte")
        }

        /// A window with no reply is a failed run, not a row: written, it read as 0 requests/s
        /// with nothing wrong (its latency cells empty, no note), and summaries and charts took it
        /// as a run. One connection at 1 request/s sends at the start of the warm-up and next
        /// after the window, so the window has none; the reason says so, through mux-server's own path.
        @Test func aWindowWithoutRequestsIsAFailedRunNotARow() throws {
            let dir = try makeTemporaryDirectory("empty")
            defer { removeDirectory(dir) }
            let out = "\(dir)/e.csv"
            let run = try runBench(["run", "--backend", "epoll-lt", "--connections", "1", "--rate", "1",
                                    "--warmup", "200ms", "--duration", "300ms", "--out", out])
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains(" rep 1 failed: no request completed in the 0.3 s window (0 of 1 active connection answered; "
                                        + "at 1 req/s fewer than one request was due in it)"), "\(run.diagnosis)")
            #expect(((try? readCSV(out))?.rows ?? []).isEmpty, "no row for a window with no request: \(run.diagnosis)")
        }

        /// A server that answers another protocol (mux-server speaking echo, measured as an http
        /// server): every request fails, so the run fails with that reason and exit 1, no row.
        @Test func aProtocolMismatchFailsTheRun() throws {
            let dir = try makeTemporaryDirectory("mismatch")
            defer { removeDirectory(dir) }
            let out = "\(dir)/m.csv"
            let run = try runBench(["run", "--server-command", "\(executablePath("mux-server")) --protocol echo --port {port}",
                                    "--server-name", "echoer", "--protocol", "http", "--connections", "4",
                                    "--warmup", "200ms", "--duration", "500ms", "--out", out])
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains("failed: every request failed, none answered in the window ("), "\(run.diagnosis)")
            #expect(run.stderr.contains("does it speak http?"), "\(run.diagnosis)")
            #expect(((try? readCSV(out))?.rows ?? []).isEmpty, "no row for a run that measured nothing")
        }

        static let badFlags: [(arguments: [String], names: String)] = [
            (["--connections", "10"], "--backend"),
            (["--backend", "kqueue"], "--backend"),
            (["--backend", "poll", "--duration", "x"], "--duration"),
            (["--backend", "poll", "--connections", "10", "--active", "11"], "--active"),
            (["--backend", "poll", "--frobnicate"], "--frobnicate"),
            (["--backend=poll", "--repetitions=0"], "--repetitions"),
            (["--backend", "io-uring", "--mode", "on-writable"], "--mode: io-uring is a completion backend"),
            (["--server-command", "cat {port}", "--server-name", "echoer", "--mode", "on-writable"], "--mode: echoer is a server MuxBench did not write"),
        ]

        @Test(arguments: 0..<badFlags.count)
        func badFlagExitsTwoWithOneLine(_ index: Int) throws {
            let (arguments, name) = Self.badFlags[index]
            let dir = try makeTemporaryDirectory("flags")
            defer { removeDirectory(dir) }
            let out = "\(dir)/never.csv"
            let run = try runBench(["run"] + arguments + ["--out", out], timeout: 20)
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1, "one line: \(run.diagnosis)")
            #expect(run.stderrLines.first?.hasPrefix("mux-bench") == true, "\(run.diagnosis)")
            #expect(run.stderrLines.first?.contains(name) == true, "names \(name): \(run.diagnosis)")
            #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
        }

        @Test func selectBeyondFDSetSizeIsSkippedWithTheReason() throws {
            let dir = try makeTemporaryDirectory("select")
            defer { removeDirectory(dir) }
            let out = "\(dir)/s.csv"
            let run = try runBench(["run", "--backend", "select", "--connections", "2000", "--active", "10",
                                    "--warmup", "200ms", "--duration", "1s", "--out", out], timeout: 20)
            #expect(run.status != 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("skipped"), "\(run.diagnosis)")
            #expect(run.stderr.contains("FD_SETSIZE"), "\(run.diagnosis)")
            #expect(!run.stderr.contains("pinning"), "nothing started: \(run.diagnosis)")
            #expect(!FileManager.default.fileExists(atPath: out), "no row")
        }

        /// Tests run as root, so a chmod'ed directory would still be writable: /proc refuses
        /// new files whoever asks.
        @Test(arguments: ["/proc/mux-bench-x.csv", "/proc/self/none/x.csv", "/sys/mux-bench/x.csv"])
        func unwritableResultsPathIsAClearErrorBeforeAnythingRuns(_ out: String) throws {
            let run = try runBench(["run", "--backend", "poll", "--connections", "10", "--warmup", "200ms",
                                    "--duration", "1s", "--out", out], timeout: 20)
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderrLines.count == 1, "one clear line: \(run.diagnosis)")
            #expect(run.stderr.contains((out as NSString).deletingLastPathComponent), "names the path: \(run.diagnosis)")
            #expect(!run.stderr.contains("pinning"), "before anything runs: \(run.diagnosis)")
        }

        static let hasPerf = FileManager.default.isExecutableFile(atPath: "/usr/bin/perf")

        /// One backend of each I/O model that can run here (the two server loops): perf needs
        /// ~20 s to detach its tracepoint counters, so one short run each.
        static let oneBackendPerModel = IOModel.allCases.compactMap { model in
            Backend.runnableHere.first { $0.traits.model == model }
        }

        @Test(.enabled(if: hasPerf, "perf is not installed (apt-get install linux-perf)"), arguments: oneBackendPerModel)
        func verifySyscallsAgreesWithPerfExactly(_ backend: Backend) throws {
            let dir = try makeTemporaryDirectory("perf")
            defer { removeDirectory(dir) }
            let out = "\(dir)/p.csv"
            let run = try runBench(["run", "--backend", backend.rawValue, "--connections", "20", "--active", "10",
                                    "--warmup", "200ms", "--duration", "1s", "--verify-syscalls", "--out", out], timeout: 120)
            #expect(run.status == 0, "\(run.diagnosis)")
            // Each kind on its own line, not only the total; agreeing means exactly.
            for kind in SyscallKind.allCases.map(\.rawValue) + ["total"] {
                let line = try #require(run.stderrLines.first { $0.contains("syscalls \(kind): server counted") }, "\(run.diagnosis)")
                #expect(line.contains("kernel (perf)") && line.hasSuffix(": agree"), "server and perf agree on \(kind): \(line)")
            }
            #expect(try readCSV(out).rows.count == 1)
        }
    }
}

/// One rule for every typed number: mux-bench run, a sweep file, mux-load and mux-server refuse
/// the same out-of-range value, however it is written, with the same words and exit status 2,
/// before anything starts.
extension BenchProcessSuites {
    @Suite struct TypedNumberRulesTests {
        @Test(arguments: [("rate", "-r", "1e12"), ("rate", "-r", "1000000000000"), ("payload", "--payload", "100MiB"),
                          ("threads", "-t", "300"), ("connections", "-c", "99999999999999999999")])
        func everyEntryPointRefusesWithTheSameWords(key: String, flag: String, text: String) throws {
            let rule = try #require(NumberRules.all.first { $0.name == key })
            let dir = try makeTemporaryDirectory("numbers")
            defer { removeDirectory(dir) }
            let sweep = try writeSweep(dir, "bad", "backends = poll\n\(key == "connections" ? "" : "connections = 100")\n\(key) = \(text)\n")
            let runs: [(program: String, arguments: [String], prefix: String)] = [
                ("mux-bench", ["run", "-b", "poll", flag, text, "--out", "\(dir)/x.csv"], "mux-bench run: \(flag.count == 2 ? "--\(key)" : flag): "),
                ("mux-bench", ["sweep", sweep, "--results", dir], "\(sweep):3: bad value '\(text)' for '\(key)': "),
                ("mux-load", ["-p", "9", flag, text], "mux-load: \(flag.count == 2 ? "--\(key)" : flag): "),
            ]
            for (program, arguments, prefix) in runs {
                let (status, stdout, stderr) = try runToCompletion(program, arguments, timeout: 30)
                let lines = stderr.split(separator: "\n")
                #expect(status == 2, "\(program) \(arguments): \(stderr)")
                #expect(lines.count == 1 && stdout.isEmpty, "\(program) \(arguments): \(stderr)")
                #expect(lines.first?.contains(prefix) == true, "\(program) \(arguments): \(stderr)")
                #expect(lines.first?.contains("expected \(rule.expectation)") == true
                        || lines.first?.contains("expected 'closed' or \(rule.expectation)") == true, "\(program) \(arguments): \(stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.csv"), "nothing ran")
        }

        @Test func theServerRefusesWithTheSameWords() throws {
            for text in ["1e9", "1000000000"] {
                let (status, _, stderr) = try runToCompletion("mux-server", ["--max-events", text], timeout: 30)
                #expect(status == 2, "\(stderr)")
                #expect(stderr == "mux-server: --max-events: expected \(NumberRules.maxEvents.expectation), got '\(text)'\n", "\(stderr)")
            }
        }
    }
}
