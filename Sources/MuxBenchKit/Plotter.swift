// Renders a summary CSV's charts by running plot.gnuplot: picks the x axis the sweep varies,
// passes the series the data has (gnuplot warns about empty ones), and treats any gnuplot
// output on stderr as a failure so a broken chart is never reported as written.
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics

public struct PlotError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// The charts plot.gnuplot writes, as suffixes of the output prefix.
public let chartNames = ["throughput", "latency", "cpu", "syscalls", "events"]
/// Legend order: `Backend`'s; a backend the data has but this build does not know goes last.
var backendOrder: [String] { Backend.names }
let numericDimensions = ["connections", "active", "payload_bytes"]
/// Dimensions drawn as bar clusters or as one line each; the first wins a tie.
let categoricalDimensions = ["mode", "protocol"]

/// How one summary is drawn: the x column, and a column that splits each backend's line.
public struct PlotLayout: Equatable, Sendable {
    public var x: String
    public var split: String?
    public var splitValues: [String]
    public var series: [String]
}

/// The x axis is the dimension with the most values within one backend (connections on a tie);
/// a named dimension (write mode, protocol) becomes bar clusters when nothing numeric varies, or
/// splits each line otherwise — never folded into one line, which would zigzag between them.
public func plotLayout(for table: CSVTable) -> PlotLayout {
    let ok = table.rows.filter { $0["status"] == "ok" }
    let byBackend = Dictionary(grouping: ok) { $0["backend"] ?? "" }
    func spread(_ column: String) -> Int {
        byBackend.values.map { Set($0.map { $0[column] ?? "" }).count }.max() ?? 0
    }
    var x = "connections"
    for column in numericDimensions where spread(column) > spread(x) { x = column }
    let backends = backendOrder.filter { byBackend[$0] != nil }
        + byBackend.keys.filter { !backendOrder.contains($0) }.sorted()
    func values(_ column: String) -> [String] {
        ok.map { $0[column] ?? "" }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
    var named = categoricalDimensions[0]
    for column in categoricalDimensions where values(column).count > values(named).count { named = column }
    guard values(named).count > 1 else {
        return PlotLayout(x: x, split: nil, splitValues: [], series: backends)
    }
    let categories = values(named)
    if spread(x) <= 1 { return PlotLayout(x: named, split: nil, splitValues: categories, series: backends) }
    let series = backends.flatMap { backend in
        categories.filter { value in ok.contains { $0["backend"] == backend && $0[named] == value } }.map { "\(backend)/\($0)" }
    }
    return PlotLayout(x: x, split: named, splitValues: categories, series: series)
}

/// Finds plot.gnuplot: the working directory (the repo root, where `swift run` is used) first,
/// then the source checkout this library was built from.
func plotScriptPath() -> String? {
    let candidates = [FileManager.default.currentDirectoryPath + "/plot.gnuplot",
                      URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                          .deletingLastPathComponent().deletingLastPathComponent()
                          .appendingPathComponent("plot.gnuplot").path]
    return candidates.first { FileManager.default.fileExists(atPath: $0) }
}

/// gnuplot on PATH, or nil.
public func gnuplotPath() -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return directories.map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// A gnuplot single-quoted string literal ('' stands for one quote inside).
func gnuplotString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

/// Each backend's colour and point type, from its traits, as gnuplot word lists: the same
/// backend is drawn the same way in every chart of every sweep.
func chartStyleSettings() -> [String] {
    let backends = Backend.allCases
    return ["style_backends=\(gnuplotString(backends.map(\.rawValue).joined(separator: " ")))",
            "style_colours=\(gnuplotString(backends.map(\.traits.colour).joined(separator: " ")))",
            "style_points=\(gnuplotString(backends.map { String($0.traits.pointType) }.joined(separator: " ")))"]
}

/// Renders `summaryPath`'s charts to `outputPrefix`-NAME.png; returns the paths written.
public func renderCharts(summaryPath: String, outputPrefix: String, sweepName: String) throws -> [String] {
    guard let gnuplot = gnuplotPath() else {
        throw PlotError(message: "gnuplot not found on PATH; install gnuplot: apt-get install gnuplot-nox")
    }
    guard let script = plotScriptPath() else {
        throw PlotError(message: "plot.gnuplot not found (run from the MuxBench checkout)")
    }
    let table: CSVTable
    do { table = try CSVTable.read(path: summaryPath) } catch { throw PlotError(message: error.description) }
    guard table.rows.contains(where: { $0["status"] == "ok" }) else {
        throw PlotError(message: "\(summaryPath): no point with status ok to plot")
    }
    let layout = plotLayout(for: table)
    var settings = [
        "data=\(gnuplotString(summaryPath))", "out=\(gnuplotString(outputPrefix))",
        "title=\(gnuplotString(sweepName))", "x=\(gnuplotString(layout.x))",
        "series=\(gnuplotString(layout.series.joined(separator: " ")))",
    ] + chartStyleSettings()
    if let split = layout.split {
        settings += ["split=\(gnuplotString(split))", "split_values=\(gnuplotString(layout.splitValues.joined(separator: " ")))"]
    } else if categoricalDimensions.contains(layout.x) {
        settings.append("categories=\(gnuplotString(layout.splitValues.joined(separator: " ")))")
    }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: gnuplot)
    process.arguments = ["-e", settings.joined(separator: "; "), script]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch { throw PlotError(message: "cannot run \(gnuplot): \(error)") }
    let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let complaint = output.trimmingCharacters(in: .whitespacesAndNewlines)
    guard process.terminationStatus == 0, complaint.isEmpty else {
        throw PlotError(message: "gnuplot failed on \(summaryPath) (status \(process.terminationStatus)): "
                        + (complaint.isEmpty ? "no message" : complaint))
    }
    return chartNames.map { "\(outputPrefix)-\($0).png" }
}

let plotParser = ArgumentParser(
    program: "mux-bench plot",
    summary: "Renders results/NAME-summary.csv as results/NAME-{\(chartNames.joined(separator: ","))}.png with plot.gnuplot.",
    usage: "mux-bench plot [--results DIR] NAME",
    options: [OptionSpec("results", value: "DIR", default: "results", help: "where the CSVs are and the charts go")],
    acceptsPositionals: true)

/// Runs `mux-bench plot NAME`; prints the PNG paths on stdout; returns the exit status.
public func runPlot(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    do { parsed = try plotParser.parse(arguments) } catch {
        printError(error.description)
        return ExitCode.usage.rawValue
    }
    if parsed.helpRequested {
        printLine(plotParser.help())
        return ExitCode.success.rawValue
    }
    guard parsed.positionals.count == 1 else {
        printError("mux-bench plot: expected one sweep NAME (results/NAME-summary.csv)")
        return ExitCode.usage.rawValue
    }
    // Accept `c10k`, `Benchmarks/c10k.sweep` or `results/c10k-summary.csv` alike.
    var name = (parsed.positionals[0] as NSString).lastPathComponent
    for suffix in [".sweep", "-summary.csv", ".csv"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
    let directory = parsed.string("results") ?? "results"
    do {
        let paths = try renderCharts(summaryPath: "\(directory)/\(name)-summary.csv",
                                     outputPrefix: "\(directory)/\(name)", sweepName: name)
        paths.forEach { printLine($0) }
        return ExitCode.success.rawValue
    } catch {
        printError("mux-bench plot: \(error)")
        return ExitCode.failure.rawValue
    }
}
