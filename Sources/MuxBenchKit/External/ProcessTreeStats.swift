// A server MuxBench did not write may be several processes (nginx: a master and its worker) and
// several threads (redis: its background threads): its CPU time and context switches are the sum
// over its whole process tree, read from /proc at the window's edges.
import Foundation
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

enum ServerProcessTree {
    /// `root` and every live descendant, parents before children.
    static func processes(root: Int32) -> [Int32] {
        guard processParent(root) != nil else { return [] }
        var childrenOf: [Int32: [Int32]] = [:]
        for pid in allPIDs() {
            if let parent = processParent(pid) { childrenOf[parent, default: []].append(pid) }
        }
        var tree = [root]
        var index = 0
        while index < tree.count {
            tree += (childrenOf[tree[index]] ?? []).sorted()
            index += 1
        }
        return tree
    }

    /// The threads of `pid` (its own id included).
    static func threads(of pid: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).compactMap { Int32($0) }.sorted()
    }

    /// Every thread of every process of the tree: what perf attaches to and what pinning moves.
    static func allThreads(root: Int32) -> [Int32] {
        processes(root: root).flatMap(threads(of:))
    }

    /// CPU time of every process of the tree (each process's /proc/PID/stat covers all its threads,
    /// exited ones included; clock ticks) and the context switches of every thread. nil when the
    /// root is gone.
    static func stats(root: Int32) -> ProcessStats? {
        let tree = processes(root: root)
        guard !tree.isEmpty else { return nil }
        var total = ProcessStats()
        for pid in tree {
            guard let process = ProcessStats.read(pid: pid) else { continue }
            total.userSeconds += process.userSeconds
            total.systemSeconds += process.systemSeconds
            for tid in threads(of: pid) {
                guard let thread = ProcessStats.read(directory: "/proc/\(pid)/task/\(tid)") else { continue }
                total.voluntarySwitches += thread.voluntarySwitches
                total.involuntarySwitches += thread.involuntarySwitches
            }
        }
        return total
    }

    private static func allPIDs() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// The parent PID from /proc/PID/stat (after the parenthesised command name), nil when gone.
    private static func processParent(_ pid: Int32) -> Int32? {
        guard let stat = try? readTextFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, fields[0] != "Z" else { return nil }
        return Int32(fields[1])
    }
}
