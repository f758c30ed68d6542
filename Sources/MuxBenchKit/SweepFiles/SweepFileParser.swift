// The sweep file grammar: one `key = values` per line, values separated by whitespace, `#` starts
// a comment, `KEY.BACKEND = values` replaces a dimension for one backend. Every mistake becomes
// one SweepError naming the line, found before any value is used. `backends` also takes the
// group words of Backend.group (`all`, `readiness`, `completion`).
import MuxCLI
import MuxCore

/// The keys a sweep file may set.
enum SweepKey: String, CaseIterable {
    case backends, connections, active, payload
    case wireProtocol = "protocol"
    case mode, pipeline, rate, threads
    case maxEvents = "max-events"
    case warmup, duration, repetitions
    case search
    case searchStart = "search-start"
    /// `server.NAME = COMMAND`: a server MuxBench did not write, usable as a backend.
    case server
    case serverTimeout = "server-timeout"
    case loadHosts = "load-hosts"
    case loadBinary = "load-binary"
    case serverListen = "server-listen"
    /// `server-host = LAUNCHER`: mux-server run there (Hosts/ServerHost.swift).
    case serverHost = "server-host"
    case serverBinary = "server-binary"
    /// Open loop: `pacing = spin sleep`, `arrivals = constant exponential` (dimensions).
    case pacing, arrivals
    /// `profile = yes`: the server's CPU profiled over every window (Profile/WindowProfile.swift).
    case profile

    /// Dimension keys take lists and may be overridden per backend; the others are sweep-wide.
    var isDimension: Bool {
        switch self {
        case .backends, .warmup, .duration, .repetitions, .search, .searchStart, .server, .serverTimeout: return false
        case .loadHosts, .loadBinary, .serverListen, .serverHost, .serverBinary, .profile: return false
        default: return true
        }
    }
}

struct SweepFileParser {
    let path: String

    /// One `key = values` line, checked for shape but not yet for its values.
    private struct Entry {
        let line: Int
        let keyText: String
        let key: SweepKey
        let backend: String?
        let words: [String]
        /// Everything after '=', trimmed: a server's command keeps its quoting.
        let raw: String
    }

    init(path: String) { self.path = path }

