// `mux-bench report`: the reference tables as Markdown from the committed CSVs, printed, or
// written into (or checked against) the marked blocks of a Markdown file such as results/README.md.
import Foundation
import MuxCLI
import MuxMetrics

let reportParser = ArgumentParser(
    program: "mux-bench report",
    summary: "Prints a sweep's reference tables as Markdown from DIR/SWEEP-summary.csv and DIR/SWEEP.csv, "
        + "or rewrites (--update) or checks (--check) every '<!-- mux-bench report SWEEP TABLE -->' … "
        + "'<!-- end report -->' block of a Markdown file. Sweeps: "
        + ReportCatalog.sweeps.map { "\($0.sweep) (\($0.tables.map(\.name).joined(separator: ", ")))" }.joined(separator: "; ") + ".",
    usage: "mux-bench report [--results DIR] SWEEP [TABLE] | --update FILE.md | --check FILE.md",
    options: [
        OptionSpec("results", value: "DIR", default: "results", help: "where the sweeps' CSVs are"),
        OptionSpec("update", value: "FILE.md", help: "rewrite every report block of FILE.md in place"),
        OptionSpec("check", value: "FILE.md", help: "exit 1 naming the first report block of FILE.md that differs from the CSVs"),
    ],
    acceptsPositionals: true)

/// Runs `mux-bench report`; returns the exit status (2: bad input, 1: a stale block or a failed write).
public func runReport(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    switch parseSubcommand(reportParser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
    }
    let directory = parsed.string("results") ?? "results"
    let generate = { (sweep: String, table: String) throws(ReportError) -> String in
        try ReportCatalog.render(sweep: sweep, table: table, resultsDirectory: directory)
    }
    let markdownFile = parsed.string("update") ?? parsed.string("check")
    do {
        if let markdownFile {
            guard parsed.positionals.isEmpty, !(parsed.has("update") && parsed.has("check")) else {
                printError("mux-bench report: --update and --check take one FILE.md and no SWEEP")
                return ExitCode.usage.rawValue
            }
            let text: String
            do { text = try readTextFile(markdownFile) } catch {
                printError("mux-bench report: \(markdownFile): cannot read: \(String(cString: strerror(error.code)))")
                return ExitCode.usage.rawValue
            }
            if parsed.has("check") {
                guard let stale = try ReportBlocks.firstStale(text, path: markdownFile, generate: generate) else {
                    return ExitCode.success.rawValue
                }
                printError("mux-bench report: \(stale) (mux-bench report --update \(markdownFile) rewrites it)")
                return ExitCode.failure.rawValue
            }
            let updated = try ReportBlocks.updated(text, path: markdownFile, generate: generate)
            guard updated != text else { return ExitCode.success.rawValue }
            do { try ReportBlocks.write(updated, to: markdownFile) } catch {
                printError("mux-bench report: \(error)")
                return ExitCode.failure.rawValue
            }
            return ExitCode.success.rawValue
        }
        switch parsed.positionals.count {
        case 1: printLine(try ReportCatalog.renderAll(sweep: parsed.positionals[0], resultsDirectory: directory))
        case 2: printLine(try generate(parsed.positionals[0], parsed.positionals[1]))
        default:
            printError("mux-bench report: expected SWEEP [TABLE], or --update/--check FILE.md")
            return ExitCode.usage.rawValue
        }
        return ExitCode.success.rawValue
    } catch {
        printError("mux-bench report: \(error)")
        return ExitCode.usage.rawValue
    }
}
