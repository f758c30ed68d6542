// A load host: where one of several mux-load processes runs, written as the command prefix that
// runs a program there and the server address it aims at:
//
//     local                                  this machine, aiming where the server listens
//     ip netns exec ns1 @198.18.0.1          a network namespace of this machine
//     ssh user@h2 @10.0.0.1                  another machine (the last '@' starts the address)
//     kubectl exec -i pod -- @10.0.0.1       a container (-i: mux-load reads its go line on stdin)
//
// The prefix is split on whitespace (no quoting) and run as is, with mux-load's path and
// arguments after it. A list in a sweep file separates hosts with ';'.
#if canImport(Glibc)
import Glibc
#endif

public struct LoadHost: Hashable, Sendable, CustomStringConvertible {
    /// The words that run a command there; empty: this machine, directly.
    public var launcher: [String]
    /// The server's IPv4 address as that host reaches it; nil: the address the server listens on.
    public var target: String?

    public init(launcher: [String], target: String?) {
        self.launcher = launcher
        self.target = target
    }

    /// What error messages quote as the accepted forms.
    public static let syntax = "LAUNCHER @ADDRESS (e.g. 'ip netns exec ns1 @198.18.0.1', 'ssh user@h2 @10.0.0.1') or 'local'"

    /// The host as written in a sweep file: `local`, `local @ADDRESS` or `LAUNCHER @ADDRESS`.
    public var description: String {
        let launcherText = launcher.isEmpty ? "local" : launcher.joined(separator: " ")
        return target.map { "\(launcherText) @\($0)" } ?? launcherText
    }

    /// One host; the error says what is wrong with `text` (the caller adds where it was).
    public static func parse(_ text: String) -> Result<LoadHost, LoadHostError> {
        let trimmed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if trimmed == "local" { return .success(LoadHost(launcher: [], target: nil)) }
        guard let at = trimmed.lastIndex(of: "@") else {
            return .failure(LoadHostError("'\(trimmed)': expected \(syntax)"))
        }
        let address = trimmed[trimmed.index(after: at)...].trimmingSpaces()
        let launcherText = trimmed[..<at].trimmingSpaces()
        guard isIPv4Address(address) else {
            return .failure(LoadHostError("'\(trimmed)': '\(address)' is not an IPv4 address (the server's address as that host reaches it); expected \(syntax)"))
        }
        guard !launcherText.isEmpty else {
            return .failure(LoadHostError("'\(trimmed)': no launcher before '@' (write 'local @\(address)' for this machine)"))
        }
        let words = launcherWords(launcherText)
        return .success(LoadHost(launcher: words == ["local"] ? [] : words, target: address))
    }

    /// A launcher's words as they will run: split on whitespace, no quoting (a server host's
    /// launcher is read the same way, ServerHost.swift).
    public static func launcherWords(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Hosts separated by ';' (a sweep file's `load-hosts` line).
    public static func parseList(_ text: String) -> Result<[LoadHost], LoadHostError> {
        var hosts: [LoadHost] = []
        for (index, part) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            guard !part.allSatisfy(\.isWhitespace) else {
                return .failure(LoadHostError("host \(index + 1) is empty (hosts are separated by ';')"))
            }
            switch parse(String(part)) {
            case let .success(host): hosts.append(host)
            case let .failure(error): return .failure(LoadHostError("host \(index + 1): \(error.message)"))
            }
        }
        return .success(hosts)
    }
}

/// A path that travels through launchers as one word (ssh hands it to a remote shell).
func isLauncherSafePath(_ path: String) -> Bool {
    !path.isEmpty && path.allSatisfy { $0.isLetter || $0.isNumber || "/._+-".contains($0) }
}

/// A dotted IPv4 address, as mux-server's --host and mux-load's --host take it.
func isIPv4Address(_ text: String) -> Bool {
    var address = in_addr()
    return inet_pton(AF_INET, text, &address) == 1
}

/// A load host (or the setup around it) that cannot be used, and why.
public struct LoadHostError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
