// One `mux-bench sweep`, as the steps runSweep takes in order: read the command line and the
// file, what --resume finds, the size bound, the results file, the machine, then the runs, the
// rate searches, the summary and the charts. A step that ends the sweep early throws CommandExit.
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

struct SweepRun {
    let arguments: [String]
    let parsed: ParsedArguments
    let path: String
    let spec: SweepSpec
    let csvPath: String
    let summaryPath: String
    let resume: Bool
    let requestedOrder: String
    let requestedSeed: Int?
    let points: [SweepPoint]
    let skippedIDs: Set<String>
    /// Skipped points at first; failed points and unanswered searches join them.
    var outcomes: [PointOutcome]
    var state: ResumeState
    /// The seed the rows on disk recorded (--resume).
    var recordedSeed: UInt64?
    var order: SweepOrder = .sequential
    var failedPoints = Set<String>()
    var interrupted = false

    var results: String { parsed.string("results") ?? "results" }

    /// The command line and the sweep file, checked (exit 2 on bad input), and the points that
    /// cannot run at all set aside as skipped.
    init(arguments: [String]) throws(CommandExit) {
        self.arguments = arguments
        switch parseSubcommand(SweepCommand.parser, arguments) {
        case let .run(arguments): parsed = arguments
        case let .exit(status): throw CommandExit(status: status)
        }
        guard parsed.positionals.count <= 1 else {
            throw .saying("mux-bench sweep: expected one sweep file, got \(parsed.positionals.count)", .usage)
        }
        path = SweepCommand.sweepPath(parsed.positionals.first)
        do { spec = try SweepSpec.load(path: path) } catch { throw .saying(error.description, .usage) }
        if spec.serverHost != nil, parsed.flags.contains("verify-syscalls") {
            throw .saying("mux-bench sweep: --verify-syscalls: perf cannot count the syscalls of a server behind \(path)'s server-host", .usage)
        }
        let results = parsed.string("results") ?? "results"
        csvPath = "\(results)/\(spec.name).csv"
        summaryPath = "\(results)/\(spec.name)-summary.csv"
        resume = parsed.flags.contains("resume")
        do {
            requestedOrder = try parsed.choice("order", ["rounds", "sequential"]) ?? "rounds"
            requestedSeed = try parsed.int("seed", in: 0...Int.max)
        } catch {
            throw .saying(error.description, .usage)
        }
        // Everything before the first run costs time and memory proportional to the points, never to
        // points × repetitions; until prepareToMeasure installs the handler, Ctrl-C simply ends it.
        points = spec.points()
        outcomes = points.compactMap { point in
            skipReason(for: point).map { PointOutcome(point: point, status: .skipped, reason: $0) }
        }
        skippedIDs = Set(outcomes.map(\.pointID))
        state = ResumeState(existing: CSVTable(header: ResultsSchema.columns), points: points, repetitions: spec.repetitions)
    }

    /// With --resume: the runs already in the CSV, and the seed they recorded.
    mutating func readResumeState() throws(CommandExit) {
        guard resume else { return }
        let existing: CSVTable
        switch ResumeRead.results(at: csvPath, backupSuffix: timestampNow().replacingOccurrences(of: ":", with: ""),
                                  note: { printError("mux-bench sweep: \($0)") }) {
        case let .table(table): existing = table
        case .missing: existing = CSVTable(header: ResultsSchema.columns)
        case let .refused(problem, status):
            printError("mux-bench sweep: \(problem)")
            throw CommandExit(status: status)
        }
        state = ResumeState(existing: existing, points: points, repetitions: spec.repetitions)
        if !state.conflicts.isEmpty {
            throw .saying("mux-bench sweep: cannot resume: \(csvPath) has rows measured with other settings: \(state.conflicts[0])", .failure)
        }
        recordedSeed = existing.rows.lazy.compactMap { $0["order_seed"].flatMap { UInt64($0) } }.first
    }

