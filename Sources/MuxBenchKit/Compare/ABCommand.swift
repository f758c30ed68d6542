// `mux-bench ab --base REV [--head REV] [SWEEP]`: an A/B of two builds on this machine, now.
// Both builds run every point in ABBA blocks (A B B A, so a linear drift cancels within a block;
// every second block B A A B, so the position in a block cancels too), block after block over all
// points; the paired blocks are judged by ABJudgement. Exit 3 when a
// gated figure regressed (with --strict also when one stays unknown), 0 otherwise, 2 on bad input.
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics

public enum ABCommand {
    public static let defaultSweep = "Benchmarks/ab.sweep"
    /// The figures ab judges: the gated ones and throughput. Latency is left out: in closed loop
    /// it is connections ÷ throughput (Little's law) and adds tests (Holm) without adding news.
    /// CPU per request is judged at 2% here, not compare's 3%: blocks measured interleaved on the
    /// same machine are tighter: in 10 A/A runs of the default sweep on the 2-vCPU VM every 90%
    /// interval contained zero, the highest lower bound −0.3% (README, "What it catches, measured").
    static let figures: [JudgedFigure] = JudgedFigure.defaults.filter { $0.gated || $0.name == "throughput_rps" }.map {
        var figure = $0
        if figure.name == "server_cpu_us_per_req" { figure.threshold = 0.02 }
        return figure
    }

    public static let parser = ArgumentParser(
        program: "mux-bench ab",
        summary: """
        Builds two revisions side by side (exported to a temporary folder, release builds with their
        own scratch paths: the work tree and its .build are never touched), runs the sweep's points
        with both in ABBA blocks and judges the paired blocks: a one-sided exact signed-rank test on
        the log ratios B/A, the Hodges–Lehmann change with its exact 90% interval, Holm across points
        × gated figures (the shown ones are corrected among themselves). Verdicts: regressed (exit 3), same, unknown (more blocks needed; exit 0 unless
        --strict). Raw rows go to RESULTS/NAME-ab-base.csv and -ab-head.csv (mux-bench compare reads them).
        Default thresholds (from A/A runs on a 2-vCPU VM; confirm yours with Benchmarks/tools/ab-proof.sh):
        \(figures.map { "\($0.label) \(formatPercentMagnitude($0.threshold))\($0.gated ? " (gated)" : "")" }.joined(separator: ", ")).
        """,
        usage: "mux-bench ab (--base REV [--head REV] | --base-build DIR [--head-build DIR]) [options] [SWEEP]   (default \(defaultSweep))",
        options: [
            OptionSpec("base", value: "REV", help: "the revision to compare against (built in release)"),
            OptionSpec("head", value: "REV", help: "the revision under test (default: the work tree as it is)"),
            OptionSpec("base-build", value: "DIR", help: "a folder holding a prebuilt mux-server and mux-load, instead of --base"),
            OptionSpec("head-build", value: "DIR", help: "the same for the head (default with --base-build: those beside this mux-bench)"),
            OptionSpec("blocks", value: "N", help: "ABBA blocks per point (default: half the sweep's repetitions, rounded up)"),
            OptionSpec("max-blocks", value: "N", help: "the most blocks per point, set-aside ones included (default: 3 × --blocks)"),
            OptionSpec("max-steal", value: "PCT", default: "5", help: "set aside a block whose runs saw this much steal time or more (% of the CPUs; 'off': never)"),
            OptionSpec("strict", help: "a gated figure that stays unknown also exits 3"),
            OptionSpec("gate", value: "LIST", default: "server_cpu_us_per_req,sc_per_req", help: "figures whose regression exits 3"),
            OptionSpec("threshold", value: "FIG=PCT,...", help: "noise thresholds, e.g. cpu/req=2%"),
            OptionSpec("results", value: "DIR", default: "results", help: "where the two raw CSVs go"),
            OptionSpec("keep-builds", help: "keep the temporary sources and builds (their folder is printed)"),
            OptionSpec("profile", help: "profile the server over every run (as the sweep key 'profile = yes'); prints which categories moved"),
        ],
        acceptsPositionals: true)
}

