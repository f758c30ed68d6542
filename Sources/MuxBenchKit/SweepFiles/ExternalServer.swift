// A server MuxBench did not write (nginx, redis-server), named in a sweep file by
// `server.NAME = COMMAND` or on `mux-bench run --server-command`: the command that runs it in the
// foreground, with `{port}`, `{dir}` and `{user}` filled in for each run. Checked here, before
// anything runs; started and measured by `ExternalServerRun`.
import Foundation
import MuxCore

public struct ExternalServer: Hashable, Sendable {
    /// What a command may contain in braces: the port to listen on (required), the run's scratch
    /// directory (config files from Benchmarks/servers/NAME/ are copied there) and the user
    /// MuxBench runs as (nginx's `user` directive).
    public static let placeholders = ["port", "dir", "user"]
    /// How long a server may take to accept on its port unless the sweep says otherwise.
    public static let defaultStartTimeout = 15.0

    /// The name in the CSV's `backend` column and in `backends = ...`.
    public var name: String
    /// The command, placeholders unfilled.
    public var command: String
    /// Where it was defined, for messages: `FILE:LINE` or a flag.
    public var origin: String
    /// Seconds the server has to accept connections on its port before its point fails.
    public var startTimeout: Double

    public init(name: String, command: String, origin: String, startTimeout: Double = ExternalServer.defaultStartTimeout) {
        self.name = name
        self.command = command
        self.origin = origin
        self.startTimeout = startTimeout
    }

    /// Why the write mode on-writable does not apply to backend or server `name`, or nil: a
    /// completion backend never waits for writability, and a server MuxBench did not write has its
    /// own write path. Refused, so no row says on-writable for a run that did otherwise.
    public static func onWritableRefusal(for name: String) -> String? {
        guard let backend = Backend(rawValue: name) else {
            return "\(name) is a server MuxBench did not write: its write path is its own, so the write mode on-writable does not apply (use immediate)"
        }
        return backend.onWritableRefusal
    }

    /// Why `name` cannot name a server, or nil: a short lowercase word (it goes in point ids and
    /// CSV fields) that is not one of MuxBench's own backends nor a group word (`all`, ...).
    public static func problem(withName name: String) -> String? {
        func isLetter(_ s: Unicode.Scalar) -> Bool { (97...122).contains(s.value) }
        func isAllowed(_ s: Unicode.Scalar) -> Bool { isLetter(s) || (48...57).contains(s.value) || s.value == 95 }
        guard let first = name.unicodeScalars.first, isLetter(first), name.unicodeScalars.allSatisfy(isAllowed),
              name.count <= 32 else {
            return "server name '\(name)': expected a lowercase letter, then letters, digits or '_' (at most 32)"
        }
        if Backend.names.contains(name) { return "server name '\(name)' is one of MuxBench's own backends" }
        if Backend.group(named: name) != nil { return "server name '\(name)' stands for a group of MuxBench's own backends" }
        return nil
    }

    /// Why `command` cannot run server `name`, or nil: it must say where to listen — `{port}` in
    /// the command, or in a config file of Benchmarks/servers/NAME/ that the command reads from
    /// `{dir}` (nginx) — and use no placeholder MuxBench does not fill.
    public static func problem(withCommand command: String, name: String) -> String? {
        if command.allSatisfy(\.isWhitespace) { return "empty server command" }
        let used = placeholderNames(in: command)
        if let unknown = used.first(where: { !placeholders.contains($0) }) {
            return "unknown placeholder {\(unknown)} in the server command (known: {port}, {dir}, {user})"
        }
        if used.contains("port") { return nil }
        if used.contains("dir"), templatesMentionPort(name) { return nil }
        return "the server command has no {port} (nor has a file of Benchmarks/servers/\(name)/ it reads from {dir}): "
            + "MuxBench chooses the port and must tell the server"
    }

    /// Whether a config template of server `name` has `{port}`.
    static func templatesMentionPort(_ name: String) -> Bool {
        guard let directory = templatesDirectory(of: name),
              let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        return files.contains { file in
            (try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8))?.contains("{port}") == true
        }
    }

    /// Where a server's config templates live: `Benchmarks/servers/NAME/` in the working
    /// directory, else in the checkout MuxBench was built from.
    static func templatesDirectory(of name: String) -> String? {
        let relative = "Benchmarks/servers/\(name)"
        var isDirectory: ObjCBool = false
        let working = FileManager.default.currentDirectoryPath + "/" + relative
        if FileManager.default.fileExists(atPath: working, isDirectory: &isDirectory), isDirectory.boolValue { return working }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }


    /// The words in braces in `text`.
    static func placeholderNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let word = after[..<close]
            if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0 == "_" }) { names.append(String(word)) }
            rest = after[after.index(after: close)...]
        }
        return names
    }

    /// `text` with the placeholders filled in.
    static func fill(_ text: String, port: UInt16, directory: String, user: String) -> String {
        text.replacingOccurrences(of: "{port}", with: String(port))
            .replacingOccurrences(of: "{dir}", with: directory)
            .replacingOccurrences(of: "{user}", with: user)
    }

    /// The command for one run.
    func commandLine(port: UInt16, directory: String, user: String) -> String {
        Self.fill(command, port: port, directory: directory, user: user)
    }
}
