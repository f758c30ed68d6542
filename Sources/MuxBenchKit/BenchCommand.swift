// `mux-bench SUBCOMMAND ...`: the dispatcher behind the thin main.
import MuxCLI

public enum BenchCommand {
    static let usage = """
    usage: mux-bench run|sweep|check|compare|ab|plot|report [options]   (mux-bench SUBCOMMAND --help for each)

      run     one point: start mux-server and mux-load, append one CSV row per repetition
      sweep   a whole matrix from Benchmarks/NAME.sweep (default: Benchmarks/quick.sweep)
      check   compare a sweep's summary with a baseline; exit 3 on regression
      compare two raw CSVs of the same points, benchstat-style; exit 3 on a significant regression
      ab      build two revisions, run them in ABBA blocks here and now; exit 3 on a regression
      plot    render results/NAME-summary.csv into results/NAME-*.png with gnuplot
      report  print a sweep's reference tables as Markdown, or rewrite/check a file's report blocks
    """

    public static func main(_ arguments: [String]) -> Int32 {
        guard let subcommand = arguments.first else {
            // Bare `mux-bench` is the default sweep (README.md, The two commands).
            return runSweep(arguments: [])
        }
        let rest = Array(arguments.dropFirst())
        // Read once here, so a bad value stops every subcommand before anything is measured.
        if case .failure(let failure) = PerfProfiler.frequency() {
            printError("mux-bench: \(failure)")
            return ExitCode.usage.rawValue
        }
        switch subcommand {
        case "run": return runPoint(arguments: rest)
        case "sweep": return runSweep(arguments: rest)
        case "check": return runCheck(arguments: rest)
        case "compare": return runCompare(arguments: rest)
        case "ab": return runAB(arguments: rest)
        case "plot": return runPlot(arguments: rest)
        case "report": return runReport(arguments: rest)
        case "-h", "--help", "help":
            printLine(usage)
            return ExitCode.success.rawValue
        default:
            printError("mux-bench: unknown subcommand '\(subcommand)' (expected run, sweep, check, compare, ab, plot or report)")
            return ExitCode.usage.rawValue
        }
    }
}
