// mux-server on a server host (ServerHost.swift), as a ServerSide: reached only through the
// launcher's stdin (`snapshot` lines, --control stdin), so nothing of it is pinned, profiled or
// read from this machine's /proc; the local mux-load aims at the host's address.
import MuxMessages

final class HostedServer: CountingServer {
    let host: ServerHost
    /// The launcher (ssh, ip netns exec), whose stdin and stdout are mux-server's.
    let process: Subprocess

    init(host: ServerHost, process: Subprocess) {
        self.host = host
        self.process = process
    }

    var runsElsewhere: Bool { true }
    var loadTarget: String? { host.address }
    // A round trip through a launcher may cross a network.
    var snapshotBudget: UInt64 { 5_000_000_000 }
    var snapshotPatienceSeconds: Double { 30 }
    // The local process is the launcher, not the server.
    var stateLabel: String { "launcher's state" }
    var stealPIDs: [Int32] { [] }
    var verifier: SyscallVerifier? { nil }
    var profile: WindowProfile? { nil }

    func awaitReady(_ runner: PointRunner, plan: CPUPlan?, notes: inout [String]) -> RunStep<ReadyServer> {
        // A launcher (ssh) may take a while to connect before mux-server starts.
        guard let ready = awaitReadyLine(budget: 30_000_000_000) else {
            if Interruption.requested { return .interrupted }
            return .failed("\(process.name) did not become ready: \(process.endReason())")
        }
        if runner.foldedPath != nil {
            notes.append("no profile (profile columns left empty): perf profiles this machine's processes only")
        }
        // A remote server's CPUs are not this machine's to pin or read.
        return .done(ReadyServer(port: ready.port, cpus: ""))
    }

    func askForSnapshot() -> Bool { process.send(line: "snapshot") }

    // Its context switches are another machine's /proc: empty columns.
    func processStats() -> EdgeProcessStats { .notRead }

    func end() { host.end(process) }
}
