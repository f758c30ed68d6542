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
/// Dimensions drawn as bar clusters or as one line each; the first wins a tie. Offered rates
/// split each backend's line too: a rate ladder must not zigzag along the connections axis.
let categoricalDimensions = ["mode", "protocol", "rate_target_rps"]

/// How one summary is drawn: the x column, and a column that splits each backend's line.
public struct PlotLayout: Equatable, Sendable {
    public var x: String
    public var split: String?
    public var splitValues: [String]
    public var series: [String]
    /// One x value per backend (every backend at one point): bars per backend, one cluster per
    /// value in `splitValues`, since lines through one point are dots stacked on one x.
    public var bars = false
}

/// The word a blank cell of `column` is drawn as: a closed-loop point has no offered rate, and
/// gnuplot's word lists cannot hold an empty word (the point was matched by no series).
func plotCell(_ row: [String: String], _ column: String) -> String {
    let value = row[column] ?? ""
    return value.isEmpty && column == "rate_target_rps" ? "closed" : value
}

/// The x axis is the dimension with the most values within one backend (connections on a tie);
/// a named dimension (write mode, protocol) becomes bar clusters when nothing numeric varies, or
/// splits each line otherwise — never folded into one line, which would zigzag between them.
public func plotLayout(for table: CSVTable) -> PlotLayout {
    // A rate search's answer row is drawn on its own chart, not as a point of the matrix.
    let ok = table.rows.filter(SummaryRows.isMeasuredPoint)
    let byBackend = Dictionary(grouping: ok) { $0["backend"] ?? "" }
    func spread(_ column: String) -> Int {
        byBackend.values.map { Set($0.map { $0[column] ?? "" }).count }.max() ?? 0
    }
    var x = "connections"
    for column in numericDimensions where spread(column) > spread(x) { x = column }
    let backends = backendOrder.filter { byBackend[$0] != nil }
        + byBackend.keys.filter { !backendOrder.contains($0) }.sorted()
    func values(_ column: String) -> [String] {
        ok.map { plotCell($0, column) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
    var named = categoricalDimensions[0]
    for column in categoricalDimensions where values(column).count > values(named).count { named = column }
    guard values(named).count > 1 else {
        guard spread(x) <= 1 else { return PlotLayout(x: x, split: nil, splitValues: [], series: backends) }
        let clusters = values(x).sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        return PlotLayout(x: x, split: nil, splitValues: clusters, series: backends, bars: true)
    }
    let categories = values(named)
    if spread(x) <= 1 { return PlotLayout(x: named, split: nil, splitValues: categories, series: backends) }
    let series = backends.flatMap { backend in
        categories.filter { value in ok.contains { $0["backend"] == backend && plotCell($0, named) == value } }.map { "\(backend)/\($0)" }
    }
    return PlotLayout(x: x, split: named, splitValues: categories, series: series)
}

/// Finds plot.gnuplot: the working directory (the repo root, where `swift run` is used) first,
/// then the source checkout this library was built from (the nearest directory above this file
/// that has one, so the file may move between folders of its target).
func plotScriptPath() -> String? {
    let working = FileManager.default.currentDirectoryPath + "/plot.gnuplot"
    if FileManager.default.fileExists(atPath: working) { return working }
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("plot.gnuplot").path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}

/// gnuplot on PATH, or nil.
public func gnuplotPath() -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return directories.map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// A gnuplot single-quoted string literal ('' stands for one quote inside). Only a value: the
/// script never runs a string as commands, and the literal goes in as one argument, no shell.
func gnuplotString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

/// `text` drawn as written in a title: gnuplot's enhanced-text markup characters (_ ^ @ & ~ { } and backslash)
/// escaped with a backslash, so a sweep named `a_{b}` is not drawn as `a` with a subscript.
func gnuplotEnhancedLiteral(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if "\\_^@&~{}".contains(character) { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}

/// Colours and point types for servers MuxBench did not write (nginx, redis), none of them a
/// backend's: an external server never looks like one of ours. Points are solid (1 +, 2 ×, 3 *),
/// since hollow ones mark saturated points.
let externalServerStyles: [(colour: String, point: Int)] = [("#e377c2", 1), ("#17becf", 2), ("#bcbd22", 3), ("#000000", 1)]

/// Each backend's colour and point type, from its traits, as gnuplot word lists: the same
/// backend is drawn the same way in every chart of every sweep. `externalServers` (the data's
/// backend names that are no `Backend`) take the external styles in name order, so each has
/// one colour across every chart of the sweep.
func chartStyleSettings(externalServers: [String] = []) -> [String] {
    let backends = Backend.allCases
    let external = externalServers.sorted().enumerated().map { ($0.element, externalServerStyles[$0.offset % externalServerStyles.count]) }
    let names = backends.map(\.rawValue) + external.map { $0.0 }
    let colours = backends.map(\.traits.colour) + external.map { $0.1.colour }
    let points = backends.map { String($0.traits.pointType) } + external.map { String($0.1.point) }
    return ["style_backends=\(gnuplotString(names.joined(separator: " ")))",
            "style_colours=\(gnuplotString(colours.joined(separator: " ")))",
            "style_points=\(gnuplotString(points.joined(separator: " ")))"]
}

/// `FIGURE:SERIES` for each figure a series has no value of in any ok point: an external server's
/// `read_eagain_per_req` and `events_per_wait` (only mux-server counts them), its syscalls without
/// perf. plot.gnuplot leaves the series out of that figure's panel (gnuplot fails on a series
/// with no valid point) and keeps it everywhere else.
func absentFigures(in table: CSVTable, layout: PlotLayout) -> [String] {
    let ok = table.rows.filter(SummaryRows.isMeasuredPoint)
    var absent: [String] = []
    for series in layout.series {
        let parts = series.split(separator: "/", maxSplits: 1).map(String.init)
        let rows = ok.filter { row in
            row["backend"] == parts[0] && (parts.count == 1 || layout.split.map { plotCell(row, $0) == parts[1] } ?? true)
        }
        for figure in ResultsSchema.summaryFigures where !rows.contains(where: { !($0["\(figure)_median"] ?? "").isEmpty }) {
            absent.append("\(figure):\(series)")
        }
    }
    return absent
}

/// The backend names in `table` that are none of MuxBench's own: servers it did not write.
func externalServerNames(in table: CSVTable) -> [String] {
    Set(table.rows.compactMap { $0["backend"] }.filter { !$0.isEmpty && Backend(rawValue: $0) == nil }).sorted()
}

/// Renders `summaryPath`'s charts to `outputPrefix`-NAME.png; returns the paths written. With
/// `ticsLog`, plot.gnuplot appends each log axis's tick labels to that file (the tests read them).
public func renderCharts(summaryPath: String, outputPrefix: String, sweepName: String, ticsLog: String? = nil) throws -> [String] {
    guard let gnuplot = gnuplotPath() else {
        throw PlotError(message: "gnuplot not found on PATH; install gnuplot: apt-get install gnuplot-nox")
    }
    guard let script = plotScriptPath() else {
        throw PlotError(message: "plot.gnuplot not found (run from the MuxBench checkout)")
    }
    let table: CSVTable
    do { table = try CSVTable.read(path: summaryPath) } catch { throw PlotError(message: error.description) }
    guard table.rows.contains(where: SummaryRows.isOK) else {
        throw PlotError(message: "\(summaryPath): no point with status ok to plot")
    }
    let layout = plotLayout(for: table)
    let open = openLoopCharts(for: table)
    var settings = [
        "data=\(gnuplotString(summaryPath))", "out=\(gnuplotString(outputPrefix))",
        "title=\(gnuplotString(gnuplotEnhancedLiteral(sweepName)))", "x=\(gnuplotString(layout.x))",
        "series=\(gnuplotString(layout.series.joined(separator: " ")))",
    ] + chartStyleSettings(externalServers: externalServerNames(in: table))
    settings.append("absent=\(gnuplotString(absentFigures(in: table, layout: layout).joined(separator: " ")))")
    settings += [
        "conditions=\(gnuplotString(chartConditions(summary: table, rawPath: rawCSVPath(forSummary: summaryPath))))",
        // Bars from the median's interval where the summary has one (older summaries: min–max).
        "bars=\(gnuplotString(table.rows.contains { !($0["throughput_rps_ci_low"] ?? "").isEmpty } ? "ci" : "minmax"))",
        "searched=\(open.searched ? 1 : 0)", "openloop=\(open.connections.isEmpty ? 0 : 1)",
        "satcol=\(table.header.contains("saturated_reps") ? 1 : 0)",
        // Summaries with the typed search columns; older ones are read as they were written.
        "typed=\(table.header.contains("row_kind") ? 1 : 0)",
        "chkcol=\(table.header.contains("failed_check_reps") ? 1 : 0)",
        "floor_us=\(gnuplotString(loopbackFloor(in: table).map(formatCompactNumber) ?? ""))",
        "present=\(gnuplotString(open.backends.joined(separator: " ")))",
        "conn_values=\(gnuplotString(open.connections.joined(separator: " ")))",
        "rate_values=\(gnuplotString(open.rates.joined(separator: " ")))",
        "conn_backends=\(gnuplotString(open.backendsByConnections.joined(separator: " ")))",
        "rate_backends=\(gnuplotString(open.backendsByRate.joined(separator: " ")))",
        "searched_backends=\(gnuplotString(open.searchedBackends.joined(separator: " ")))",
        "search_bound=\(gnuplotString(searchBound(in: table) ?? "the latency bound met"))",
        "delivered_pct=\(gnuplotString(formatCompactNumber(Saturation.deliveredFraction * 100)))",
        "profiled=\(hasProfiles(table) ? 1 : 0)",
    ]
    if let split = layout.split {
        settings += ["split=\(gnuplotString(split))", "split_values=\(gnuplotString(layout.splitValues.joined(separator: " ")))"]
    } else if categoricalDimensions.contains(layout.x) || layout.bars {
        settings.append("categories=\(gnuplotString(layout.splitValues.joined(separator: " ")))")
    }
    if layout.bars { settings.append("xbars=1") }
    if let ticsLog { settings.append("tics_log=\(gnuplotString(ticsLog))") }
    if open.barsPerBackend { settings.append("load_bars=1") }

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
    var names = chartNames
    if !open.connections.isEmpty { names += ["latency-load", "cpu-equal-load"] }
    if !open.connections.isEmpty, loopbackFloor(in: table) != nil { names.append("latency-floor") }
    if open.searched { names.append("max-rate") }
    if hasProfiles(table) { names.append("cpu-profile") }
    return names.map { "\(outputPrefix)-\($0).png" }
}

/// Whether points have profile shares (`--profile`): then OUT-cpu-profile.png is drawn.
func hasProfiles(_ table: CSVTable) -> Bool {
    table.rows.contains { SummaryRows.isOK($0) && !($0["prof_user_pct_median"] ?? "").isEmpty }
}

/// What the open-loop charts draw: the backends present, the connection counts and offered rates
/// of open-loop points (search rows left out), and whether there are search answers.
struct OpenLoopCharts: Equatable {
    var backends: [String] = []
    var connections: [String] = []
    var rates: [String] = []
    var searched = false
    /// Per panel, the backends it has (gnuplot warns about an empty series): comma lists aligned
    /// with `connections` and `rates`, and the backends with a search answer.
    var backendsByConnections: [String] = []
    var backendsByRate: [String] = []
    var searchedBackends: [String] = []
    /// Every backend ran one offered rate per connection count, so each latency-under-load panel
    /// has one x value per backend: drawn as bars per backend (p50 and p99) instead of lines.
    var barsPerBackend = false
}

/// The loopback floor drawn under the open-loop latencies: the lowest of the points' medians (a
/// sweep measures it once; a summary of several sweeps takes the best machine's), nil when absent.
func loopbackFloor(in table: CSVTable) -> Double? {
    table.rows.compactMap { Double($0["floor_rtt_us_median"] ?? "") }.filter { $0 > 0 }.min()
}

func openLoopCharts(for table: CSVTable) -> OpenLoopCharts {
    let ok = table.rows.filter(SummaryRows.isOK)
    let isSearch = SummaryRows.isSearch
    let open = ok.filter { !isSearch($0) && !($0["rate_target_rps"] ?? "").isEmpty }
    func distinct(_ rows: [[String: String]], _ column: String) -> [String] {
        rows.compactMap { $0[column] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
    }
    func backends(_ rows: [[String: String]]) -> [String] {
        let present = Set(rows.compactMap { $0["backend"] })
        return backendOrder.filter(present.contains) + present.subtracting(backendOrder).sorted()
    }
    let connections = distinct(open, "connections"), rates = distinct(open, "rate_target_rps")
    let ratesPerPanel = Dictionary(grouping: open) { "\($0["backend"] ?? "") \($0["connections"] ?? "")" }
        .values.map { Set($0.map { $0["rate_target_rps"] ?? "" }).count }
    return OpenLoopCharts(
        backends: backends(ok), connections: connections, rates: rates, searched: ok.contains(where: isSearch),
        backendsByConnections: connections.map { c in backends(open.filter { $0["connections"] == c }).joined(separator: ",") },
        backendsByRate: rates.map { r in backends(open.filter { $0["rate_target_rps"] == r }).joined(separator: ",") },
        searchedBackends: backends(ok.filter(isSearch)),
        barsPerBackend: !ratesPerPanel.isEmpty && ratesPerPanel.allSatisfy { $0 == 1 })
}

/// results/NAME-summary.csv → results/NAME.csv, where the machine is recorded.
func rawCSVPath(forSummary path: String) -> String {
    path.hasSuffix("-summary.csv") ? String(path.dropLast("-summary.csv".count)) + ".csv" : path
}

/// The search's bound from its answered rows' `search_metric` and `search_bound_us` (`p50 ≤
/// 5000 µs`); nil for summaries written before those columns.
func searchBound(in summary: CSVTable) -> String? {
    for row in summary.rows where SummaryRows.isAnsweredSearch(row) {
        guard let metric = row["search_metric"], !metric.isEmpty,
              let bound = Double(row["search_bound_us"] ?? ""), bound.isFinite else { continue }
        return gnuplotPlainText(SearchSpec.label(metric: metric, boundMicroseconds: bound))
    }
    return nil
}

/// `text` without the characters gnuplot's enhanced text reads as markup (_ ^ @ & { } \ ').
func gnuplotPlainText(_ text: String) -> String { text.filter { !"_^@&{}\\'".contains($0) } }

/// The conditions every chart title names: the machine (CPU model, CPUs, kernel), the loop, and
/// repetitions × window. Parts the data does not record are left out, never guessed.
func chartConditions(summary: CSVTable, rawPath: String) -> String {
    var parts: [String] = []
    let raw = (try? CSVTable.read(path: rawPath))?.rows.first
    if let raw {
        var machine = raw["cpu_model"] ?? ""
        let cpus = [("server_cpus", "server"), ("load_cpus", "load")].compactMap { column, side in
            raw[column].flatMap { $0.isEmpty ? nil : "\(side) CPUs \($0)" }
        }
        if !cpus.isEmpty { machine += (machine.isEmpty ? "" : ", ") + cpus.joined(separator: ", ") }
        if let kernel = raw["kernel"], !kernel.isEmpty { machine += (machine.isEmpty ? "" : ", ") + "Linux \(kernel)" }
        if !machine.isEmpty { parts.append(machine) }
    }
    let ok = summary.rows.filter(SummaryRows.isMeasuredPoint)
    let openLoop = ok.filter { !($0["rate_target_rps"] ?? "").isEmpty }.count
    parts.append(openLoop == ok.count ? "open loop" : openLoop == 0 ? "closed loop" : "open and closed loop")
    let reps = ok.compactMap { Int($0["reps"] ?? "") }.max() ?? 0
    let windows = Set(ok.compactMap { $0["duration_s"] })
    if reps > 0, windows.count == 1, let window = windows.first { parts.append("\(reps) reps × \(window) s") }
    return gnuplotPlainText(parts.joined(separator: "; "))
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
    switch parseSubcommand(plotParser, arguments) {
    case let .run(arguments): parsed = arguments
    case let .exit(status): return status
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