    /// The runs to do; beyond the bound only with --yes (exit 2 otherwise).
    func checkSize() throws(CommandExit) -> SweepSize {
        let size = SweepSize(points: points, repetitions: spec.repetitions, skipped: skippedIDs, state: state,
                             searches: spec.search == nil ? 0 : spec.searchPoints().count)
        if size.exceedsBound, !parsed.flags.contains("yes") {
            throw .saying("mux-bench sweep: \(path): \(groupedThousands(size.runs)) runs to do (\(groupedThousands(points.count)) points × "
                + "\(spec.repetitions) repetitions), \(size.estimate): beyond \(groupedThousands(SweepSize.maximumRuns)) runs or "
                + "\(Int(SweepSize.maximumSeconds / 3600)) h; pass --yes to run it anyway", .usage)
        }
        return size
    }

    /// Before anything runs: an earlier CSV moved aside (unless resuming), the results directory
    /// writable and the CSV compatible.
    func prepareResultsFile() throws(CommandExit) {
        if !resume, FileManager.default.fileExists(atPath: csvPath) {
            let aside = "\(results)/\(spec.name).\(timestampNow().replacingOccurrences(of: ":", with: "")).csv"
            guard rename(csvPath, aside) == 0 else {
                throw .saying("mux-bench sweep: cannot move the earlier \(csvPath) aside: \(String(cString: strerror(errno)))", .failure)
            }
            printError("earlier results moved to \(aside) (use --resume to continue a sweep instead)")
            LoadHostRecords.moveAside(besides: csvPath, to: aside)
        }
        if let problem = prepareOutput(csvPath) { throw .saying("mux-bench sweep: \(problem)", .failure) }
    }

    /// A resumed sweep keeps the seed its rows recorded, so the missing runs keep their rounds' order.
    mutating func chooseOrder() {
        order = requestedOrder == "sequential"
            ? .sequential : .rounds(seed: requestedSeed.map(UInt64.init) ?? recordedSeed ?? SweepOrder.randomSeed())
    }

    /// What is about to happen, on stderr.
    func announce(_ size: SweepSize) {
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
    }

