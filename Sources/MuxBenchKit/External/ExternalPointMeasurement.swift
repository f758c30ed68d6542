// The window of a point whose server MuxBench did not write (ExternalServerRun): the same edges
// as mux-server's (mux-load's warm-up end and end), but the server is read from outside — its
// process tree in /proc and perf — since it prints no counters.
import MuxCore
import MuxMessages

extension ExternalServerRun: ServerSide {
    var runsElsewhere: Bool { false }
    var loadTarget: String? { nil }

    /// Started, it already accepts (init waits for its port): perf is attached now, before traffic.
    func awaitReady(_ runner: PointRunner, plan: CPUPlan?, notes: inout [String]) -> RunStep<ReadyServer> {
        attachCounter()
        // Its tasks are followed (-p): threads it starts later, or pinned elsewhere, would
        // fall outside the CPUs a CPU-wide profile samples.
        if let foldedPath = runner.foldedPath { attachProfile(foldedPath: foldedPath, serverCPUs: nil, perfCPUs: plan?.load) }
        return .done(ReadyServer(port: Int(port), cpus: cpus))
    }

    func end() { process.stop() }

    func measure(_ runner: PointRunner, load: any LoadSide, connected: ConnectedMessage, started: String,
                 serverCPUs: String, loadCPUs: String, notes: [String]) -> RunOutcome {
        let server = process
        let name = definition.name
        if let failure = runner.watch(server, load, until: connected.warmupEndNs) { return failure }
        let stealWindow = StealWindow(pids: [server.pid] + load.pids)
        // An exited server stays a zombie until it is ended (Subprocess), and /proc still reads it.
        guard server.isRunning, beginWindow() else {
            return .failed(reason: "\(name) was gone at the window's start: \(server.endReason())")
        }
        if let failure = runner.watch(server, load, until: connected.endNs) { return failure }
        guard server.isRunning, endWindow() else {
            return .failed(reason: "\(name) died during the window: \(server.endReason())")
        }
        let steal = stealWindow.stealPercent()
        // The load generator finishes on its own right after the window's end.
        guard let result = load.awaitResult(until: connected.endNs + 10_000_000_000,
                                            shouldStop: { Interruption.requested }) else {
            if Interruption.requested { return .interrupted }
            return .failed(reason: "mux-load gave no result within 10 s of the window's end: \(load.endReason())")
        }
        var exitNotes: [String] = []
        if !load.awaitExit(timeout: PointRunner.lingerSeconds + 5) {
            exitNotes.append("mux-load did not exit within \(formatCompactNumber(PointRunner.lingerSeconds + 5)) s of its result; ended")
        }
        if let reason = result.windowFailure { return .failed(reason: reason) }
        var row = runner.loadColumns(result: result, started: started)
        row.merge(columns(requests: Double(result.requests))) { $1 }
        finishProfile(into: &row)
        row["server_cpus"] = serverCPUs
        row["load_cpus"] = loadCPUs
        var notes = notes + exitNotes + self.notes
        stealWindow.record(steal, into: &row, notes: &notes)
        row["saturated_by"] = Saturation.column(Saturation.limit(Saturation.input(of: row, offeredRPS: runner.point.rate.perSecond)))
        OpenLoopChecks.record(into: &row)
        return .measured(row: row, notes: notes)
    }
}
