// The window of a point on mux-server, here or on a server host (LocalServer, HostedServer): the
// server's own counters line at each edge (Sources/README.md, How syscalls are counted), perf's
// span bracketed by a second snapshot on each side, and the row made from the difference.
import MuxCore
import MuxMessages
import MuxMetrics
import MuxProcStats

/// The counters line's server: a ServerSide asked for snapshots at the window's edges.
protocol CountingServer: ServerSide {
    /// Asks for one counters line; false when it cannot be asked (its stdin is gone).
    func askForSnapshot() -> Bool
    /// How long a snapshot normally takes at most (ns).
    var snapshotBudget: UInt64 { get }
    /// How long a server that is still alive may take to answer a window snapshot (stopped,
    /// starved of CPU) before the point fails; bounded, so a hung server still ends the point.
    var snapshotPatienceSeconds: Double { get }
    /// Whose scheduling state a late snapshot's note gives ("state", "launcher's state").
    var stateLabel: String { get }
    /// The processes whose CPUs' steal time the row records, with the load's.
    var stealPIDs: [Int32] { get }
    /// Its context switches now, from /proc.
    func processStats() -> EdgeProcessStats
    /// perf's count of its syscalls (--verify-syscalls), when attached.
    var verifier: SyscallVerifier? { get }
    /// Its CPU profile over the window (--profile), when attached.
    var profile: WindowProfile? { get }
}

/// A server's /proc figures at a window's edge.
enum EdgeProcessStats {
    case read(ProcessStats)
    /// The process is gone.
    case gone
    /// Not this machine's to read (a server host): empty columns.
    case notRead
}

extension CountingServer {
    /// The ready line, within `budget` ns (or until an interruption).
    func awaitReadyLine(budget: UInt64) -> ReadyMessage? {
        process.readMessage(ReadyMessage.self, until: monotonicNanoseconds() + budget, shouldStop: { Interruption.requested })
    }

    func measure(_ runner: PointRunner, load: any LoadSide, connected: ConnectedMessage, started: String,
                 serverCPUs: String, loadCPUs: String, notes: [String]) -> RunOutcome {
        var notes = notes
        let window: CountedWindow
        switch runner.countWindow(of: self, load: load, connected: connected, notes: &notes) {
        case let .done(counted): window = counted
        case let .failed(reason): return .failed(reason: reason)
        case .interrupted: return .interrupted
        }
        return runner.countedRow(of: self, window: window, load: load, connected: connected, started: started,
                                 serverCPUs: serverCPUs, loadCPUs: loadCPUs, notes: notes)
    }
}

/// What the window's edges gave: the counters, perf's bracket, context switches and steal.
struct CountedWindow {
    var start: CountersMessage
    var end: CountersMessage
    var afterEnable: CountersMessage?
    var afterDisable: CountersMessage?
    var switches: ProcessStats?
    var stealWindow: StealWindow
    var steal: Double?
}

extension PointRunner {
    /// From the warm-up's end to the window's end: snapshots at both edges, perf switched on and
    /// off between them, both children watched.
    func countWindow(of server: some CountingServer, load: any LoadSide, connected: ConnectedMessage,
                     notes: inout [String]) -> RunStep<CountedWindow> {
        let process = server.process
        // Warm-up: wait, watching both children.
        if let failure = watch(process, load, until: connected.warmupEndNs) { return RunStep(failure) }
        // Steal over the CPUs the two children may run on (read now, outside the window).
        let stealWindow = StealWindow(pids: server.stealPIDs + load.pids)
        let startCounters: CountersMessage
        switch windowSnapshot(server, at: "window-start", notes: &notes) {
        case let .done(counters): startCounters = counters
        case let .failed(reason): return .failed(reason)
        case .interrupted: return .interrupted
        }
        // Context switches from /proc: this machine's server only.
        let serverStart = server.processStats()
        if case .gone = serverStart { return .failed("\(process.name) was gone at the window's start: \(process.endReason())") }
        server.profile?.beginWindow(notes: &notes)
        // perf is switched on and off a moment after the window's edges (a FIFO round trip, long
        // on a busy machine), so a second snapshot on each side brackets what perf saw:
        // [afterEnable, end] ⊆ perf's span ⊆ [start, afterDisable].
        var afterEnable: CountersMessage?
        if let verifier = server.verifier {
            if !verifier.enable() { notes.append("syscall verification: perf did not acknowledge enable") }
            afterEnable = snapshot(server)
        }

        if let failure = watch(process, load, until: connected.endNs) { return RunStep(failure) }
        let endCounters: CountersMessage
        switch windowSnapshot(server, at: "window-end", notes: &notes) {
        case let .done(counters): endCounters = counters
        case let .failed(reason): return .failed(reason)
        case .interrupted: return .interrupted
        }
        let serverEnd = server.processStats()
        if case .gone = serverEnd { return .failed("\(process.name) died during the window: \(process.endReason())") }
        server.profile?.endWindow(notes: &notes)
        let steal = stealWindow.stealPercent()
        var afterDisable: CountersMessage?
        if let verifier = server.verifier {
            _ = verifier.disable()
            afterDisable = snapshot(server)
        }
        var switches: ProcessStats?
        if case let .read(start) = serverStart, case let .read(end) = serverEnd { switches = end.subtracting(start) }
        return .done(CountedWindow(start: startCounters, end: endCounters, afterEnable: afterEnable, afterDisable: afterDisable,
                                   switches: switches, stealWindow: stealWindow, steal: steal))
    }

