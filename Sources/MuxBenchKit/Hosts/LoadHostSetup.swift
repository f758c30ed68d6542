// Several load hosts for one point: which hosts, which mux-load binary they run, where the server
// listens, and how a point's connections, active connections and rate are split over them. Given
// by `mux-bench run --load-host ... [--load-binary PATH] [--listen ADDRESS]` or a sweep file's
// `load-hosts`, `load-binary` and `server-listen` lines; checked before anything runs.

public struct LoadHostSetup: Equatable, Sendable {
    public var hosts: [LoadHost]
    /// mux-load's path on the hosts; nil: this machine's (right for namespaces and local hosts).
    public var binary: String?
    /// Where mux-server listens; nil: the one address the hosts aim at, else 127.0.0.1.
    public var listen: String?
    /// The per-host CSV (`…-hosts.csv`, LoadHostRecords.swift); nil: none written.
    public var recordPath: String?

    public init(hosts: [LoadHost], binary: String? = nil, listen: String? = nil) {
        self.hosts = hosts
        self.binary = binary
        self.listen = listen
    }

    /// The setup of `hosts`, checked: at least one host, a usable binary path, and a server
    /// address every host can aim at.
    public static func checked(hosts: [LoadHost], binary: String?, listen: String?) -> Result<LoadHostSetup, LoadHostError> {
        guard !hosts.isEmpty else { return .failure(LoadHostError("no load hosts")) }
        if let binary {
            guard isLauncherSafePath(binary) else {
                return .failure(LoadHostError("load binary '\(binary)': expected a path of letters, digits and / . _ + -"))
            }
        }
        if let listen, !isIPv4Address(listen) {
            return .failure(LoadHostError("listen address '\(listen)' is not an IPv4 address"))
        }
        let targets = Set(hosts.compactMap(\.target))
        if listen == nil, targets.count > 1 {
            return .failure(LoadHostError("the load hosts aim at different addresses (\(targets.sorted().joined(separator: ", "))): "
                                          + "say where the server listens (--listen, or 'server-listen' in a sweep file)"))
        }
        return .success(LoadHostSetup(hosts: hosts, binary: binary, listen: listen))
    }

    /// The address mux-server listens on.
    public var serverAddress: String { listen ?? hosts.lazy.compactMap(\.target).first ?? "127.0.0.1" }

    /// The same setup writing its per-host rows to `path`.
    public func recording(to path: String) -> LoadHostSetup {
        var copy = self
        copy.recordPath = path
        return copy
    }
}

/// One host's part of a point.
public struct LoadShare: Equatable, Sendable {
    public var connections: Int
    public var active: Int
    /// Open loop: this host's requests/s, in proportion to its active connections.
    public var rate: Double?

    public init(connections: Int, active: Int, rate: Double?) {
        self.connections = connections
        self.active = active
        self.rate = rate
    }

    /// Connections and active connections split as evenly as integers allow, the first hosts
    /// taking one more where it does not divide; the rate in proportion to the active
    /// connections, so every active connection is offered the same rate wherever it runs.
    public static func split(connections: Int, active: Int, rate: Double?, hosts: Int) -> Result<[LoadShare], LoadHostError> {
        guard hosts >= 1 else { return .failure(LoadHostError("no load hosts")) }
        guard connections >= hosts else {
            return .failure(LoadHostError("\(connections) connection(s) cannot be split over \(hosts) load hosts"))
        }
        guard active == 0 || active >= hosts else {
            return .failure(LoadHostError("\(active) active connection(s) cannot be split over \(hosts) load hosts (each needs one)"))
        }
        if rate != nil, active == 0 {
            return .failure(LoadHostError("an offered rate needs active connections"))
        }
        func part(_ total: Int, _ index: Int) -> Int { total / hosts + (index < total % hosts ? 1 : 0) }
        return .success((0..<hosts).map { index in
            let mine = part(active, index)
            return LoadShare(connections: part(connections, index), active: mine,
                             rate: rate.map { $0 * Double(mine) / Double(active) })
        })
    }
}
