// A server host: mux-server run elsewhere (another machine, a network namespace, a container)
// through a launcher written as load hosts write theirs (LoadHost.swift): `ssh bench@h1`,
// `ip netns exec ns0`, `kubectl exec -i pod --`. No signal of the collector reaches a process
// behind a launcher, so mux-server runs with `--control stdin`: the collector writes `snapshot`
// lines for counters and ends it by closing its stdin (ssh passes the end of file on, so a server
// whose collector went away ends too).
//
// What a remote server's row holds is what its counters line carries: syscalls by kind, requests,
// and its own CPU time (getrusage). Not measured there: context switches and its CPUs (/proc is
// this machine's), perf's kernel-side counts, steal time on its host. Nor is it pinned: the
// launcher pins it (`ssh h1 taskset -c 0`).

public struct ServerHost: Equatable, Sendable {
    /// The words that run a command there (never empty).
    public var launcher: [String]
    /// mux-server's path there; nil: this machine's (right for a namespace).
    public var binary: String?
    /// Where mux-server listens there, as the load reaches it.
    public var address: String

    public init(launcher: [String], binary: String?, address: String) {
        self.launcher = launcher
        self.binary = binary
        self.address = address
    }

    public static let syntax = "a launcher such as 'ssh bench@h1' or 'ip netns exec ns0'"

    /// The host of `launcher` (as written), checked: a launcher, a usable binary path and an IPv4
    /// address to listen on (`listen`, else the address the load hosts aim at). The error says
    /// what is wrong; the caller adds where (flag or file:line) and which part.
    public static func checked(launcher text: String, binary: String?, listen: String?,
                               loadHosts: LoadHostSetup?) -> Result<ServerHost, ServerHostError> {
        let words = LoadHost.launcherWords(text)
        guard !words.isEmpty else { return .failure(.launcher("empty launcher; expected \(syntax)")) }
        if words == ["local"] {
            return .failure(.launcher("'local' is where mux-server runs anyway; leave the server host out"))
        }
        if let last = words.last, last.hasPrefix("@") {
            return .failure(.launcher("'\(text)': a server host takes no '@ADDRESS'; say where mux-server listens with --listen or 'server-listen'"))
        }
        if let binary, !isLauncherSafePath(binary) {
            return .failure(.binary("server binary '\(binary)': expected a path of letters, digits and / . _ + -"))
        }
        if let listen, !isIPv4Address(listen) {
            return .failure(.listen("listen address '\(listen)' is not an IPv4 address"))
        }
        guard let address = listen ?? loadHosts?.hosts.lazy.compactMap(\.target).first else {
            return .failure(.listen("a server host needs the address mux-server listens on there (--listen, or 'server-listen' in a sweep file)"))
        }
        return .success(ServerHost(launcher: words, binary: binary, address: address))
    }

    public var launcherText: String { launcher.joined(separator: " ") }

    /// Said once per run or sweep, instead of the pinning plan: where the server runs and what
    /// its rows can and cannot hold.
    public var notice: String {
        "server host: mux-server runs through '\(launcherText)', listening on \(address); its counters and CPU time are "
            + "its own (counters line), kernel-verified syscall counts (perf), context switches and steal time there are "
            + "not measured (ctx_vol, ctx_invol, server_cpus empty); it is not pinned (pin it in the launcher, e.g. "
            + "'ssh h1 taskset -c 0'), nor is the load beside it"
    }

    /// Starts mux-server there with `arguments` and `--control stdin`; stdin is the collector's to write.
    func start(localBinary: String, arguments: [String]) throws -> Subprocess {
        let command = launcher + [binary ?? localBinary] + arguments + ["--control", "stdin"]
        return try Subprocess(name: "mux-server (\(launcherText))", executable: command[0],
                              arguments: Array(command.dropFirst()), input: true)
    }

    /// Ends it the way it was told it would end: its stdin closed (it prints its final counters
    /// and exits 0); if the launcher has not exited within `grace` seconds, SIGTERM, then
    /// SIGKILL, to the launcher process this collector started (by its PID).
    func end(_ server: Subprocess, grace: Double = 5) {
        server.closeInput()
        _ = server.waitForExit(timeout: grace)
        server.stop(grace: 2)
    }
}

/// What is wrong with a server host, by the part of it that is wrong (so the caller can name the
/// flag or the sweep file's line).
public enum ServerHostError: Error, Equatable, Sendable, CustomStringConvertible {
    case launcher(String)
    case binary(String)
    case listen(String)

    public var description: String {
        switch self {
        case let .launcher(message), let .binary(message), let .listen(message): return message
        }
    }
}
