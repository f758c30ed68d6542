// `mux-bench sweep FILE`: every point × repetition through the collector, each row appended the
// moment it is measured; the summary, and with gnuplot the charts, at the end (also after Ctrl-C).
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

public enum SweepCommand {
    public static let defaultSweep = "Benchmarks/quick.sweep"

    public static let parser = ArgumentParser(
        program: "mux-bench sweep",
        summary: """
        Runs a sweep file's matrix (backends × connections × activity ...), appending one row per
        repetition to RESULTS/NAME.csv, then writes RESULTS/NAME-summary.csv and, where gnuplot is
        installed, RESULTS/NAME-*.png. Ctrl-C keeps every finished row; --resume continues.
        """,
        usage: "mux-bench sweep [FILE|NAME] [options]   (default \(defaultSweep))",
        options: [
            OptionSpec("resume", help: "skip repetitions already in RESULTS/NAME.csv (same order and seed)"),
            OptionSpec("order", value: "ORDER", default: "rounds",
                       help: "rounds: round k measures every point once, shuffled; sequential: each point's reps back to back"),
            OptionSpec("seed", value: "N", default: "random", help: "the rounds' shuffle seed (recorded in the CSV's order_seed column)"),
            OptionSpec("results", value: "DIR", default: "results", help: "where CSVs and charts go"),
            OptionSpec("no-plot", help: "do not render charts"),
            OptionSpec("yes", help: "run a sweep beyond the size bound (\(groupedThousands(SweepSize.maximumRuns)) runs or \(Int(SweepSize.maximumSeconds / 3600)) h estimated)"),
            OptionSpec("verify-syscalls", help: "confirm the server's syscall counts with perf (each run)"),
            OptionSpec("profile", help: "profile the server's CPU over each window (as the sweep key 'profile = yes'); stacks in RESULTS/NAME-profiles/"),
        ],
        acceptsPositionals: true)

    /// NAME → Benchmarks/NAME.sweep; a path stays a path.
    static func sweepPath(_ argument: String?) -> String {
        guard let argument else { return defaultSweep }
        if argument.contains("/") || argument.hasSuffix(".sweep") { return argument }
        return "Benchmarks/\(argument).sweep"
    }
}

