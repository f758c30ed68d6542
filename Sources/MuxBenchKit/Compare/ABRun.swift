// One `mux-bench ab`, as the steps runAB takes in order: the command line checked before anything
// is built, the two CSVs prepared, the builds, the ABBA blocks, then the verdicts and the exit
// status. A step that ends the command early throws CommandExit.
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

struct ABRun {
    let parsed: ParsedArguments
    let base: String?, head: String?
    let figures: [JudgedFigure]
    let maxSteal: Double?
    let spec: SweepSpec
    /// --base-build (and --head-build): executables given, nothing to build.
    let prebuilt: (base: ABBuild, head: ABBuild)?
    let points: [SweepPoint]
    let blocks: Int, maxBlocks: Int
    let basePath: String, headPath: String

    /// Everything that can be wrong with the command line, found before anything is built (exit 2).
    init(arguments: [String]) throws(CommandExit) {
        switch parseSubcommand(ABCommand.parser, arguments) {
        case let .run(arguments): parsed = arguments
        case let .exit(status): throw CommandExit(status: status)
        }
        func usage(_ message: String) -> CommandExit { .saying("mux-bench ab: \(message)", .usage) }
        base = parsed.string("base")
        head = parsed.string("head")
        let baseBuild = parsed.string("base-build"), headBuild = parsed.string("head-build")
        if base != nil && baseBuild != nil { throw usage("--base and --base-build exclude each other") }
        if head != nil && headBuild != nil { throw usage("--head and --head-build exclude each other") }
        if base == nil && baseBuild == nil { throw usage("--base REV (or --base-build DIR) is required") }
        if baseBuild != nil && head != nil { throw usage("--head REV needs --base REV (prebuilt and built revisions do not mix)") }
        guard parsed.positionals.count <= 1 else { throw usage("expected one sweep file, got \(parsed.positionals.count)") }
        switch configureFigures(ABCommand.figures, gate: parsed.string("gate"), thresholds: parsed.string("threshold")) {
        case let .success(configured): figures = configured
        case let .failure(problem): throw usage(problem.message)
        }
        let blocksOption: Int?, maxBlocksOption: Int?
        do { blocksOption = try parsed.int("blocks", in: 1...1000) } catch { throw usage(error.message) }
        do { maxBlocksOption = try parsed.int("max-blocks", in: 1...3000) } catch { throw usage(error.message) }
        maxSteal = try Self.maxSteal(parsed.string("max-steal"))
        let path = parsed.positionals.first.map { SweepCommand.sweepPath($0) } ?? ABCommand.defaultSweep
        do { spec = try SweepSpec.load(path: path) } catch { throw .saying(error.description, .usage) }
        if let baseBuild { prebuilt = try Self.prebuilt(base: baseBuild, head: headBuild) } else { prebuilt = nil }
        points = spec.points().filter { skipReason(for: $0) == nil }
        guard !points.isEmpty else { throw usage("\(path): no point of this sweep can run") }
        blocks = blocksOption ?? max(1, (spec.repetitions + 1) / 2)
        maxBlocks = maxBlocksOption ?? 3 * blocks
        if maxBlocks < blocks { throw usage("--max-blocks \(maxBlocks) is below the \(blocks) blocks wanted per point") }
        let results = parsed.string("results") ?? "results"
        basePath = "\(results)/\(spec.name)-ab-base.csv"
        headPath = "\(results)/\(spec.name)-ab-head.csv"
    }

    /// --max-steal: a percentage (5 by default), or nil for 'off'.
    private static func maxSteal(_ text: String?) throws(CommandExit) -> Double? {
        guard let text else { return 5 }
        if text == "off" { return nil }
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Double(number), value >= 0, value <= 100 else {
            throw .saying("mux-bench ab: --max-steal: expected a percentage from 0 to 100 (e.g. 5) or 'off', got '\(text)'", .usage)
        }
        return value
    }

