import Foundation
import MuxMetrics
import Testing
@testable import MuxBenchKit

@Suite struct RegressionCheckTests {
    let run = SummaryFixture.table()
    var baseline: Baseline { defaultBaseline(from: run) }

    func failures(_ table: CSVTable, _ baseline: Baseline? = nil) -> [CheckResult] {
        evaluate(baseline ?? self.baseline, against: table).filter { !$0.passed }
    }

    @Test func generatedBaselineCoversErrorsSyscallsAndRatios() {
        let kinds = baseline.checks.map(\.kind)
        #expect(baseline.checks.first == .maximum("errors", max: 0))
        // 4 connection counts × 4 backends, select skipped at 5000: 15 ok points × 3 figures.
        #expect(kinds.filter { $0 == .value }.count == 45)
        // epoll-et and epoll-lt over select (at 1000) and poll (at 5000).
        let ratios = baseline.checks.filter { $0.kind == .ratio }
        #expect(ratios.count == 4)
        let overSelect = ratios.first { $0.numerator?.values["backend"] == "epoll-et" && $0.denominator?.values["backend"] == "select" }
        #expect(overSelect?.numerator?.values["connections"] == "1000")
        let overPoll = ratios.first { $0.numerator?.values["backend"] == "epoll-et" && $0.denominator?.values["backend"] == "poll" }
        #expect(overPoll?.numerator?.values["connections"] == "5000")
        if let check = overPoll, let expected = check.expected, let floor = check.min {
            #expect(abs(floor - expected / 2) < 0.01 * expected)
        }
        #expect(baseline.sweep == "fixture")
    }

    @Test func passesOnTheRunItCameFrom() {
        #expect(failures(run).isEmpty)
    }

    @Test func errorsAboveZeroAreARegression() {
        var table = run
        SummaryFixture.set("errors", to: 2, backend: "poll", connections: 100, in: &table)
        let failed = failures(table)
        #expect(failed.count == 1)
        #expect(failed.first?.figure == "errors")
        #expect(failed.first?.verdict.contains("backend=poll connections=100") == true)
    }

    @Test func perRequestFigureOutOfToleranceIsARegression() {
        var table = run
        // Expected 1.0, allowed ±(0.05 + 10%) = ±0.15.
        SummaryFixture.set("read_per_req", to: 1.2, backend: "epoll-lt", connections: 1000, in: &table)
        let failed = failures(table)
        #expect(failed.count == 1)
        #expect(failed.first?.figure == "read_per_req")
        #expect(failed.first?.verdict.hasPrefix("REGRESSION") == true)
    }

    @Test func changeInsideToleranceIsNotARegression() {
        var table = run
        SummaryFixture.set("read_per_req", to: 1.14, backend: "epoll-lt", connections: 1000, in: &table)
        SummaryFixture.set("write_per_req", to: 0.86, backend: "poll", connections: 10, in: &table)
        // Throughput may swing a lot: only the ratio floor (half the ratio seen) matters.
        SummaryFixture.set("throughput_rps", to: 100_000, backend: "epoll-et", connections: 5000, in: &table)
        #expect(failures(table).isEmpty)
    }

    @Test func ratioBelowItsFloorIsARegression() {
        var table = run
        // poll at 5000 does 22.7k req/s in the fixture; epoll-et's 192k falls to 20k.
        SummaryFixture.set("throughput_rps", to: 20_000, backend: "epoll-et", connections: 5000, in: &table)
        let failed = failures(table)
        #expect(failed.count == 1)
        #expect(failed.first?.figure == "throughput_rps ratio")
        #expect(failed.first?.verdict == "REGRESSION: below the floor")
    }

    /// A saturated point's speed is the client's (or nobody's): never compared. Its syscalls still are.
    @Test func speedOfASaturatedPointIsNeverCompared() {
        var table = run
        SummaryFixture.set("throughput_rps", to: 20_000, backend: "epoll-et", connections: 5000, in: &table)
        for i in table.rows.indices where table.rows[i]["backend"] == "epoll-et" && table.rows[i]["connections"] == "5000" {
            table.rows[i]["saturated_reps"] = "2"
            table.rows[i]["reason"] = "saturated in 2/3 reps (limit: client 2)"
        }
        let results = evaluate(baseline, against: table)
        #expect(results.allSatisfy { $0.passed }, "\(results.filter { !$0.passed })")
        let ratio = results.first { $0.figure == "throughput_rps ratio" && $0.point.contains("connections=5000") && $0.point.contains("epoll-et") }
        #expect(ratio?.measured == "-")
        #expect(ratio?.verdict.hasPrefix("not compared: 2/3 reps saturated") == true, "\(String(describing: ratio))")

        SummaryFixture.set("read_per_req", to: 3, backend: "epoll-et", connections: 5000, in: &table)
        let failed = failures(table)
        #expect(failed.map(\.figure) == ["read_per_req"], "syscalls per request are compared even when saturated")
    }