public func runSweep(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    switch parseSubcommand(SweepCommand.parser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
    }
    guard parsed.positionals.count <= 1 else {
        printError("mux-bench sweep: expected one sweep file, got \(parsed.positionals.count)")
        return ExitCode.usage.rawValue
    }
    let path = SweepCommand.sweepPath(parsed.positionals.first)
    let spec: SweepSpec
    do { spec = try SweepSpec.load(path: path) } catch {
        printError(error.description)
        return ExitCode.usage.rawValue
    }
    if spec.serverHost != nil, parsed.flags.contains("verify-syscalls") {
        printError("mux-bench sweep: --verify-syscalls: perf cannot count the syscalls of a server behind \(path)'s server-host")
        return ExitCode.usage.rawValue
    }
    let results = parsed.string("results") ?? "results"
    let csvPath = "\(results)/\(spec.name).csv"
    let summaryPath = "\(results)/\(spec.name)-summary.csv"
    let resume = parsed.flags.contains("resume")
    let requestedOrder: String
    let requestedSeed: Int?
    do {
        requestedOrder = try parsed.choice("order", ["rounds", "sequential"]) ?? "rounds"
        requestedSeed = try parsed.int("seed", in: 0...Int.max)
    } catch {
        printError(error.description)
        return ExitCode.usage.rawValue
    }

    // Everything before the first run costs time and memory proportional to the points, never to
    // points × repetitions; until prepareToMeasure installs the handler, Ctrl-C simply ends it.
    let points = spec.points()
    var outcomes: [PointOutcome] = []
    for point in points {
        if let reason = skipReason(for: point) {
            outcomes.append(PointOutcome(point: point, status: .skipped, reason: reason))
        }
    }
    let skippedIDs = Set(outcomes.map(\.pointID))
    var state = ResumeState(existing: CSVTable(header: ResultsSchema.columns), points: points, repetitions: spec.repetitions)
    var recordedSeed: UInt64?
    if resume {
        let existing: CSVTable
        switch ResumeRead.results(at: csvPath, backupSuffix: timestampNow().replacingOccurrences(of: ":", with: ""),
                                  note: { printError("mux-bench sweep: \($0)") }) {
        case let .table(table): existing = table
        case .missing: existing = CSVTable(header: ResultsSchema.columns)
        case let .refused(problem, status):
            printError("mux-bench sweep: \(problem)")
            return status
        }
        state = ResumeState(existing: existing, points: points, repetitions: spec.repetitions)
        if !state.conflicts.isEmpty {
            printError("mux-bench sweep: cannot resume: \(csvPath) has rows measured with other settings: \(state.conflicts[0])")
            return ExitCode.failure.rawValue
        }
        recordedSeed = existing.rows.lazy.compactMap { $0["order_seed"].flatMap { UInt64($0) } }.first
    }
    let size = SweepSize(points: points, repetitions: spec.repetitions, skipped: skippedIDs, state: state,
                         searches: spec.search == nil ? 0 : spec.searchPoints().count)
    if size.exceedsBound, !parsed.flags.contains("yes") {
        printError("mux-bench sweep: \(path): \(groupedThousands(size.runs)) runs to do (\(groupedThousands(points.count)) points × "
            + "\(spec.repetitions) repetitions), \(size.estimate): beyond \(groupedThousands(SweepSize.maximumRuns)) runs or "
            + "\(Int(SweepSize.maximumSeconds / 3600)) h; pass --yes to run it anyway")
        return ExitCode.usage.rawValue
    }

    // Before anything runs: the results directory must be writable and the CSV compatible.
    if !resume, FileManager.default.fileExists(atPath: csvPath) {
        let aside = "\(results)/\(spec.name).\(timestampNow().replacingOccurrences(of: ":", with: "")).csv"
        guard rename(csvPath, aside) == 0 else {
            printError("mux-bench sweep: cannot move the earlier \(csvPath) aside: \(String(cString: strerror(errno)))")
            return ExitCode.failure.rawValue
        }
        printError("earlier results moved to \(aside) (use --resume to continue a sweep instead)")
        LoadHostRecords.moveAside(besides: csvPath, to: aside)
    }
    if let problem = prepareOutput(csvPath) {
        printError("mux-bench sweep: \(problem)")
        return ExitCode.failure.rawValue
    }
    // A resumed sweep keeps the seed its rows recorded, so the missing runs keep their rounds' order.
    let order: SweepOrder = requestedOrder == "sequential"
        ? .sequential : .rounds(seed: requestedSeed.map(UInt64.init) ?? recordedSeed ?? SweepOrder.randomSeed())

    guard let (system, binaries) = prepareToMeasure(serverHost: spec.serverHost) else { return ExitCode.failure.rawValue }
    let runnable = order.runs(of: points, repetitions: spec.repetitions).lazy.filter { run in
        !skippedIDs.contains(run.point.id) && !state.isMeasured(pointID: run.point.id, rep: run.rep)
    }
    let skipped = outcomes.count
    let done = points.count * spec.repetitions - size.runs - skipped * spec.repetitions
    printError("sweep \(spec.name): \(points.count) points × \(spec.repetitions) repetitions; \(size.runs) runs to do"
        + (done > 0 ? ", \(done) already measured" : "") + (skipped > 0 ? ", \(skipped) points skipped" : "")
        + "; \(size.estimate)")
    switch order {
    case let .rounds(seed): printError("order: \(spec.repetitions) round(s), each point once per round, shuffled with --seed \(seed)")
    case .sequential: printError("order: sequential (each point's repetitions back to back)")
    }
    for outcome in outcomes { printError("  skipped \(outcome.pointID): \(outcome.reason)") }

    let progress = Progress(total: size.runs, secondsPerRun: size.runs > 0 ? size.runSeconds / Double(size.runs) : 0)
    var failedPoints = Set<String>()
    var interrupted = false
    // From the points, not the runs: the run list is lazy and may be far too long to hold.
    let floor = LoopbackFloor.once(for: size.runs > 0 ? points.filter { !skippedIDs.contains($0.id) } : [],
                                   elsewhere: spec.serverHost != nil || spec.loadHosts != nil)
    for (index, run) in runnable.enumerated() {
        if failedPoints.contains(run.point.id) { continue }
        progress.starting(index, label: "\(run.point.id) rep \(run.rep)")
        var runner = PointRunner(point: run.point, repetition: run.rep, system: system, binaries: binaries)
        runner.verifySyscalls = parsed.flags.contains("verify-syscalls")
        runner.loadHosts = spec.loadHosts?.recording(to: LoadHostRecords.csvPath(besides: csvPath))
        runner.serverHost = spec.serverHost
        runner.floorMicroseconds = floor
        if spec.profile || parsed.flags.contains("profile") { runner.profileDirectory = WindowProfile.directory(besides: csvPath) }
        switch runner.run() {
        case .measured(var row, let notes):
            row["order_seed"] = order.seedColumn
            do { try CSVTable.append(row, to: csvPath, columns: ResultsSchema.columns) } catch {
                progress.finishLine()
                printError("mux-bench sweep: \(error); rows measured before are intact in \(csvPath)")
                return ExitCode.failure.rawValue
            }
            progress.finished(index, line: "\(run.point.id) rep \(run.rep): " + describe(row), notes: notes + warnings(for: row))
        case let .failed(reason):
            failedPoints.insert(run.point.id)
            outcomes.append(PointOutcome(point: run.point, status: .failed, reason: reason))
            progress.finished(index, line: "\(run.point.id) rep \(run.rep): FAILED: \(reason)", notes: [])
        case .interrupted:
            interrupted = true
        }
        if interrupted { break }
    }
    progress.finishLine()

    if let search = spec.search, !interrupted {
        let onDisk: CSVTable?
        do { onDisk = resume ? try CSVTable.read(path: csvPath, requireLineEnd: true) : nil } catch {
            printError("mux-bench sweep: \(error)")
            return ExitCode.failure.rawValue
        }
        let finished = SweepSearch.finishedSearches(in: onDisk)
        let searchPoints = spec.searchPoints().filter { skipReason(for: $0) == nil }
        let toSearch = searchPoints.filter { !finished.contains($0.searchID) }
        printError("search: highest rate with \(search.label) and ≥ 99% delivered, at \(toSearch.count) point(s)"
            + (finished.count > 0 ? " (\(searchPoints.count - toSearch.count) already answered)" : ""))
        var searcher = SweepSearch(spec: spec, search: search, system: system, binaries: binaries, csvPath: csvPath)
        searcher.verifySyscalls = parsed.flags.contains("verify-syscalls")
        for point in toSearch {
            let result: SearchResult
            do {
                let (found, stopped) = try searcher.run(point, recorded: SweepSearch.recordedProbes(of: point.searchID, in: onDisk)) {
                    printError("  \(point.searchID): \($0)")
                }
                if stopped { interrupted = true; break }
                result = found
            } catch {
                printError("mux-bench sweep: \(error); rows measured before are intact in \(csvPath)")
                return ExitCode.failure.rawValue
            }
            if let rate = result.rate {
                printError("  \(point.searchID): max sustainable rate \(formatCompactNumber(rate)) req/s"
                    + (result.clientLimited ? " (above it the load generator was the limit)" : ""))
            } else {
                var parameters = point.rowParameters
                parameters["point"] = point.searchID
                parameters["rate_target_rps"] = ""
                let reason = "\(search.reasonPrefix): \(result.problem ?? "no answer")"
                outcomes.append(PointOutcome(parameters: parameters, status: .skipped, reason: reason))
                printError("  \(point.searchID): \(reason)")
            }
        }
    }

    // The summary covers every point with rows, also after an interruption.
    // A file that cannot be read back is said, never summarised as empty over the last summary.
    let rows: [[String: String]]
    do { rows = try CSVTable.read(path: csvPath, requireLineEnd: true).rows } catch {
        printError("mux-bench sweep: \(error); the summary was not written")
        return ExitCode.failure.rawValue
    }
    let summary = SweepSummary.summarize(rows: rows, outcomes: outcomes, pointOrder: points.map(\.id),
                                         search: spec.search)
    do { try summary.write(to: summaryPath) } catch {
        printError("mux-bench sweep: \(error)")
        return ExitCode.failure.rawValue
    }
    printError("rows:    \(csvPath)")
    printError("summary: \(summaryPath)")
    if interrupted {
        printError("interrupted \(Interruption.cause): every finished row is in \(csvPath); continue with: \(resumeCommand(arguments, order: order))")
        return 130
    }
    if !parsed.flags.contains("no-plot") {
        if gnuplotPath() == nil {
            printError("charts:  not rendered: gnuplot is not installed (apt-get install gnuplot-nox), then: mux-bench plot \(spec.name)")
        } else {
            do {
                let charts = try renderCharts(summaryPath: summaryPath, outputPrefix: "\(results)/\(spec.name)", sweepName: spec.name)
                printError("charts:  " + charts.joined(separator: " "))
            } catch {
                printError("mux-bench sweep: charts not rendered: \(error)")
            }
        }
    }
    if !failedPoints.isEmpty {
        printError("\(failedPoints.count) point(s) failed; see the summary's reason column")
        return ExitCode.failure.rawValue
    }
    return ExitCode.success.rawValue
}

