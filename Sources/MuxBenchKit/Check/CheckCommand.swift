// `mux-bench check`: the command line around RegressionCheck and BaselineUpdate.
import MuxCLI
import MuxMetrics

let checkParser = ArgumentParser(
    program: "mux-bench check",
    summary: "Compares a sweep's summary CSV with a baseline of noise-proof figures (errors, syscalls per\nrequest, throughput ratios between backends). Exit 0: every compared check passed; 3: a regression, or no check could be compared;\n2: bad input (also a missing column, a summary without rows, a baseline without checks).",
    usage: "mux-bench check --baseline FILE [--update] SUMMARY.csv",
    options: [
        OptionSpec("baseline", short: "b", value: "FILE", help: "the baseline JSON (required)"),
        OptionSpec("update", help: "rewrite the baseline from this run (generate one when FILE is missing)"),
    ],
    acceptsPositionals: true)

/// Runs `mux-bench check` with `arguments` (after the subcommand); returns the exit status.
public func runCheck(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    switch parseSubcommand(checkParser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
    }
    func usage(_ message: String) -> Int32 {
        printError("mux-bench check: \(message)")
        return ExitCode.usage.rawValue
    }
    guard let baselinePath = parsed.string("baseline") else { return usage("--baseline FILE is required") }
    guard parsed.positionals.count == 1 else {
        return usage(parsed.positionals.isEmpty ? "expected the summary CSV to check (results/NAME-summary.csv)"
                                               : "expected one summary CSV, got \(parsed.positionals.count)")
    }
    let summaryPath = parsed.positionals[0]

    let table: CSVTable
    do { table = try CSVTable.read(path: summaryPath) } catch {
        printError("mux-bench check: \(error.description)")
        if case .unreadable = error { return ExitCode.failure.rawValue }
        return ExitCode.usage.rawValue
    }
    guard table.header.contains("status"), table.header.contains("backend") else {
        return usage("\(summaryPath):1: not a summary CSV (no status/backend columns)")
    }
    guard !table.rows.isEmpty else { return usage("\(summaryPath): no rows, only a header: the sweep measured nothing") }

    if parsed.flags.contains("update") {
        return updateBaseline(at: baselinePath, from: table, summaryPath: summaryPath)
    }

    let baseline: Baseline
    do { baseline = try Baseline.load(path: baselinePath) } catch {
        return usage(error.description + (error.missing ? " (create one with --update)" : ""))
    }
    let runSweep = table.rows.first?["sweep"]
    if let expected = baseline.sweep, let runSweep, !runSweep.isEmpty, runSweep != expected {
        return usage("\(summaryPath) is sweep '\(runSweep)' but \(baselinePath) is for '\(expected)'")
    }
    if let (index, column) = missingColumn(baseline, header: table.header) {
        return usage("\(summaryPath):1: no column '\(column)' (\(baselinePath) checks[\(index)] reads it)")
    }
    let results = evaluate(baseline, against: table)
    printError(renderCheckTable(results))
    let regressions = results.filter { !$0.passed }.count
    let notCompared = results.filter { $0.passed && !$0.compared }.count
    printLine("{\"check\":\"\(baselinePath)\",\"checks\":\(results.count),\"regressions\":\(regressions),\"not_compared\":\(notCompared)}")
    // Nothing compared at all judges nothing: a failure, not a pass.
    return regressions == 0 && notCompared < results.count ? ExitCode.success.rawValue : ExitCode.regression.rawValue
}

private func updateBaseline(at path: String, from table: CSVTable, summaryPath: String) -> Int32 {
    var baseline: Baseline
    do {
        let existing = try Baseline.load(path: path)
        let (updated, warnings) = updatedBaseline(existing, from: table)
        warnings.forEach { printError("mux-bench check: warning: \($0)") }
        baseline = updated
    } catch where error.missing {
        baseline = defaultBaseline(from: table)
        printError("mux-bench check: \(path) did not exist; generated \(baseline.checks.count) checks from \(summaryPath)")
    } catch {
        printError("mux-bench check: \(error.description)")
        return ExitCode.usage.rawValue
    }
    do { try baseline.write(to: path) } catch {
        printError("mux-bench check: \(error.description)")
        return ExitCode.failure.rawValue
    }
    printError(renderCheckTable(evaluate(baseline, against: table)))
    printError("mux-bench check: wrote \(path)")
    return ExitCode.success.rawValue
}