    /// The executables in --base-build and --head-build (by default those beside this mux-bench).
    private static func prebuilt(base baseBuild: String, head headDirectory: String?) throws(CommandExit) -> (base: ABBuild, head: ABBuild) {
        let baseExecutables: MeasuredBinaries, headExecutables: MeasuredBinaries
        switch MeasuredBinaries.inDirectory(baseBuild, commit: "build:\(baseBuild)") {
        case let .success(found): baseExecutables = found
        case let .failure(problem): throw .saying("mux-bench ab: --base-build: \(problem.message)", .usage)
        }
        if let headDirectory {
            switch MeasuredBinaries.inDirectory(headDirectory, commit: "build:\(headDirectory)") {
            case let .success(found): headExecutables = found
            case let .failure(problem): throw .saying("mux-bench ab: --head-build: \(problem.message)", .usage)
            }
        } else {
            do { headExecutables = try MeasuredBinaries.prepare() } catch { throw .saying("mux-bench ab: \(error)", .failure) }
        }
        return (ABBuild(label: "build:\(baseBuild)", executables: baseExecutables),
                ABBuild(label: "build:\(headDirectory ?? "beside mux-bench")", executables: headExecutables))
    }

    /// Earlier CSVs moved aside (`.old`); both writable.
    func prepareCSVs() throws(CommandExit) {
        for csv in [basePath, headPath] {
            if FileManager.default.fileExists(atPath: csv) {
                guard rename(csv, csv + ".old") == 0 else {
                    throw .saying("mux-bench ab: cannot move the earlier \(csv) aside: \(String(cString: strerror(errno)))", .failure)
                }
            }
            if let problem = prepareOutput(csv) { throw .saying("mux-bench ab: \(problem)", .failure) }
        }
    }

    /// The two builds: given, or built now (a minute or more each, before any measuring: a build
    /// never overlaps a run), with the scratch folder that holds them.
    func builds() throws(CommandExit) -> (builds: (base: ABBuild, head: ABBuild), scratch: ABScratch?) {
        if let prebuilt { return (prebuilt, nil) }
        do {
            let space = try ABScratch(keep: parsed.flags.contains("keep-builds"))
            printError("ab: building base \(base!) and head \(head ?? "(the work tree)") in release under \(space.path)")
            let started = monotonicNanoseconds()
            let baseBuilt = try ABBuilder.build(name: "base", revision: base, scratch: space)
            let headBuilt = try ABBuilder.build(name: "head", revision: head, scratch: space)
            printError("ab: built \(baseBuilt.label) and \(headBuilt.label) in \(Int(Double(monotonicNanoseconds() - started) / 1e9)) s")
            return ((baseBuilt, headBuilt), space)
        } catch let error as ABBuildError {
            throw .saying("mux-bench ab: \(error)", error.isUsageError ? .usage : .failure)
        } catch {
            throw .saying("mux-bench ab: \(error)", .failure)
        }
    }

    /// What is about to run, and a warning when no change could be significant.
    func announce(_ builds: (base: ABBuild, head: ABBuild)) {
        let tests = points.count * max(1, figures.filter(\.gated).count)
        let needed = ABJudgement.blocksToDetect(tests: tests)
        printError("ab \(spec.name): \(points.count) points × \(blocks) ABBA blocks = \(points.count * blocks * 4) runs; "
            + "A = \(builds.base.label), B = \(builds.head.label)")
        if blocks < needed {
            printError("ab: warning: with \(blocks) blocks and \(tests) tests (Holm) no change can be significant; use --blocks \(needed) or more")
        }
    }

    /// The ABBA blocks, every row appended to the two CSVs as it is measured.
    func measure(_ builds: (base: ABBuild, head: ABBuild)) throws(CommandExit) -> ABBlockRunner.Outcome {
        var runner = ABBlockRunner(points: points, blocks: blocks, maxBlocks: maxBlocks, maxSteal: maxSteal, builds: builds, figures: figures,
                                   csvPaths: (basePath, headPath), system: prepareABMeasurement())
        runner.profile = profile
        let measured = runner.run()
        if let problem = measured.writeError { throw .saying("mux-bench ab: \(problem)", .failure) }
        return measured
    }

    var profile: Bool { spec.profile || parsed.flags.contains("profile") }
}