    @Test func missingOrSkippedPointIsARegression() {
        var table = run
        table.rows.removeAll { $0["backend"] == "epoll-lt" && $0["connections"] == "100" }
        let missing = failures(table)
        #expect(missing.count == 3)
        #expect(missing.allSatisfy { $0.verdict == "REGRESSION: point missing from the run" })

        var skipped = run
        for i in skipped.rows.indices where skipped.rows[i]["backend"] == "select" && skipped.rows[i]["connections"] == "1000" {
            skipped.rows[i]["status"] = "failed"
            skipped.rows[i]["reason"] = "server exited"
        }
        let failed = failures(skipped)
        // 3 value checks and the two ratios over select.
        #expect(failed.count == 5)
        #expect(failed.allSatisfy { $0.verdict.contains("point failed (server exited)") })
    }

    @Test func commandExitsThreeOnRegressionAndZeroOtherwise() throws {
        let dir = SummaryFixture.directory()
        let baselinePath = dir + "/baseline.json"
        let summaryPath = dir + "/ci-summary.csv"
        try run.write(to: summaryPath)
        #expect(runCheck(arguments: ["--baseline", baselinePath, summaryPath]) == 2)  // no baseline yet
        #expect(runCheck(arguments: ["--baseline", baselinePath, "--update", summaryPath]) == 0)
        #expect(runCheck(arguments: ["--baseline", baselinePath, summaryPath]) == 0)

        var worse = run
        SummaryFixture.set("errors", to: 1, backend: "epoll-et", connections: 10, in: &worse)
        try worse.write(to: summaryPath)
        #expect(runCheck(arguments: ["--baseline=\(baselinePath)", summaryPath]) == 3)
        #expect(runCheck(arguments: [summaryPath]) == 2)
        #expect(runCheck(arguments: ["--baseline", baselinePath, dir + "/absent.csv"]) == 1)
    }

