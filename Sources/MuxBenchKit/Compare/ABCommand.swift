// `mux-bench ab --base REV [--head REV] [SWEEP]`: an A/B of two builds on this machine, now.
// Both builds run every point in ABBA blocks (A B B A, so a linear drift cancels within a block;
// every second block B A A B, so the position in a block cancels too), block after block over all
// points; the paired blocks are judged by ABJudgement. Exit 3 when a
// gated figure regressed (with --strict also when one stays unknown), 0 otherwise, 2 on bad input.
// The steps themselves are ABRun's.
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
    /// interval contained zero, the highest lower bound −0.3% (Benchmarks/README.md, Catching
    /// regressions in CI: `compare` and `ab`; the runs: results/README.md, What `ab` can see).
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
    do throws(CommandExit) {
        let ab = try ABRun(arguments: arguments)
        try ab.prepareCSVs()
        let (builds, scratch) = try ab.builds()
        defer { withExtendedLifetime(scratch) {} }
        ab.announce(builds)
        let measured = try ab.measure(builds)
        let judged = ab.judge(measured, builds: builds)
        return ab.exitStatus(judged, measured: measured, builds: builds)
    } catch {
        return error.status
    }
}
