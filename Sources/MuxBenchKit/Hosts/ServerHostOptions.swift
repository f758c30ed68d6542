// `mux-bench run`'s server-host options: `--server-host`, `--server-binary` (and `--listen`,
// shared with the load hosts), checked into a ServerHost before anything runs.
import MuxCLI

extension RunCommand {
    /// `--server-host LAUNCHER` with `--server-binary` and `--listen`: nil without `--server-host`.
    static func serverHost(from parsed: ParsedArguments, point: SweepPoint,
                           loadHosts: LoadHostSetup?) throws(UsageError) -> ServerHost? {
        func bad(_ message: String) -> UsageError { UsageError(program: parser.program, message: message) }
        guard let text = parsed.string("server-host") else {
            if parsed.string("server-binary") != nil { throw bad("--server-binary: needs --server-host") }
            return nil
        }
        if point.server != nil {
            throw bad("--server-host: only mux-server can run there (it takes its snapshots on stdin), not a --server-command server")
        }
        if parsed.flags.contains("verify-syscalls") {
            throw bad("--verify-syscalls: perf cannot count the syscalls of a server behind --server-host")
        }
        switch ServerHost.checked(launcher: text, binary: parsed.string("server-binary"), listen: parsed.string("listen"),
                                  loadHosts: loadHosts) {
        case let .success(host): return host
        case let .failure(error):
            switch error {
            case .launcher: throw bad("--server-host: \(error)")
            case .binary: throw bad("--server-binary: \(error)")
            case .listen: throw bad("--listen: \(error)")
            }
        }
    }
}
