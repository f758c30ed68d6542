// `mux-bench run`: one point, N repetitions, one CSV row each, appended the moment it is measured.
import Foundation
import MuxCLI
import MuxCore
import MuxMetrics

public enum RunCommand {
    public static let parser = ArgumentParser(
        program: "mux-bench run",
        summary: "Runs mux-server and mux-load together for one point and appends one CSV row per repetition.",
        usage: "mux-bench run --backend NAME [options]",
        options: [
            OptionSpec("backend", short: "b", value: "NAME", help: "one of \(Backend.nameList) (required, unless --server-command)"),
            OptionSpec("server-command", value: "COMMAND",
                       help: "measure this server instead of mux-server: a command that runs it in the foreground, "
                           + "with {port} (required, here or in a Benchmarks/servers/NAME/ file), {dir} (a scratch directory those files are copied to) and {user} filled in"),
            OptionSpec("server-name", value: "NAME", help: "the --server-command server's name in the CSV's backend column (required with it)"),
            OptionSpec("server-timeout", value: "DURATION", default: "15s", help: "how long the --server-command server may take to accept"),
            OptionSpec("connections", short: "c", value: "N", default: "100", help: "client sockets held open"),
            OptionSpec("active", short: "a", value: "A", default: "all", help: "how many of them carry traffic"),
            OptionSpec("payload", value: "BYTES", default: "64", help: "echo request size"),
            OptionSpec("protocol", value: "NAME", default: "echo", help: SweepSpec.protocolNames.joined(separator: ", ")),
            OptionSpec("mode", value: "MODE", default: "immediate", help: "server write mode: immediate or on-writable"),
            OptionSpec("pipeline", value: "P", default: "1", help: "requests in flight per active connection"),
            OptionSpec("rate", short: "r", value: "R", default: "closed loop", help: "open loop at R requests/s"),
            OptionSpec("threads", short: "t", value: "T", default: "1", help: "load-generator threads"),
            OptionSpec("pacing", value: "HOW", default: "spin if each load thread has a CPU of its own, else sleep",
                       help: "open loop: spin (busy-poll, never sleep) or sleep"),
            OptionSpec("arrivals", value: "SCHEDULE", default: "constant", help: "open loop: constant or exponential (Poisson)"),
            OptionSpec("max-events", value: "N", default: "1024", help: "the server's epoll batch"),
            OptionSpec("warmup", short: "w", value: "DURATION", default: "1s", help: "traffic before the window"),
            OptionSpec("duration", short: "d", value: "DURATION", default: "5s", help: "the measured window"),
            OptionSpec("repetitions", short: "n", value: "N", default: "1", help: "rows to measure"),
            OptionSpec("out", short: "o", value: "FILE", default: "results/run.csv", help: "CSV to append to"),
            OptionSpec("sweep", value: "NAME", default: "run", help: "the CSV's sweep column"),
            OptionSpec("verify-syscalls", help: "also count the server's syscalls with perf and compare"),
            OptionSpec("profile", help: "profile the server's CPU over the window (perf record): prof_* columns, folded stacks in OUT-profiles/"),
            OptionSpec("hgrm", value: "FILE", help: "the last repetition's latency distribution (HdrHistogram text)"),
            OptionSpec("load-host", value: "LAUNCHER@ADDRESS",
                       help: "repeatable: run a share of the load there, e.g. 'ip netns exec ns1 @198.18.0.1', 'ssh user@h2 @10.0.0.1', 'local'; per-host figures go to OUT-hosts.csv"),
            OptionSpec("load-binary", value: "PATH", default: "this mux-load", help: "mux-load's path on the load hosts"),
            OptionSpec("listen", value: "ADDRESS", default: "the hosts' address, else 127.0.0.1",
                       help: "where mux-server listens, with --load-host or --server-host"),
            OptionSpec("server-host", value: "LAUNCHER",
                       help: "run mux-server there, e.g. 'ssh bench@h1', 'ip netns exec ns0' (with --listen); counters through its stdin, CPU time from its counters, not pinned"),
            OptionSpec("server-binary", value: "PATH", default: "this mux-server", help: "mux-server's path on the --server-host"),
        ])