    /// After the window: mux-load's result, perf's comparison, and the row.
    func countedRow(of server: some CountingServer, window: CountedWindow, load: any LoadSide, connected: ConnectedMessage,
                    started: String, serverCPUs: String, loadCPUs: String, notes: [String]) -> RunOutcome {
        var notes = notes
        // The load generator finishes on its own right after `end`. A late window-end snapshot
        // may have used up that margin: its line, already written, still gets a moment.
        let margin: UInt64 = 10_000_000_000
        let resultDeadline = max(connected.endNs + margin, monotonicNanoseconds() + 1_000_000_000)
        guard let result = load.awaitResult(until: resultDeadline, shouldStop: { Interruption.requested }) else {
            if Interruption.requested { return .interrupted }
            return .failed(reason: "mux-load gave no result within 10 s of the window's end: \(load.endReason())")
        }
        // It writes --hgrm before its result line, lingers and exits: ended only if it does not.
        if !load.awaitExit(timeout: Self.lingerSeconds + 5) {
            notes.append("mux-load did not exit within \(formatCompactNumber(Self.lingerSeconds + 5)) s of its result; ended")
        }
        if let reason = result.windowFailure { return .failed(reason: reason) }

        let counted = window.end.syscalls.subtracting(window.start.syscalls)
        if let verifier = server.verifier, let kernel = verifier.finish() {
            // What the server counted over perf's span lies between these two.
            let low = window.afterEnable.map { window.end.syscalls.subtracting($0.syscalls) } ?? counted
            let high = window.afterDisable.map { $0.syscalls.subtracting(window.start.syscalls) } ?? counted
            notes += SyscallVerifier.compare(server: counted, low: low, high: high, kernel: kernel)
        }
        var row = makeRow(result: result, window: counted, serverStart: window.start, serverEnd: window.end,
                          switches: window.switches, started: started)
        row["server_cpus"] = serverCPUs
        row["load_cpus"] = loadCPUs
        server.profile?.finish(into: &row, notes: &notes)
        window.stealWindow.record(window.steal, into: &row, notes: &notes)
        row["saturated_by"] = Saturation.column(Saturation.limit(Saturation.input(of: row, offeredRPS: point.rate.perSecond)))
        OpenLoopChecks.record(into: &row)
        if let hosts = load as? LoadHostGroup,
           let problem = hosts.finish(&row, serverWindowRequests: window.end.requests &- window.start.requests,
                                      serverTotalRequests: snapshot(server)?.requests) {
            return .failed(reason: problem)
        }
        return .measured(row: row, notes: notes)
    }

    private func snapshot(_ server: some CountingServer) -> CountersMessage? {
        guard server.askForSnapshot() else { return nil }
        return awaitCounters(from: server.process, until: monotonicNanoseconds() + server.snapshotBudget)
    }

    private func awaitCounters(from process: Subprocess, until deadline: UInt64,
                               shouldStop: () -> Bool = { false }) -> CountersMessage? {
        // A "final" line means the server is exiting: no snapshot.
        guard let counters = process.readMessage(CountersMessage.self, until: deadline, shouldStop: shouldStop),
              !counters.isFinal else { return nil }
        return counters
    }

    /// The counters at a window's edge (`edge`: "window-start" or "window-end"). A server that
    /// misses the usual budget but has not exited is slow, not dead: it is waited for up to
    /// `snapshotPatienceSeconds`, and a late answer is a note. Failing, it says which it was.
    private func windowSnapshot(_ server: some CountingServer, at edge: String, notes: inout [String]) -> RunStep<CountersMessage> {
        let process = server.process
        let asked = monotonicNanoseconds()
        guard server.askForSnapshot() else {
            return .failed("\(process.name) could not be asked for the \(edge) snapshot: \(process.endReason())")
        }
        if let counters = awaitCounters(from: process, until: asked + server.snapshotBudget) { return .done(counters) }
        guard process.isRunning else {
            return .failed("\(process.name) died before the \(edge) snapshot: \(process.endReason())")
        }
        let stateThen = ProcessStats.schedulingState(pid: process.pid) ?? "unknown"
        let patience = UInt64(server.snapshotPatienceSeconds * 1e9)
        if let counters = awaitCounters(from: process, until: asked + patience,
                                        shouldStop: { Interruption.requested || !process.isRunning }) {
            let late = formatCompactNumber((Double(monotonicNanoseconds() - asked) / 1e8).rounded() / 10)
            notes.append("\(process.name) answered the \(edge) snapshot after \(late) s, not within the usual "
                         + "\(server.snapshotBudget / 1_000_000_000) s (\(server.stateLabel): \(stateThen)); its counters reach that far past the edge")
            return .done(counters)
        }
        if Interruption.requested { return .interrupted }
        if !process.isRunning {
            return .failed("\(process.name) died before answering the \(edge) snapshot: \(process.endReason())")
        }
        let stateNow = ProcessStats.schedulingState(pid: process.pid) ?? "unknown"
        return .failed("\(process.name) did not answer the \(edge) snapshot within "
                       + "\(formatCompactNumber(server.snapshotPatienceSeconds)) s (\(server.stateLabel): \(stateNow))")
    }
}

extension RunStep {
    /// A watch's failure or interruption as a step.
    init(_ outcome: RunOutcome) {
        switch outcome {
        case let .failed(reason): self = .failed(reason)
        case .interrupted: self = .interrupted
        case .measured: preconditionFailure("watch returns no measurement")
        }
    }
}
