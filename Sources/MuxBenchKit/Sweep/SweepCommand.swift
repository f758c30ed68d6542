// `mux-bench sweep FILE`: every point × repetition through the collector, each row appended the
// moment it is measured; the summary, and with gnuplot the charts, at the end (also after Ctrl-C).
// The steps themselves are SweepRun's.
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
    do throws(CommandExit) {
        var sweep = try SweepRun(arguments: arguments)
        try sweep.readResumeState()
        let size = try sweep.checkSize()
        try sweep.prepareResultsFile()
        sweep.chooseOrder()
        guard let (system, binaries) = prepareToMeasure(serverHost: sweep.spec.serverHost) else { return ExitCode.failure.rawValue }
        sweep.announce(size)
        try sweep.measureRuns(size, system: system, binaries: binaries)
        try sweep.searchRates(system: system, binaries: binaries)
        try sweep.writeSummary()
        return sweep.finish()
    } catch {
        return error.status
    }
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
