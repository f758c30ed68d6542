import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A running mux-server child: started, waited for (ready line), asked for counters, stopped.
public final class ServerProcess: @unchecked Sendable {
    public let child: ChildProcess
    public let port: UInt16
    public let ready: [String: Any]

    /// `launcher` runs the server through another program that execs it (same PID), e.g.
    /// `["/usr/bin/prlimit", "--nofile=64:64", "--"]` for a low descriptor limit.
    /// With `input`, its stdin is a pipe the test writes (`child.writeInput`), for `--control stdin`.
    public init(_ arguments: [String], launcher: [String] = [], input: Bool = false) throws {
        if let program = launcher.first {
            child = try ChildProcess(program, Array(launcher.dropFirst()) + [executablePath("mux-server"), "--port", "0"] + arguments,
                                     input: input)
        } else {
            child = try ChildProcess("mux-server", ["--port", "0"] + arguments, input: input)
        }
        guard let ready = child.readJSON(type: "ready", timeout: 15), let port = ready["port"] as? Int else {
            _ = child.wait(timeout: 1)
            throw TestFailure("mux-server \(arguments) did not print its ready line: \(child.standardError())")
        }
        self.ready = ready
        self.port = UInt16(port)
    }

    /// A counters snapshot (SIGUSR1 → one JSON line).
    public func counters() throws -> [String: Int] {
        child.signal(SIGUSR1)
        guard let line = child.readJSON(type: "counters") else { throw TestFailure("no counters line") }
        return line.compactMapValues { $0 as? Int }
    }

    /// SIGTERM; returns the exit status and the final counters.
    public func stop() throws -> (status: Int32, final: [String: Int]) {
        child.signal(SIGTERM)
        let final = child.readJSON(type: "final")?.compactMapValues { $0 as? Int } ?? [:]
        return (child.wait(), final)
    }
}

/// Counter deltas between two snapshots.
public func delta(_ end: [String: Int], _ start: [String: Int]) -> [String: Int] {
    var d: [String: Int] = [:]
    for (key, value) in end { d[key] = value - (start[key] ?? 0) }
    return d
}