public func runAB(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    switch parseSubcommand(ABCommand.parser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
    }
    func usage(_ message: String) -> Int32 {
        printError("mux-bench ab: \(message)")
        return ExitCode.usage.rawValue
    }
    // Everything that can be wrong with the command line is found before anything is built.
    let base = parsed.string("base"), head = parsed.string("head")
    let baseBuild = parsed.string("base-build"), headBuild = parsed.string("head-build")
    if base != nil && baseBuild != nil { return usage("--base and --base-build exclude each other") }
    if head != nil && headBuild != nil { return usage("--head and --head-build exclude each other") }
    if base == nil && baseBuild == nil { return usage("--base REV (or --base-build DIR) is required") }
    if baseBuild != nil && head != nil { return usage("--head REV needs --base REV (prebuilt and built revisions do not mix)") }
    guard parsed.positionals.count <= 1 else { return usage("expected one sweep file, got \(parsed.positionals.count)") }
    let figures: [JudgedFigure]
    switch configureFigures(ABCommand.figures, gate: parsed.string("gate"), thresholds: parsed.string("threshold")) {
    case let .success(configured): figures = configured
    case let .failure(problem): return usage(problem.message)
    }
    let blocksOption: Int?
    do { blocksOption = try parsed.int("blocks", in: 1...1000) } catch { return usage(error.message) }
    let maxBlocksOption: Int?
    do { maxBlocksOption = try parsed.int("max-blocks", in: 1...3000) } catch { return usage(error.message) }
    var maxSteal: Double? = 5
    if let text = parsed.string("max-steal") {
        if text == "off" {
            maxSteal = nil
        } else {
            let number = text.hasSuffix("%") ? String(text.dropLast()) : text
            guard let value = Double(number), value >= 0, value <= 100 else {
                return usage("--max-steal: expected a percentage from 0 to 100 (e.g. 5) or 'off', got '\(text)'")
            }
            maxSteal = value
        }
    }
    let path = parsed.positionals.first.map { SweepCommand.sweepPath($0) } ?? ABCommand.defaultSweep
    let spec: SweepSpec
    do { spec = try SweepSpec.load(path: path) } catch {
        printError(error.description)
        return ExitCode.usage.rawValue
    }
    var prebuilt: (base: ABBuild, head: ABBuild)?
    if let baseBuild {
        let headDirectory = headBuild
        let baseExecutables: MeasuredBinaries, headExecutables: MeasuredBinaries
        switch MeasuredBinaries.inDirectory(baseBuild, commit: "build:\(baseBuild)") {
        case let .success(found): baseExecutables = found
        case let .failure(problem): return usage("--base-build: \(problem.message)")
        }
        if let headDirectory {
            switch MeasuredBinaries.inDirectory(headDirectory, commit: "build:\(headDirectory)") {
            case let .success(found): headExecutables = found
            case let .failure(problem): return usage("--head-build: \(problem.message)")
            }
        } else {
            do { headExecutables = try MeasuredBinaries.prepare() } catch {
                printError("mux-bench ab: \(error)")
                return ExitCode.failure.rawValue
            }
        }
        prebuilt = (ABBuild(label: "build:\(baseBuild)", executables: baseExecutables),
                    ABBuild(label: "build:\(headDirectory ?? "beside mux-bench")", executables: headExecutables))
    }
    let points = spec.points().filter { skipReason(for: $0) == nil }
    guard !points.isEmpty else { return usage("\(path): no point of this sweep can run") }
    let blocks = blocksOption ?? max(1, (spec.repetitions + 1) / 2)
    let maxBlocks = maxBlocksOption ?? 3 * blocks
    if maxBlocks < blocks { return usage("--max-blocks \(maxBlocks) is below the \(blocks) blocks wanted per point") }
    let results = parsed.string("results") ?? "results"
    let basePath = "\(results)/\(spec.name)-ab-base.csv", headPath = "\(results)/\(spec.name)-ab-head.csv"
    for csv in [basePath, headPath] {
        if FileManager.default.fileExists(atPath: csv) {
            guard rename(csv, csv + ".old") == 0 else {
                printError("mux-bench ab: cannot move the earlier \(csv) aside: \(String(cString: strerror(errno)))")
                return ExitCode.failure.rawValue
            }
        }
        if let problem = prepareOutput(csv) {
            printError("mux-bench ab: \(problem)")
            return ExitCode.failure.rawValue
        }
    }

    // Builds: a minute or more each, before any measuring (a build never overlaps a run).
    let builds: (base: ABBuild, head: ABBuild)
    var scratch: ABScratch?
    if let prebuilt {
        builds = prebuilt
    } else {
        do {
            let space = try ABScratch(keep: parsed.flags.contains("keep-builds"))
            scratch = space
            printError("ab: building base \(base!) and head \(head ?? "(the work tree)") in release under \(space.path)")
            let started = monotonicNanoseconds()
            let baseBuilt = try ABBuilder.build(name: "base", revision: base, scratch: space)
            let headBuilt = try ABBuilder.build(name: "head", revision: head, scratch: space)
            builds = (baseBuilt, headBuilt)
            printError("ab: built \(baseBuilt.label) and \(headBuilt.label) in \(Int(Double(monotonicNanoseconds() - started) / 1e9)) s")
        } catch let error as ABBuildError {
            printError("mux-bench ab: \(error)")
            return error.isUsageError ? ExitCode.usage.rawValue : ExitCode.failure.rawValue
        } catch {
            printError("mux-bench ab: \(error)")
            return ExitCode.failure.rawValue
        }
    }
    defer { withExtendedLifetime(scratch) {} }

    let tests = points.count * max(1, figures.filter(\.gated).count)
    let needed = ABJudgement.blocksToDetect(tests: tests)
    printError("ab \(spec.name): \(points.count) points × \(blocks) ABBA blocks = \(points.count * blocks * 4) runs; "
        + "A = \(builds.base.label), B = \(builds.head.label)")
    if blocks < needed {
        printError("ab: warning: with \(blocks) blocks and \(tests) tests (Holm) no change can be significant; use --blocks \(needed) or more")
    }

    var runner = ABBlockRunner(points: points, blocks: blocks, maxBlocks: maxBlocks, maxSteal: maxSteal, builds: builds, figures: figures,
                               csvPaths: (basePath, headPath), system: prepareABMeasurement())
    runner.profile = spec.profile || parsed.flags.contains("profile")
    let measured = runner.run()
    if let problem = measured.writeError {
        printError("mux-bench ab: \(problem)")
        return ExitCode.failure.rawValue
    }
    let interrupted = measured.interrupted
    let series = measured.series
    var judged = ABJudgement.judge(series)
    for index in judged.indices where judged[index].figure.stealSensitive {
        judged[index].blocksSetAside = measured.setAside[judged[index].point] ?? 0
    }
    if !measured.setAside.isEmpty, let maxSteal {
        printError("ab: blocks set aside for steal time ≥ \(formatCompactNumber(maxSteal))% (the hypervisor took the CPUs; their rows stay in the CSVs): "
            + points.compactMap { p in measured.setAside[p.id].map { "\(p.id) \($0)" } }.joined(separator: ", "))
    }
    printError(renderABTable(judged, base: builds.base.label, head: builds.head.label))
    if runner.profile, let a = try? CSVTable.read(path: basePath), let b = try? CSVTable.read(path: headPath) {
        for line in ProfileShift.report(old: a.rows, new: b.rows, oldPath: basePath, newPath: headPath) { printError(line) }
    }
    for j in judged {
        printLine(abJSONLine(j))
    }
    let gated = judged.filter(\.figure.gated)
    let regressed = gated.filter { $0.verdict == .regressed }.count
    // A gated figure left with no clean block (every one set aside for steal) is unknown too.
    var unjudged: [String] = []
    for point in points where judged.contains(where: { $0.point == point.id }) {
        for figure in figures where figure.gated && !judged.contains(where: { $0.point == point.id && $0.figure.name == figure.name }) {
            unjudged.append("\(point.id) \(figure.label)")
            printError("ab: no clean block for \(point.id) \(figure.label): all \(measured.setAside[point.id] ?? 0) complete ones were "
                + "set aside for steal time (a quieter machine or time, more --max-blocks, or --max-steal off); unknown")
        }
    }
    let unknown = gated.filter { $0.verdict == .unknown }.count + unjudged.count
    let missing = points.filter { p in !judged.contains { $0.point == p.id } }.map(\.id)
    var status = regressed > 0 || (parsed.flags.contains("strict") && unknown > 0) ? ExitCode.regression.rawValue : ExitCode.success.rawValue
    if interrupted { status = 130 }
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
    if interrupted { printError("interrupted: judged the blocks finished so far") }
    return status
}

/// `ab` measures builds it was given or made, each labelled with its own commit: only the
/// machine needs preparing, not the binaries beside this mux-bench.
private func prepareABMeasurement() -> SystemInfo {
    Interruption.install()
    return prepareMachine(commit: "")
}
