// Which processes a child started: /proc/*/stat (ProcStat) scanned for a parent PID. Tests use it to find
// the mux-server and mux-load a mux-bench child started (to end one of them on purpose, by PID,
// or to check none is left behind).
import Foundation
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessEntry: Equatable, Sendable {
    public let pid: Int32
    public let parent: Int32
    /// The command name (`comm`, at most 15 characters).
    public let name: String
    /// The state letter: R, S, T (stopped), Z (zombie) ...
    public let state: Character
}

/// /proc/PID/stat of one process (through ProcStat), or nil when it is gone.
public func processEntry(_ pid: Int32) -> ProcessEntry? {
    ProcStat.read(pid: pid).map(ProcessEntry.init(stat:))
}

/// Every process whose parent is `pid`, zombies included.
public func childProcesses(of pid: Int32) -> [ProcessEntry] {
    ProcStat.all().filter { $0.parent == pid }.map(ProcessEntry.init(stat:))
}

extension ProcessEntry {
    init(stat: ProcStat) { self.init(pid: stat.pid, parent: stat.parent, name: stat.command, state: stat.state) }
}

/// Waits up to `timeout` seconds for a live (not zombie) child of `pid` named `name`.
public func waitForChildProcess(of pid: Int32, named name: String, timeout: Double = 15) -> ProcessEntry? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let child = childProcesses(of: pid).first(where: { $0.name == name && $0.state != "Z" }) { return child }
        usleep(20_000)
    }
    return nil
}

/// Waits up to `timeout` seconds for process `pid` to be gone (or a zombie); true if it is.
public func waitForProcessGone(_ pid: Int32, timeout: Double = 5) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        guard let entry = processEntry(pid), entry.state != "Z" else { return true }
        usleep(20_000)
    }
    return false
}