    func parse(_ text: String) throws(SweepError) -> SweepSpec {
        let entries = try readEntries(text)
        let servers = try externalServers(entries)
        let knownBackends = SweepSpec.backendNames + servers.keys.sorted()
        for entry in entries where entry.key != .server {
            guard let backend = entry.backend, !knownBackends.contains(backend) else { continue }
            throw SweepError(file: path, line: entry.line, message: "unknown backend '\(printable(backend))' in key "
                + "'\(printable(entry.keyText))' (expected one of: \(knownBackends.joined(separator: ", ")), or a name given a 'server.NAME = COMMAND' line)")
        }
        let sweepWide = entries.filter { $0.backend == nil }

        var backends: [String] = []
        var dimensions = SweepDimensions()
        var warmup = 1.0, duration = 5.0, repetitions = 3
        var search: SearchSpec?
        var searchStart: Double?
        var serverTimeout: Double?
        var profile = false
        var loadHostEntries: [SweepKey: Entry] = [:]
        for entry in sweepWide {
            switch entry.key {
            case .backends:
                backends = try backendList(entry, knownBackends: knownBackends)
            case .serverTimeout:
                serverTimeout = try single(entry, rule: NumberRules.serverTimeout)
            case .warmup:
                warmup = try single(entry, rule: NumberRules.warmup)
            case .duration:
                duration = try single(entry, rule: NumberRules.duration)
            case .repetitions:
                repetitions = Int(try single(entry, rule: NumberRules.repetitions))
            case .search:
                guard let spec = SearchSpec.parse(entry.words) else {
                    throw SweepError(file: path, line: entry.line,
                                     message: "bad value '\(printable(entry.words.joined(separator: " ")))' for 'search': expected 'pN <= LATENCY' (p50, p90, p99 or p999; e.g. p99 <= 1ms)")
                }
                search = spec
            case .searchStart:
                searchStart = try single(entry, rule: NumberRules.searchStart)
            case .profile:
                profile = try single(entry, expected: "yes or no") { ["yes": true, "no": false][$0] }
            case .loadHosts, .loadBinary, .serverListen, .serverHost, .serverBinary:
                loadHostEntries[entry.key] = entry
            default: try apply(entry, to: &dimensions)
            }
        }
        let loadHosts = try loadHostSetup(loadHostEntries)
        let serverHost = try serverHostSetup(loadHostEntries, loadHosts: loadHosts, servers: entries.filter { $0.key == .server })

        var backendDimensions: [String: SweepDimensions] = [:]
        for entry in entries where entry.key != .server {
            guard let backend = entry.backend else { continue }
            var overridden = backendDimensions[backend] ?? dimensions
            try apply(entry, to: &overridden)
            backendDimensions[backend] = overridden
        }
        try checkPointsCanRun(backends: backends, dimensions: dimensions, backendDimensions: backendDimensions, entries: entries)
        // Last, so a line-level mistake in a required key is reported with its line.
        for required in [SweepKey.backends, .connections] where !sweepWide.contains(where: { $0.key == required }) {
            throw SweepError(file: path, message: "missing required key '\(required.rawValue)'")
        }
        if let start = searchStart {
            guard search != nil else {
                throw SweepError(file: path, line: sweepWide.first(where: { $0.key == .searchStart })?.line,
                                 message: "'search-start' needs a 'search' line")
            }
            search?.startRate = start
        }
        var timedServers = servers
        if let serverTimeout {
            for name in servers.keys { timedServers[name]?.startTimeout = serverTimeout }
        }
        var spec = SweepSpec(path: path, backends: backends, dimensions: dimensions,
                             backendDimensions: backendDimensions, warmup: warmup, duration: duration,
                             repetitions: repetitions, search: search, servers: timedServers, loadHosts: loadHosts,
                             serverHost: serverHost)
        spec.profile = profile
        return spec
    }

    /// Combinations no run could carry out, refused with the line that asked for them (never
    /// left out of the matrix unsaid): more active connections than connections, and on-writable
    /// where it does not apply (its rows would say on-writable for a run that wrote otherwise).
    private func checkPointsCanRun(backends: [String], dimensions: SweepDimensions,
                                   backendDimensions: [String: SweepDimensions], entries: [Entry]) throws(SweepError) {
        // The line that set `key` for `backend`: its own override, else the sweep-wide one.
        func line(_ key: SweepKey, _ backend: String) -> Int? {
            (entries.first { $0.key == key && $0.backend == backend } ?? entries.first { $0.key == key && $0.backend == nil })?.line
        }
        for backend in backends {
            let values = backendDimensions[backend] ?? dimensions
            for case let .count(active) in values.active {
                guard let connections = values.connections.first(where: { active > $0 }) else { continue }
                let connectionsLine = line(.connections, backend).map { " (line \($0))" } ?? ""
                throw SweepError(file: path, line: line(.active, backend),
                                 message: "active \(active) is more than connections \(connections)\(connectionsLine) for \(backend): "
                                     + "a point cannot have more active connections than open ones (use 'all', or set 'active.\(backend)')")
            }
            if values.writeModes.contains("on-writable"), let refusal = ExternalServer.onWritableRefusal(for: backend) {
                throw SweepError(file: path, line: line(.mode, backend),
                                 message: "'mode': \(refusal); set 'mode.\(backend) = immediate'")
            }
        }
    }

    /// The `server.NAME = COMMAND` lines, each command checked (`{port}`, known placeholders).
    private func externalServers(_ entries: [Entry]) throws(SweepError) -> [String: ExternalServer] {
        var servers: [String: ExternalServer] = [:]
        for entry in entries where entry.key == .server {
            if let problem = ExternalServer.problem(withCommand: entry.raw, name: entry.backend!) {
                throw SweepError(file: path, line: entry.line, message: "'\(printable(entry.keyText))': \(printable(problem))")
            }
            let name = entry.backend!
            servers[name] = ExternalServer(name: name, command: entry.raw, origin: "\(path):\(entry.line)")
        }
        return servers
    }