/// The command that continues this sweep: the same arguments (results directory and all) plus
/// `--resume`, so it finds the rows just written, and the seed, so the missing runs keep their order.
func resumeCommand(_ arguments: [String], order: SweepOrder = .sequential) -> String {
    var words = ["mux-bench", "sweep"] + arguments.filter { $0 != "--resume" } + ["--resume"]
    if case let .rounds(seed) = order, !arguments.contains(where: { $0 == "--seed" || $0.hasPrefix("--seed=") }) {
        words += ["--seed", String(seed)]
    }
    return words.map { word in
        word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:+@%,".contains($0) }) && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}

/// Progress on stderr: a live bar on a TTY, otherwise one line per run.
final class Progress {
    /// Runs in all; `ab` raises it when it runs blocks in place of set-aside ones.
    var total: Int
    let secondsPerRun: Double
    let isTTY = isatty(STDERR_FILENO) == 1
    let started = monotonicNanoseconds()

    init(total: Int, secondsPerRun: Double) {
        self.total = total
        self.secondsPerRun = secondsPerRun
    }

    private func eta(_ index: Int) -> String {
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        let perRun = index > 0 ? elapsed / Double(index) : secondsPerRun
        let left = Int(perRun * Double(total - index))
        return left >= 60 ? "\(left / 60)m\(left % 60)s" : "\(left)s"
    }

    func starting(_ index: Int, label: String) {
        guard isTTY else { return }
        let width = 24
        let filled = total > 0 ? width * index / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(index + 1)/\(total) \(label)  ETA \(eta(index))".utf8))
    }

    func finished(_ index: Int, line: String, notes: [String]) {
        if isTTY { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printError("[\(index + 1)/\(total)] \(line)")
        for note in notes { printError("    \(note)") }
    }

    func finishLine() {
        if isTTY { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// A line between runs that is not a run's.
    func note(_ text: String) {
        finishLine()
        printError(text)
    }
}