    /// A summary opened and saved by a spreadsheet or Python's csv module comes back with CRLF
    /// line endings (and sometimes quoted fields): the check must read the same points from it.
    @Test func summarySavedWithCRLFAndQuotesChecksLikeTheOriginal() throws {
        let dir = SummaryFixture.directory()
        let baselinePath = dir + "/baseline.json"
        let summaryPath = dir + "/ci-summary.csv"
        try run.write(to: summaryPath)
        #expect(runCheck(arguments: ["--baseline", baselinePath, "--update", summaryPath]) == 0)
        let lf = try String(contentsOfFile: summaryPath, encoding: .utf8)
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: ",epoll-et,", with: ",\"epoll-et\",")
        try crlf.write(toFile: summaryPath, atomically: true, encoding: .utf8)
        let table = try CSVTable.read(path: summaryPath)
        #expect(table.rows.count == run.rows.count)
        #expect(evaluate(try Baseline.load(path: baselinePath), against: table).allSatisfy(\.passed))
        #expect(runCheck(arguments: ["--baseline", baselinePath, summaryPath]) == 0)
    }

    @Test func malformedSummaryIsBadInput() throws {
        let dir = SummaryFixture.directory()
        let baselinePath = dir + "/baseline.json"
        let summaryPath = dir + "/ci-summary.csv"
        try run.write(to: summaryPath)
        #expect(runCheck(arguments: ["--baseline", baselinePath, "--update", summaryPath]) == 0)
        let text = try String(contentsOfFile: summaryPath, encoding: .utf8)
        try (text + "fixture,\"99,poll\n").write(toFile: summaryPath, atomically: true, encoding: .utf8)
        #expect(runCheck(arguments: ["--baseline", baselinePath, summaryPath]) == 2, "unterminated quote")
        try (text + "fixture,99,poll\n").write(toFile: summaryPath, atomically: true, encoding: .utf8)
        #expect(runCheck(arguments: ["--baseline", baselinePath, summaryPath]) == 2, "wrong field count")
    }

    /// The real executable on `table` against a baseline generated from the fixture run.
    private func checkProcess(_ table: CSVTable, baseline: Baseline? = nil, update: Bool = false) throws -> BenchRun {
        let dir = SummaryFixture.directory()
        defer { removeDirectory(dir) }
        let baselinePath = dir + "/baseline.json", summaryPath = dir + "/ci-summary.csv"
        try (baseline ?? self.baseline).write(to: baselinePath)
        try table.write(to: summaryPath)
        return try runBench(["check", "--baseline", baselinePath] + (update ? ["--update"] : []) + [summaryPath], timeout: 30)
    }

    /// `nan` and `inf` are what a broken run writes: never a crash, never ok, a line that says so.
    @Test func nanAndInfFiguresFailWithALineAndNeverCrash() throws {
        var errors = run
        SummaryFixture.set("errors", to: .nan, backend: "poll", connections: 100, in: &errors)
        let nan = try checkProcess(errors)
        #expect(nan.status == 3, "\(nan.diagnosis)")
        #expect(nan.stderr.contains("REGRESSION: errors_max is 'nan', not a finite number at backend=poll connections=100"), "\(nan.diagnosis)")

        var speed = run
        SummaryFixture.set("throughput_rps", to: .infinity, backend: "epoll-et", connections: 5000, in: &speed)
        SummaryFixture.set("read_per_req", to: -.infinity, backend: "poll", connections: 10, in: &speed)
        let inf = try checkProcess(speed)
        #expect(inf.status == 3, "\(inf.diagnosis)")
        #expect(inf.stderr.contains("throughput_rps_median is 'inf', not a finite number (numerator)"), "\(inf.diagnosis)")
        #expect(inf.stderr.contains("read_per_req_median is '-inf', not a finite number"), "\(inf.diagnosis)")
        // --update neither crashes nor writes a non-finite expected value.
        let update = try checkProcess(speed, update: true)
        #expect(update.status == 0 && update.stderr.contains("kept"), "\(update.diagnosis)")
    }

    /// A summary the baseline cannot be read against is bad input (exit 2, one line naming the
    /// file and what is wrong), not a regression: a missing column, no rows, no checks.
    @Test func missingColumnHeaderOnlySummaryAndEmptyChecksAreBadInput() throws {
        var narrow = run
        narrow.header.removeAll { $0 == "read_per_req_median" }
        let column = try checkProcess(narrow)
        #expect(column.status == 2, "\(column.diagnosis)")
        #expect(column.stderrLines.count == 1 && column.stderr.contains("ci-summary.csv:1: no column 'read_per_req_median'"), "\(column.diagnosis)")

        let empty = CSVTable(header: run.header)
        for update in [false, true] {
            let headerOnly = try checkProcess(empty, update: update)
            #expect(headerOnly.status == 2, "\(headerOnly.diagnosis)")
            #expect(headerOnly.stderrLines.count == 1 && headerOnly.stderr.contains("ci-summary.csv: no rows"), "\(headerOnly.diagnosis)")
        }

        let dir = SummaryFixture.directory()
        defer { removeDirectory(dir) }
        try "{\"sweep\": \"fixture\", \"checks\": []}\n".write(toFile: dir + "/b.json", atomically: true, encoding: .utf8)
        try run.write(to: dir + "/s.csv")
        let none = try runBench(["check", "--baseline", dir + "/b.json", dir + "/s.csv"], timeout: 30)
        #expect(none.status == 2, "\(none.diagnosis)")
        #expect(none.stderrLines.count == 1 && none.stderr.contains("b.json: checks is empty"), "\(none.diagnosis)")
    }

    /// Checks excused because their points saturated are counted apart in the final line; a run
    /// where no check could be compared fails.
    @Test func theFinalLineCountsExactlyWhatWasCompared() throws {
        let all = try checkProcess(run)
        #expect(all.status == 0 && all.stderr.contains("all \(baseline.checks.count) checks compared and passed"), "\(all.diagnosis)")

        var saturated = run
        for i in saturated.rows.indices where saturated.rows[i]["connections"] == "5000" {
            saturated.rows[i]["saturated_reps"] = "3"
        }
        let some = try checkProcess(saturated)
        #expect(some.status == 0, "\(some.diagnosis)")
        let total = baseline.checks.count
        // The two ratios at 5000 connections are speed figures of saturated points.
        #expect(some.stderr.contains("\(total - 2) of \(total) checks compared and passed; 2 not compared: throughput_rps ratio at"),
                "\(some.diagnosis)")
        #expect(!some.stderr.contains("all \(total) checks"), "\(some.diagnosis)")
        #expect(some.stdout.contains("\"not_compared\":2"), "\(some.diagnosis)")

        let ratiosOnly = Baseline(sweep: "fixture", checks: baseline.checks.filter { $0.kind == .ratio && $0.numerator?.values["connections"] == "5000" })
        let nothing = try checkProcess(saturated, baseline: ratiosOnly)
        #expect(nothing.status == 3, "nothing judged is not a pass: \(nothing.diagnosis)")
        #expect(nothing.stderr.contains("none of the 2 checks could be compared"), "\(nothing.diagnosis)")
    }

    @Test func updateKeepsStructureAndTolerancesAndRoundTrips() throws {
        let dir = SummaryFixture.directory()
        let path = dir + "/baseline.json"
        var original = baseline
        original.checks[1].tolerance = 0.2
        try original.write(to: path)
        let loaded = try Baseline.load(path: path)
        #expect(loaded == original)

        var faster = run
        SummaryFixture.set("read_per_req", to: 3, backend: "epoll-et", connections: 10, in: &faster)
        SummaryFixture.set("throughput_rps", to: 400_000, backend: "epoll-et", connections: 5000, in: &faster)
        #expect(!failures(faster, loaded).isEmpty)
        let (updated, warnings) = updatedBaseline(loaded, from: faster)
        #expect(warnings.isEmpty)
        #expect(updated.checks.count == loaded.checks.count)
        #expect(updated.checks[1].tolerance == 0.2)
        #expect(zip(updated.checks, loaded.checks).allSatisfy { $0.kind == $1.kind && $0.point == $1.point && $0.figure == $1.figure })
        #expect(failures(faster, updated).isEmpty)
        let reread = try Baseline.decode(updated.encoded(), path: path)
        #expect(reread == updated)
    }

    @Test func handWrittenBaselineWithBareNumbersReads() throws {
        let text = """
        {"sweep": "fixture", "checks": [
          {"kind": "max", "figure": "errors", "max": 0},
          {"kind": "value", "figure": "read_per_req", "where": {"backend": "epoll-et", "connections": 1000},
           "expected": 2.0, "tolerance": 0.05},
          {"kind": "ratio", "figure": "throughput_rps", "numerator": {"backend": "epoll-et", "connections": 1000},
           "denominator": {"backend": "poll", "connections": 1000}, "min": 1.1}
        ]}
        """
        let parsed = try Baseline.decode(text, path: "b.json")
        #expect(parsed.checks[1].point?.values["connections"] == "1000")
        #expect(failures(run, parsed).isEmpty)
    }

    @Test(arguments: [
        ("{\"checks\": [\n  {\"kind\": \"max\", \"figure\": \"errors\", \"max\": zero}\n]}", "b.json: not valid JSON: line 2"),
        ("{\"checks\": [{\"kind\": \"maximum\", \"figure\": \"errors\", \"max\": 0}]}", "b.json: checks[0].kind: unknown value 'maximum'"),
        // In JSON's words, never the decoder's ("expected Dictionary<String, Any>").
        ("[1, 2]", "b.json: the file: expected an object, found a list (a baseline is an object with \"checks\")"),
        ("{\"checks\": {\"a\": 1}}", "b.json: checks: expected a list, found an object"),
        ("{\"checks\": [{\"kind\": 1, \"figure\": \"errors\", \"max\": 0}]}", "b.json: checks[0].kind: expected a string, found a number"),
        ("{\"checks\": [{\"kind\": \"max\", \"figure\": \"erors\", \"max\": 0}]}", "b.json: checks[0].figure: unknown figure 'erors'"),
        ("{\"checks\": [{\"kind\": \"value\", \"figure\": \"read_per_req\", \"where\": {\"backend\": \"poll\"}, \"expected\": 1}]}",
         "b.json: checks[0]: a value check needs \"tolerance\""),
        ("{\"checks\": [{\"kind\": \"max\", \"figure\": \"errors\", \"max\": 0, \"tolerence\": 1}]}", "b.json: checks[0].tolerence: unknown key 'tolerence'"),
        ("{\"checks\": [{\"kind\": \"max\", \"figure\": \"errors\", \"max\": 0, \"where\": {\"conns\": 1}}]}", "b.json: checks[0].where.conns: 'conns' is not a point parameter"),
    ])
    func badBaselineIsOneLineNamingTheFile(text: String, expected: String) {
        do {
            _ = try Baseline.decode(text, path: "b.json")
            Issue.record("decoded a bad baseline")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
            for jargon in ["Dictionary<", "Array<", "Swift.", "Cannot initialize", "CodingKeys"] {
                #expect(!error.description.contains(jargon), "\(error.description)")
            }
        }
    }

    @Test func badJSONErrorNamesTheLine() {
        do {
            _ = try Baseline.decode("{\n  \"checks\": [\n    {\"kind\": \"max\" \"figure\": \"errors\"}\n  ]\n}", path: "b.json")
            Issue.record("decoded a bad baseline")
        } catch {
            #expect(error.description.contains("line 3"), "\(error.description)")
        }
    }
}