extension ABRun {
    /// The paired blocks judged, on stderr as a table (and the profile's shift) and on stdout as
    /// one JSON line per point and figure.
    func judge(_ measured: ABBlockRunner.Outcome, builds: (base: ABBuild, head: ABBuild)) -> [ABFigureJudgement] {
        var judged = ABJudgement.judge(measured.series)
        for index in judged.indices where judged[index].figure.stealSensitive {
            judged[index].blocksSetAside = measured.setAside[judged[index].point] ?? 0
        }
        if !measured.setAside.isEmpty, let maxSteal {
            printError("ab: blocks set aside for steal time ≥ \(formatCompactNumber(maxSteal))% (the hypervisor took the CPUs; their rows stay in the CSVs): "
                + points.compactMap { p in measured.setAside[p.id].map { "\(p.id) \($0)" } }.joined(separator: ", "))
        }
        printError(renderABTable(judged, base: builds.base.label, head: builds.head.label))
        if profile, let a = try? CSVTable.read(path: basePath), let b = try? CSVTable.read(path: headPath) {
            for line in ProfileShift.report(old: a.rows, new: b.rows, oldPath: basePath, newPath: headPath) { printError(line) }
        }
        for j in judged {
            printLine(abJSONLine(j))
        }
        return judged
    }

    /// The exit status: 3 when a gated figure regressed (with --strict also when one stays
    /// unknown), 130 after an interruption, 1 when a point has no complete block; and the
    /// summary line that says it.
    func exitStatus(_ judged: [ABFigureJudgement], measured: ABBlockRunner.Outcome, builds: (base: ABBuild, head: ABBuild)) -> Int32 {
        let gated = judged.filter(\.figure.gated)
        let regressed = gated.filter { $0.verdict == .regressed }.count
        let unknown = gated.filter { $0.verdict == .unknown }.count + unjudgedFigures(judged, measured: measured).count
        let missing = points.filter { p in !judged.contains { $0.point == p.id } }.map(\.id)
        var status = regressed > 0 || (parsed.flags.contains("strict") && unknown > 0) ? ExitCode.regression.rawValue : ExitCode.success.rawValue
        if measured.interrupted { status = 130 }
        else if !missing.isEmpty, regressed == 0 { status = ExitCode.failure.rawValue }
        printLine("{\"type\":\"ab-summary\",\"base\":\"\(jsonEscaped(builds.base.label))\",\"head\":\"\(jsonEscaped(builds.head.label))\","
            + "\"regressed\":\(regressed),\"same\":\(gated.filter { $0.verdict == .same }.count),\"unknown\":\(unknown),\"exit\":\(status)}")
        printError("rows:    \(basePath) (A), \(headPath) (B)")
        for id in missing {
            if let stolen = measured.setAside[id] {
                printError("ab: no clean block for \(id): all \(stolen) complete ones were set aside for steal time "
                    + "(a quieter machine or time, more --max-blocks, or --max-steal off)")
            } else {
                printError("ab: no complete block for \(id): see the FAILED lines above")
            }
        }
        if measured.interrupted { printError("interrupted: judged the blocks finished so far") }
        return status
    }

    /// A gated figure left with no clean block (every one set aside for steal) is unknown too;
    /// each is said on stderr.
    private func unjudgedFigures(_ judged: [ABFigureJudgement], measured: ABBlockRunner.Outcome) -> [String] {
        var unjudged: [String] = []
        for point in points where judged.contains(where: { $0.point == point.id }) {
            for figure in figures where figure.gated && !judged.contains(where: { $0.point == point.id && $0.figure.name == figure.name }) {
                unjudged.append("\(point.id) \(figure.label)")
                printError("ab: no clean block for \(point.id) \(figure.label): all \(measured.setAside[point.id] ?? 0) complete ones were "
                    + "set aside for steal time (a quieter machine or time, more --max-blocks, or --max-steal off); unknown")
            }
        }
        return unjudged
    }
}

/// `ab` measures builds it was given or made, each labelled with its own commit: only the
/// machine needs preparing, not the binaries beside this mux-bench.
private func prepareABMeasurement() -> SystemInfo {
    Interruption.install()
    return prepareMachine(commit: "")
}