    /// `load-hosts = HOST; HOST ...` with the optional `load-binary = PATH` and
    /// `server-listen = ADDRESS`; nil without a `load-hosts` line.
    private func loadHostSetup(_ entries: [SweepKey: Entry]) throws(SweepError) -> LoadHostSetup? {
        guard let hostsEntry = entries[.loadHosts] else {
            if let stray = entries[.loadBinary] {
                throw SweepError(file: path, line: stray.line, message: "'\(stray.keyText)' needs a 'load-hosts' line")
            }
            if let stray = entries[.serverListen], entries[.serverHost] == nil {
                throw SweepError(file: path, line: stray.line, message: "'\(stray.keyText)' needs a 'load-hosts' or 'server-host' line")
            }
            return nil
        }
        let hosts: [LoadHost]
        switch LoadHost.parseList(hostsEntry.words.joined(separator: " ")) {
        case let .success(parsed): hosts = parsed
        case let .failure(error):
            throw SweepError(file: path, line: hostsEntry.line,
                             message: "bad value for 'load-hosts': \(printable(error.message)) (hosts are separated by ';')")
        }
        func one(_ key: SweepKey) throws(SweepError) -> String? {
            guard let entry = entries[key] else { return nil }
            guard entry.words.count == 1 else {
                throw SweepError(file: path, line: entry.line, message: "'\(entry.keyText)' takes one value, found \(entry.words.count)")
            }
            return entry.words[0]
        }
        let binary = try one(.loadBinary)
        let listen = try one(.serverListen)
        switch LoadHostSetup.checked(hosts: hosts, binary: binary, listen: listen) {
        case let .success(setup): return setup
        case let .failure(error):
            // Name the line whose value is wrong: the binary's, the address's, else the hosts'.
            let line = error.message.hasPrefix("load binary") ? entries[.loadBinary]?.line
                : error.message.hasPrefix("listen address") ? entries[.serverListen]?.line : hostsEntry.line
            throw SweepError(file: path, line: line ?? hostsEntry.line, message: printable(error.message))
        }
    }

    /// `server-host = LAUNCHER` with the optional `server-binary = PATH`, listening on
    /// `server-listen` or where the load hosts aim; nil without a `server-host` line. Only
    /// mux-server can run there: a file that also names a `server.NAME` server is refused.
    private func serverHostSetup(_ entries: [SweepKey: Entry], loadHosts: LoadHostSetup?,
                                 servers: [Entry]) throws(SweepError) -> ServerHost? {
        guard let hostEntry = entries[.serverHost] else {
            if let stray = entries[.serverBinary] {
                throw SweepError(file: path, line: stray.line, message: "'\(stray.keyText)' needs a 'server-host' line")
            }
            return nil
        }
        if let external = servers.first {
            throw SweepError(file: path, line: hostEntry.line,
                             message: "'server-host': only mux-server can run there (it takes its snapshots on stdin), "
                                 + "not '\(printable(external.keyText))' (line \(external.line))")
        }
        var binary: String?
        if let entry = entries[.serverBinary] {
            guard entry.words.count == 1 else {
                throw SweepError(file: path, line: entry.line, message: "'\(entry.keyText)' takes one value, found \(entry.words.count)")
            }
            binary = entry.words[0]
        }
        let listen = entries[.serverListen]?.words.joined(separator: " ")
        switch ServerHost.checked(launcher: hostEntry.words.joined(separator: " "), binary: binary, listen: listen,
                                  loadHosts: loadHosts) {
        case let .success(host): return host
        case let .failure(error):
            // Name the line whose value is wrong.
            let key: SweepKey
            switch error {
            case .launcher: key = .serverHost
            case .binary: key = .serverBinary
            case .listen: key = .serverListen
            }
            let entry = entries[key] ?? hostEntry
            throw SweepError(file: path, line: entry.line, message: "'\(entry.keyText)': \(printable(error.description))")
        }
    }

