// mux-server on this machine, a child of the collector (ServerSide.swift): pinned to the server's
// CPU, asked for its counters with SIGUSR1, its context switches read from /proc, and perf
// (--verify-syscalls, --profile) attached to it by PID.
import MuxMessages
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

final class LocalServer: CountingServer {
    let process: Subprocess
    private(set) var verifier: SyscallVerifier?
    private(set) var profile: WindowProfile?

    init(process: Subprocess) { self.process = process }

    var runsElsewhere: Bool { false }
    var loadTarget: String? { nil }
    var snapshotBudget: UInt64 { 2_000_000_000 }
    var snapshotPatienceSeconds: Double { 10 }
    var stateLabel: String { "state" }
    var stealPIDs: [Int32] { [process.pid] }

    func awaitReady(_ runner: PointRunner, plan: CPUPlan?, notes: inout [String]) -> RunStep<ReadyServer> {
        guard let ready = awaitReadyLine(budget: 10_000_000_000) else {
            if Interruption.requested { return .interrupted }
            return .failed("\(process.name) did not become ready: \(process.endReason())")
        }
        // perf takes a while to attach its counters: before any traffic, not inside the window.
        if runner.verifySyscalls {
            let (attached, reason) = SyscallVerifier.attach(to: [process.pid])
            verifier = attached
            if let reason { notes.append("syscall verification skipped: \(reason)") }
        }
        let cpus = PointRunner.pin("mux-server", process.pid, to: plan?.server, notes: &notes)
        if let foldedPath = runner.foldedPath {
            // Sampling the server's CPUs needs the server to be there alone of its kind: pinned as planned.
            let pinned = plan.flatMap { formatCPUList($0.server) == cpus ? $0.server : nil }
            profile = WindowProfile.attach(to: [process.pid], serverName: "mux-server", serverCPUs: pinned,
                                           perfCPUs: plan?.load, foldedPath: foldedPath, notes: &notes)
        }
        return .done(ReadyServer(port: ready.port, cpus: cpus))
    }

    func askForSnapshot() -> Bool {
        process.signal(SIGUSR1)
        return true
    }

    func processStats() -> EdgeProcessStats {
        ProcessStats.read(pid: process.pid).map(EdgeProcessStats.read) ?? .gone
    }

    func end() { process.stop() }
}