    /// Every run not yet measured, each row appended the moment it is measured; a point that
    /// fails is not run again. Stops at an interruption.
    mutating func measureRuns(_ size: SweepSize, system: SystemInfo, binaries: MeasuredBinaries) throws(CommandExit) {
        let runnable = order.runs(of: points, repetitions: spec.repetitions).lazy.filter { [skippedIDs, state] run in
            !skippedIDs.contains(run.point.id) && !state.isMeasured(pointID: run.point.id, rep: run.rep)
        }
        let progress = Progress(total: size.runs, secondsPerRun: size.runs > 0 ? size.runSeconds / Double(size.runs) : 0)
        // From the points, not the runs: the run list is lazy and may be far too long to hold.
        let floor = LoopbackFloor.once(for: size.runs > 0 ? points.filter { !skippedIDs.contains($0.id) } : [],
                                       elsewhere: spec.serverHost != nil || spec.loadHosts != nil)
        for (index, run) in runnable.enumerated() {
            if failedPoints.contains(run.point.id) { continue }
            progress.starting(index, label: "\(run.point.id) rep \(run.rep)")
            switch runner(for: run, system: system, binaries: binaries, floor: floor).run() {
            case .measured(var row, let notes):
                row["order_seed"] = order.seedColumn
                do { try CSVTable.append(row, to: csvPath, columns: ResultsSchema.columns) } catch {
                    progress.finishLine()
                    throw .saying("mux-bench sweep: \(error); rows measured before are intact in \(csvPath)", .failure)
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
    }

    /// The collector for one run, set up as the sweep file and the flags say.
    private func runner(for run: SweepRuns.Element, system: SystemInfo, binaries: MeasuredBinaries, floor: Double?) -> PointRunner {
        var runner = PointRunner(point: run.point, repetition: run.rep, system: system, binaries: binaries)
        runner.verifySyscalls = parsed.flags.contains("verify-syscalls")
        runner.loadHosts = spec.loadHosts?.recording(to: LoadHostRecords.csvPath(besides: csvPath))
        runner.serverHost = spec.serverHost
        runner.floorMicroseconds = floor
        if spec.profile || parsed.flags.contains("profile") { runner.profileDirectory = WindowProfile.directory(besides: csvPath) }
        return runner
    }

    /// The sweep's `search` at every point that can run and has no answer yet; a point without
    /// an answer joins the summary as skipped, with the search's reason.
    mutating func searchRates(system: SystemInfo, binaries: MeasuredBinaries) throws(CommandExit) {
        guard let search = spec.search, !interrupted else { return }
        let onDisk: CSVTable?
        do { onDisk = resume ? try CSVTable.read(path: csvPath, requireLineEnd: true) : nil } catch {
            throw .saying("mux-bench sweep: \(error)", .failure)
        }
        let finished = SweepSearch.finishedSearches(in: onDisk)
        let searchPoints = spec.searchPoints().filter { skipReason(for: $0) == nil }
        let toSearch = searchPoints.filter { !finished.contains($0.searchID) }
        printError("search: highest rate with \(search.label) and ≥ \(formatCompactNumber(Saturation.deliveredFraction * 100))% delivered, at \(toSearch.count) point(s)"
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
                throw .saying("mux-bench sweep: \(error); rows measured before are intact in \(csvPath)", .failure)
            }
            report(result, at: point, search: search)
        }
    }

    /// One search's answer on stderr; no answer is an outcome for the summary.
    private mutating func report(_ result: SearchResult, at point: SweepPoint, search: SearchSpec) {
        if let rate = result.rate {
            printError("  \(point.searchID): max sustainable rate \(formatCompactNumber(rate)) req/s"
                + (result.clientLimited ? " (above it the load generator was the limit)" : ""))
        } else {
            var parameters = point.rowParameters
            parameters["point"] = point.searchID
            parameters["rate_target_rps"] = ""
            let reason = "\(search.reasonPrefix): \(result.problem ?? "no answer")"
            outcomes.append(PointOutcome(parameters: parameters, status: .skipped, reason: reason, search: result.outcome))
            printError("  \(point.searchID): \(reason)")
        }
    }

    /// The summary covers every point with rows, also after an interruption. A file that cannot
    /// be read back is said, never summarised as empty over the last summary.
    func writeSummary() throws(CommandExit) {
        let rows: [[String: String]]
        do { rows = try CSVTable.read(path: csvPath, requireLineEnd: true).rows } catch {
            throw .saying("mux-bench sweep: \(error); the summary was not written", .failure)
        }
        let summary = SweepSummary.summarize(rows: rows, outcomes: outcomes, pointOrder: points.map(\.id),
                                             search: spec.search)
        do { try summary.write(to: summaryPath) } catch { throw .saying("mux-bench sweep: \(error)", .failure) }
        printError("rows:    \(csvPath)")
        printError("summary: \(summaryPath)")
    }

    /// How to resume after an interruption (130), the charts, and the exit status.
    func finish() -> Int32 {
        if interrupted {
            printError("interrupted \(Interruption.cause): every finished row is in \(csvPath); continue with: \(resumeCommand(arguments, order: order))")
            return 130
        }
        if !parsed.flags.contains("no-plot") { renderSweepCharts() }
        if !failedPoints.isEmpty {
            printError("\(failedPoints.count) point(s) failed; see the summary's reason column")
            return ExitCode.failure.rawValue
        }
        return ExitCode.success.rawValue
    }

    /// The charts where gnuplot is installed; where not, how to render them later.
    private func renderSweepCharts() {
        guard gnuplotPath() != nil else {
            printError("charts:  not rendered: gnuplot is not installed (apt-get install gnuplot-nox), then: mux-bench plot \(spec.name)")
            return
        }
        do {
            let charts = try renderCharts(summaryPath: summaryPath, outputPrefix: "\(results)/\(spec.name)", sweepName: spec.name)
            printError("charts:  " + charts.joined(separator: " "))
        } catch {
            printError("mux-bench sweep: charts not rendered: \(error)")
        }
    }
}