    static func point(from parsed: ParsedArguments) throws(UsageError) -> (SweepPoint, Int, String) {
        func bad(_ message: String) -> UsageError { UsageError(program: parser.program, message: message) }
        let server = try externalServer(from: parsed)
        let backend: String
        if let server {
            backend = server.name
        } else {
            guard let name = try parsed.choice("backend", SweepSpec.backendNames) else {
                throw bad("--backend: required (one of \(SweepSpec.backendNames.joined(separator: ", "))), or --server-command")
            }
            backend = name
        }
        let connections = try parsed.integer(NumberRules.connections) ?? 100
        var active = connections
        if let text = parsed.string("active"), text != "all" {
            active = try parsed.integer(NumberRules.active)!
            guard active <= connections else {
                throw bad("--active: expected at most --connections (\(connections)), got '\(text)'")
            }
        }
        var point = SweepPoint(sweep: parsed.string("sweep") ?? "run", backend: backend, connections: connections, active: active)
        point.server = server
        point.payloadBytes = try parsed.integer(NumberRules.payload) ?? 64
        point.protocolName = try parsed.choice("protocol", SweepSpec.protocolNames) ?? "echo"
        point.writeMode = try parsed.choice("mode", SweepSpec.writeModeNames) ?? "immediate"
        if point.writeMode == "on-writable", let refusal = ExternalServer.onWritableRefusal(for: backend) {
            throw bad("--mode: \(refusal)")
        }
        point.pipeline = try parsed.integer(NumberRules.pipeline) ?? 1
        if let rate = try parsed.number(NumberRules.rate) { point.rate = .perSecond(rate) }
        point.threads = try parsed.integer(NumberRules.threads) ?? 1
        point.pacing = try parsed.choice("pacing", SweepSpec.pacingNames)
        point.arrivals = try parsed.choice("arrivals", SweepSpec.arrivalNames) ?? "constant"
        point.maxEvents = try parsed.integer(NumberRules.maxEvents) ?? SweepPoint.defaultMaxEvents
        point.warmup = try parsed.number(NumberRules.warmup) ?? 1
        point.duration = try parsed.number(NumberRules.duration) ?? 5
        let repetitions = try parsed.integer(NumberRules.repetitions) ?? 1
        return (point, repetitions, parsed.string("out") ?? "results/run.csv")
    }

    /// `--server-command` with its `--server-name` (and `--server-timeout`), or nil without it.
    static func externalServer(from parsed: ParsedArguments) throws(UsageError) -> ExternalServer? {
        func bad(_ message: String) -> UsageError { UsageError(program: parser.program, message: message) }
        guard let command = parsed.string("server-command") else {
            for flag in ["server-name", "server-timeout"] where parsed.string(flag) != nil {
                throw bad("--\(flag): needs --server-command")
            }
            return nil
        }
        if parsed.string("backend") != nil {
            throw bad("--backend and --server-command: give one (mux-server over a backend, or your own server)")
        }
        guard let name = parsed.string("server-name") else {
            throw bad("--server-name: required with --server-command (the name in the CSV's backend column, e.g. redis)")
        }
        if let problem = ExternalServer.problem(withName: name) { throw bad("--server-name: \(problem)") }
        if let problem = ExternalServer.problem(withCommand: command, name: name) { throw bad("--server-command: \(problem)") }
        let timeout = try parsed.number(NumberRules.serverTimeout) ?? ExternalServer.defaultStartTimeout
        return ExternalServer(name: name, command: command, origin: "--server-command", startTimeout: timeout)
    }
}

public func runPoint(arguments: [String]) -> Int32 {
    let point: SweepPoint
    let repetitions: Int
    let out: String
    let parsed: ParsedArguments
    let loadHosts: LoadHostSetup?
    let serverHost: ServerHost?
    do {
        parsed = try RunCommand.parser.parse(arguments)
        if parsed.helpRequested {
            printLine(RunCommand.parser.help())
            return ExitCode.success.rawValue
        }
        (point, repetitions, out) = try RunCommand.point(from: parsed)
        loadHosts = try RunCommand.loadHostSetup(from: parsed)
        serverHost = try RunCommand.serverHost(from: parsed, point: point, loadHosts: loadHosts)
    } catch {
        printError(error.description)
        return ExitCode.usage.rawValue
    }
    if let reason = skipReason(for: point) {
        printError("mux-bench run: skipped: \(reason)")
        return ExitCode.failure.rawValue
    }
    if let problem = prepareOutput(out) {
        printError("mux-bench run: \(problem)")
        return ExitCode.failure.rawValue
    }
    guard let (system, binaries) = prepareToMeasure(serverHost: serverHost) else { return ExitCode.failure.rawValue }
    let floor = LoopbackFloor.once(for: [point], elsewhere: serverHost != nil || loadHosts != nil)
    for rep in 1...repetitions {
        var runner = PointRunner(point: point, repetition: rep, system: system, binaries: binaries)
        runner.floorMicroseconds = floor
        runner.verifySyscalls = parsed.flags.contains("verify-syscalls")
        runner.hgrmPath = rep == repetitions ? parsed.string("hgrm") : nil
        runner.loadHosts = loadHosts?.recording(to: LoadHostRecords.csvPath(besides: out))
        runner.serverHost = serverHost
        if parsed.flags.contains("profile") { runner.profileDirectory = WindowProfile.directory(besides: out) }
        switch runner.run() {
        case let .measured(row, notes):
            do { try CSVTable.append(row, to: out, columns: ResultsSchema.columns) } catch {
                printError("mux-bench run: \(error)")
                return ExitCode.failure.rawValue
            }
            printError("rep \(rep)/\(repetitions): " + describe(row))
            for note in notes + warnings(for: row) { printError("  \(note)") }
        case let .failed(reason):
            printError("mux-bench run: \(point.id) rep \(rep) failed: \(reason)")
            return ExitCode.failure.rawValue
        case .interrupted:
            printError("mux-bench run: interrupted \(Interruption.cause); rows measured so far are in \(out)")
            return 130
        }
    }
    printError("rows appended to \(out)")
    return ExitCode.success.rawValue
}

