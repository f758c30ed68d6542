// The server side of a point, as LoadSide (Hosts/LoadHostGroup.swift) is its load side: what
// PointRunner needs from the server whichever kind runs it. One type per kind:
//     LocalServer       mux-server on this machine, a child of the collector
//     HostedServer      mux-server on a server host, through its launcher (Hosts/ServerHost.swift)
//     ExternalServerRun a server MuxBench did not write (nginx, redis-server), measured from outside
// `PointRunner.startServer` is the one place that chooses between them.
import MuxCore
import MuxMessages

/// A step of a run that gives its value or ends the point: failed (with the reason) or interrupted.
enum RunStep<Value> {
    case done(Value)
    case failed(String)
    case interrupted
}

/// Where a started server listens, and the CPUs it may run on (the row's `server_cpus`).
struct ReadyServer {
    let port: Int
    let cpus: String
}

protocol ServerSide: AnyObject {
    /// The local process watched for death and named in failures: the server itself (the root of
    /// its process tree), or the launcher a server host runs behind.
    var process: Subprocess { get }
    /// True when the server runs on another machine: none of this machine's CPUs is kept for it
    /// (the local mux-load may use them all, unpinned) and mux-load aims at `loadTarget`.
    var runsElsewhere: Bool { get }
    /// The address a local mux-load aims at instead of its default, or nil.
    var loadTarget: String? { get }
    /// Waits until the server listens, then sets up what the window needs (pinning, perf); its
    /// notes go into `notes`.
    func awaitReady(_ runner: PointRunner, plan: CPUPlan?, notes: inout [String]) -> RunStep<ReadyServer>
    /// The window, from the warm-up's end, into one row: measured as this kind of server can be.
    func measure(_ runner: PointRunner, load: any LoadSide, connected: ConnectedMessage, started: String,
                 serverCPUs: String, loadCPUs: String, notes: [String]) -> RunOutcome
    /// Ends the server, in every outcome.
    func end()
}

extension PointRunner {
    /// The server of this point, started: a server MuxBench did not write where the point names
    /// one, else mux-server on the server host where the run has one, else on this machine.
    func startServer(plan: CPUPlan?) -> RunStep<any ServerSide> {
        if let definition = point.server {
            if loadHosts != nil {
                // Its address is in its own command or config, and it counts no requests to check
                // the hosts' merge against.
                return .failed("\(point.backend): a server MuxBench did not write cannot be loaded from load hosts yet")
            }
            if serverHost != nil {
                // Only mux-server takes its snapshots on stdin; the parsers refuse this before it runs.
                return .failed("\(point.backend): a server MuxBench did not write cannot run on a server host")
            }
            do throws(ExternalServerRun.StartFailure) {
                return .done(try ExternalServerRun(definition, pinTo: plan?.server))
            } catch {
                switch error {
                case let .failed(reason): return .failed(reason)
                case .interrupted: return .interrupted
                }
            }
        }
        if let serverHost {
            do {
                return .done(HostedServer(host: serverHost,
                                          process: try serverHost.start(localBinary: binaries.server, arguments: muxServerArguments)))
            } catch {
                return .failed("cannot start mux-server through '\(serverHost.launcherText)': \(error)")
            }
        }
        do {
            return .done(LocalServer(process: try Subprocess(name: "mux-server", executable: binaries.server,
                                                             arguments: muxServerArguments)))
        } catch {
            return .failed("cannot start mux-server: \(error)")
        }
    }

    /// mux-server's command line for this point.
    var muxServerArguments: [String] {
        var arguments = ["--backend", point.backend, "--protocol", wireProtocol, "--port", "0",
                         "--write-mode", point.writeMode, "--max-events", "\(point.maxEvents)"]
        if let maximum = Backend(rawValue: point.backend).flatMap(maximumConnections(for:)) {
            arguments += ["--max-connections", "\(maximum)"]
        }
        if let address = serverHost?.address ?? loadHosts?.serverAddress { arguments += ["--host", address] }
        return arguments
    }

    /// http-close is HTTP on the wire; echo, http and redis are themselves.
    var wireProtocol: String { point.protocolName == "http-close" ? "http" : point.protocolName }

    /// Where this point's server profile goes, when the run profiles.
    var foldedPath: String? {
        profileDirectory.map { WindowProfile.foldedPath(in: $0, point: point, repetition: repetition) }
    }
}