    /// Splits the text into entries: comments stripped, keys known, no duplicates, no empty lists.
    private func readEntries(_ text: String) throws(SweepError) -> [Entry] {
        var entries: [Entry] = []
        var firstLineOfKey: [String: Int] = [:]
        // Lines as editors and `grep -n` count them: LF or CRLF (one Character in Swift). Other
        // line-breaking characters (lone CR, VT, FF, NEL, U+2028) are whitespace inside a line, so
        // `file:line` points where the user looks.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let line = index + 1
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = content.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw SweepError(file: path, line: line, message: "expected 'key = values', found '\(printable(trimmed))'")
            }
            let keyText = String(trimmed[..<equals].trimmingWhitespace())
            guard !keyText.isEmpty else {
                throw SweepError(file: path, line: line, message: "missing key before '='")
            }
            let (key, backend) = try resolveKey(keyText, line: line)
            if let first = firstLineOfKey[keyText] {
                throw SweepError(file: path, line: line, message: "duplicate key '\(printable(keyText))' (first set on line \(first))")
            }
            firstLineOfKey[keyText] = line
            let words = trimmed[trimmed.index(after: equals)...].split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else {
                throw SweepError(file: path, line: line, message: "empty list for '\(printable(keyText))'")
            }
            let raw = String(trimmed[trimmed.index(after: equals)...].trimmingWhitespace())
            entries.append(Entry(line: line, keyText: keyText, key: key, backend: backend, words: words, raw: raw))
        }
        return entries
    }

    /// `connections` or `connections.select`: the key and the backend it is limited to, if any.
    private func resolveKey(_ text: String, line: Int) throws(SweepError) -> (SweepKey, String?) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let key = SweepKey(rawValue: parts[0]) else {
            let known = SweepKey.allCases.map(\.rawValue).joined(separator: ", ")
            throw SweepError(file: path, line: line, message: "unknown key '\(printable(text))' (expected one of: \(known))")
        }
        if key == .server {
            guard parts.count == 2, !parts[1].isEmpty else {
                throw SweepError(file: path, line: line, message: "'server' needs a name: server.NAME = COMMAND")
            }
            if let problem = ExternalServer.problem(withName: parts[1]) {
                throw SweepError(file: path, line: line, message: printable(problem))
            }
            return (key, parts[1])
        }
        guard parts.count == 2 else { return (key, nil) }
        guard key.isDimension else {
            throw SweepError(file: path, line: line, message: "'\(key.rawValue)' cannot be set per backend (in '\(printable(text))')")
        }
        // Whether the backend exists is checked once every `server.NAME` line is known.
        return (key, parts[1])
    }

    /// Parses a dimension entry's values into `dimensions`, replacing that dimension's list.
    private func apply(_ entry: Entry, to dimensions: inout SweepDimensions) throws(SweepError) {
        switch entry.key {
        case .connections: dimensions.connections = try values(entry, rule: NumberRules.connections)
        case .active:
            dimensions.active = try values(entry, expected: "'all' or \(NumberRules.active.expectation)") {
                $0 == "all" ? .all : NumberRules.active.integer($0).map(ActiveConnections.count)
            }
        case .payload: dimensions.payloadBytes = try values(entry, rule: NumberRules.payload)
        case .wireProtocol:
            dimensions.protocols = try values(entry, expected: "one of \(SweepSpec.protocolNames.joined(separator: ", "))") {
                SweepSpec.protocolNames.contains($0) ? $0 : nil
            }
        case .mode:
            dimensions.writeModes = try values(entry, expected: "one of \(SweepSpec.writeModeNames.joined(separator: ", "))") {
                SweepSpec.writeModeNames.contains($0) ? $0 : nil
            }
        case .pipeline: dimensions.pipeline = try values(entry, rule: NumberRules.pipeline)
        case .rate:
            dimensions.rates = try values(entry, expected: "'closed' or \(NumberRules.rate.expectation)") { word in
                word == "closed" ? .closedLoop : NumberRules.rate.value(word).map(RequestRate.perSecond)
            }
        case .threads: dimensions.threads = try values(entry, rule: NumberRules.threads)
        case .maxEvents: dimensions.maxEvents = try values(entry, rule: NumberRules.maxEvents)
        case .pacing:
            dimensions.pacing = try values(entry, expected: "one of \(SweepSpec.pacingNames.joined(separator: ", "))") {
                SweepSpec.pacingNames.contains($0) ? $0 : nil
            }.map(Optional.some)
        case .arrivals:
            dimensions.arrivals = try values(entry, expected: "one of \(SweepSpec.arrivalNames.joined(separator: ", "))") {
                SweepSpec.arrivalNames.contains($0) ? $0 : nil
            }
        case .backends, .warmup, .duration, .repetitions, .search, .searchStart, .server, .serverTimeout, .loadHosts, .loadBinary,
             .serverListen, .serverHost, .serverBinary, .profile:
            preconditionFailure("\(entry.key) is not a dimension")
        }
    }

    /// Every word parsed; the first one that fails or repeats is reported.
    private func values<Value: Hashable>(_ entry: Entry, expected: String,
                                         parse: (String) -> Value?) throws(SweepError) -> [Value] {
        var result: [Value] = []
        for word in entry.words {
            guard let value = parse(word) else {
                throw SweepError(file: path, line: entry.line,
                                 message: "bad value '\(printable(word))' for '\(printable(entry.keyText))': expected \(expected)")
            }
            guard !result.contains(value) else {
                throw SweepError(file: path, line: entry.line, message: "duplicate value '\(printable(word))' for '\(printable(entry.keyText))'")
            }
            result.append(value)
        }
        return result
    }

    /// `backends = ...`: names, and group words (`all`, `readiness`, `completion`: Backend.group)
    /// that stand for every backend of the group in Backend's order; a name twice is refused,
    /// whether written twice or also in a group.
    private func backendList(_ entry: Entry, knownBackends: [String]) throws(SweepError) -> [String] {
        var result: [String] = []
        var broughtBy: [String: String] = [:]
        for word in entry.words {
            let names: [String]
            if let group = Backend.group(named: word) {
                names = group.map(\.rawValue)
            } else if knownBackends.contains(word) {
                names = [word]
            } else {
                throw SweepError(file: path, line: entry.line, message: "bad value '\(printable(word))' for '\(printable(entry.keyText))': "
                    + "expected one of \(knownBackends.joined(separator: ", ")), a group (\(Backend.groupNames.joined(separator: ", "))), "
                    + "or a name given a 'server.NAME = COMMAND' line")
            }
            for name in names {
                if let earlier = broughtBy[name] {
                    let groups = [earlier, word].filter { $0 != name }.map { "'\(printable($0))'" }
                    let inGroups = groups.isEmpty ? "" : " (in \(groups.joined(separator: " and ")))"
                    throw SweepError(file: path, line: entry.line,
                                     message: "duplicate value '\(printable(name))' for '\(printable(entry.keyText))'\(inGroups)")
                }
                broughtBy[name] = word
                result.append(name)
            }
        }
        return result
    }

    /// Whole numbers checked against their rule (NumberRules): the words every entry point uses.
    private func values(_ entry: Entry, rule: NumberRule) throws(SweepError) -> [Int] {
        try values(entry, expected: rule.expectation, parse: rule.integer)
    }

    /// The one value of a sweep-wide number, checked against its rule.
    private func single(_ entry: Entry, rule: NumberRule) throws(SweepError) -> Double {
        try single(entry, expected: rule.expectation, parse: rule.value)
    }

    /// The one value of a sweep-wide setting.
    private func single<Value: Hashable>(_ entry: Entry, expected: String,
                                         parse: (String) -> Value?) throws(SweepError) -> Value {
        guard entry.words.count == 1 else {
            throw SweepError(file: path, line: entry.line,
                             message: "'\(printable(entry.keyText))' takes one value, found \(entry.words.count)")
        }
        return try values(entry, expected: expected, parse: parse)[0]
    }
}

/// File text quoted in a message, with control and line-breaking characters escaped (`\u{B}`),
/// so that the message stays one line whatever the file holds.
private func printable<S: StringProtocol>(_ text: S) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format:
            result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default:
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        return self[first...last]
    }
}