/// Creates the results directory and checks the CSV can take rows (new, or the same header).
/// Returns the problem, or nil. Detects an unwritable directory before anything runs.
func prepareOutput(_ path: String) -> String? {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            return "cannot create \(directory): \(error.localizedDescription)"
        }
    }
    do { try CSVTable.checkAppendable(path: path, columns: ResultsSchema.columns) } catch {
        return error.description
    }
    return nil
}

/// What `run` and `sweep` do before their first measurement: Ctrl-C/SIGTERM turned into a clean
/// stop, the binaries found (built when missing or stale) and said, the fd limit raised (children
/// inherit it), the CPU plan said, the machine described. nil (reason printed) when the binaries
/// cannot be had. With a server host, its notice instead of the pinning plan.
func prepareToMeasure(serverHost: ServerHost? = nil) -> (SystemInfo, MeasuredBinaries)? {
    Interruption.install()
    let binaries: MeasuredBinaries
    do { binaries = try MeasuredBinaries.prepare() } catch {
        printError("mux-bench: \(error)")
        return nil
    }
    return (prepareMachine(commit: binaries.commit, serverHost: serverHost), binaries)
}

/// The machine's half of getting ready: the fd limit raised (children inherit it), the CPU plan
/// said (or, with a server host, what is not measured there), the machine described with
/// `commit` as the rows' commit.
func prepareMachine(commit: String, serverHost: ServerHost? = nil) -> SystemInfo {
    raiseFileLimit()
    if let serverHost { printError(serverHost.notice) } else { announcePinning() }
    return SystemInfo.current(commit: commit)
}

/// The plan; each run's row records the CPUs the kernel then reports, and a refusal is a note.
func announcePinning() {
    let allowed = (try? CPUPlan.affinity(of: 0)) ?? []
    if let plan = CPUPlan.split(allowed: allowed) {
        printError("pinning: of CPUs \(formatCPUList(allowed)), mux-server to \(formatCPUList(plan.server)), "
                   + "mux-load to \(formatCPUList(plan.load))")
    } else {
        printError("pinning: none: only CPU \(formatCPUList(allowed)) available; server and load generator share it")
    }
}

/// One line for humans: the figures that matter.
func describe(_ row: [String: String]) -> String {
    "\(row["throughput_rps"] ?? "?") req/s, p50 \(row["lat_p50_us"] ?? "?") µs, p99 \(row["lat_p99_us"] ?? "?") µs, "
        // Empty for a server MuxBench did not write, measured without perf.
        + "\(row["sc_per_req"].map { $0.isEmpty ? "–" : $0 } ?? "?") syscalls/req, server \(row["server_cpu_us_per_req"] ?? "?") µs CPU/req, errors \(row["errors"] ?? "?")"
}

/// The flags of Sources/README.md (How a point is measured): errors, and a saturated run with the
/// side that was the limit.
func warnings(for row: [String: String]) -> [String] {
    var lines: [String] = []
    if let errors = Double(row["errors"] ?? ""), errors > 0 { lines.append("WARNING: \(formatCompactNumber(errors)) request errors in this run") }
    guard let side = Saturation.limit(of: row) else { return lines }
    var util = SweepSummary.figureValue("load_cpu_util", in: row).map { " (load generator at \(Int($0 * 100))% of the CPUs it could use)" } ?? ""
    // A spinning client's CPU is always full: its busy share is what judged it (Saturation.swift).
    if row["pacing"] == "spin", let busy = Double(row["load_busy_share"] ?? "") {
        util = " (spinning load generator busy \(Int(busy * 100))% of the time it ran)"
    }
    var delivered = ""
    if let target = Double(row["rate_target_rps"] ?? ""), let achieved = Double(row["throughput_rps"] ?? "") {
        delivered = ", delivered \(formatCompactNumber(achieved)) of \(formatCompactNumber(target)) req/s"
    }
    switch side {
    case .client: lines.append("SATURATED by the client\(util)\(delivered): these figures are the load generator's, not the server's")
    case .server: lines.append("SATURATED by the server\(delivered): past its sustainable rate")
    case .both: lines.append("SATURATED: both processes pegged\(util)\(delivered): throughput is whoever gave out first")
    case .neither: lines.append("SATURATED\(delivered) with neither process pegged: the machine, not a process, fell behind")
    }
    return lines
}
