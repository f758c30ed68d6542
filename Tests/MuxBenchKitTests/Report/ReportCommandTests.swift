import Foundation
import MuxCLI
import Testing
@testable import MuxBenchKit

/// `mux-bench report` as a command: exit statuses, and a Markdown file updated and checked.
@Suite struct ReportCommandTests {
    private let results = ["--results", ReportFixture.committed]

    @Test func bad_input_exits_2() throws {
        #expect(runReport(arguments: results + ["no-such-sweep"]) == ExitCode.usage.rawValue)
        #expect(runReport(arguments: results + ["c10k", "no-such-table"]) == ExitCode.usage.rawValue)
        #expect(runReport(arguments: ["--results", "/nonexistent", "c10k"]) == ExitCode.usage.rawValue, "missing file")
        #expect(runReport(arguments: results + ["c10k", "per-request", "extra"]) == ExitCode.usage.rawValue)
        #expect(runReport(arguments: ["--check", "/nonexistent/README.md"]) == ExitCode.usage.rawValue)
        #expect(throws: ReportError("unknown table 'no-such-table' for sweep 'c10k' (known: cpu-per-request, per-request)")) {
            try ReportCatalog.render(sweep: "c10k", table: "no-such-table", resultsDirectory: ReportFixture.committed)
        }
    }

    @Test func the_executable_prints_the_table_on_stdout_and_bad_input_as_one_line() throws {
        let table = try runBench(["report"] + results + ["c10k", "per-request"])
        #expect(table.status == ExitCode.success.rawValue, "\(table.diagnosis)")
        #expect(table.stdout == (try ReportFixture.table("c10k", "per-request")) + "\n")
        let all = try runBench(["report"] + results + ["write-mode"])
        #expect(all.stdout.hasPrefix("### syscalls-per-request\n\n| sc_per_req (median [95% CI]) |"), "\(all.diagnosis)")
        #expect(all.stdout.contains("\n\n### cpu-per-request\n\n") && all.stdout.contains("\n\n### throughput\n\n"))

        let missing = try runBench(["report", "--results", "/nonexistent", "noise"])
        #expect(missing.status == ExitCode.usage.rawValue)
        #expect(missing.stderrLines == ["mux-bench report: /nonexistent/noise.csv: no such file"], "\(missing.diagnosis)")
    }

    @Test func a_summary_without_a_column_the_table_needs_is_named() throws {
        let directory = try ReportFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "backend,connections\nepoll-lt,100\n".write(toFile: "\(directory)/active-ratio-summary.csv", atomically: true, encoding: .utf8)
        #expect(throws: ReportError("\(directory)/active-ratio-summary.csv:1: no column 'active'")) {
            try ReportCatalog.render(sweep: "active-ratio", table: "cpu-per-request", resultsDirectory: directory)
        }
        #expect(runReport(arguments: ["--results", directory, "active-ratio"]) == ExitCode.usage.rawValue)
    }

    @Test func update_writes_the_blocks_and_check_then_fails_on_a_changed_cell() throws {
        let directory = try ReportFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/README.md"
        let before = "# Results\n\nprose stays\n<!-- mux-bench report c10k cpu-per-request -->\n<!-- end report -->\nafter\n"
        try before.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(runReport(arguments: results + ["--check", path]) == ExitCode.failure.rawValue, "an empty block is stale")
        #expect(runReport(arguments: results + ["--update", path]) == ExitCode.success.rawValue)
        let after = try String(contentsOfFile: path, encoding: .utf8)
        let table = try ReportFixture.table("c10k", "cpu-per-request")
        #expect(after == "# Results\n\nprose stays\n<!-- mux-bench report c10k cpu-per-request -->\n\(table)\n<!-- end report -->\nafter\n")
        #expect(runReport(arguments: results + ["--check", path]) == ExitCode.success.rawValue)
        #expect(runReport(arguments: results + ["--update", path]) == ExitCode.success.rawValue)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == after, "a second update changes nothing")

        try after.replacingOccurrences(of: "31.56 [28.34–47.07]", with: "31.57 [28.34–47.07]")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(runReport(arguments: results + ["--check", path]) == ExitCode.failure.rawValue)
    }
}
