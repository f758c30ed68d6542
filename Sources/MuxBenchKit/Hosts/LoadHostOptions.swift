// `mux-bench run`'s load-host options: `--load-host` (repeatable), `--load-binary`, `--listen`,
// checked into a LoadHostSetup before anything runs.
import MuxCLI

extension RunCommand {
    /// `--load-host` (repeatable), `--load-binary`, `--listen`: nil without `--load-host`.
    static func loadHostSetup(from parsed: ParsedArguments) throws(UsageError) -> LoadHostSetup? {
        func bad(_ message: String) -> UsageError { UsageError(program: parser.program, message: message) }
        let texts = parsed.strings("load-host")
        guard !texts.isEmpty else {
            if parsed.string("load-binary") != nil { throw bad("--load-binary: needs --load-host") }
            if parsed.string("listen") != nil, parsed.string("server-host") == nil {
                throw bad("--listen: needs --load-host or --server-host")
            }
            return nil
        }
        var hosts: [LoadHost] = []
        for text in texts {
            switch LoadHost.parse(text) {
            case let .success(host): hosts.append(host)
            case let .failure(error): throw bad("--load-host: \(error.message)")
            }
        }
        switch LoadHostSetup.checked(hosts: hosts, binary: parsed.string("load-binary"), listen: parsed.string("listen")) {
        case let .success(setup): return setup
        case let .failure(error): throw bad("--load-host: \(error.message)")
        }
    }
}
