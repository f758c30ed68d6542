// A server MuxBench did not write may be several processes (nginx: a master and its worker) and
// several threads (redis: its background threads): its CPU time and context switches are the sum
// over its whole process tree, read from /proc at the window's edges.
public enum ServerProcessTree {
    /// `root` and every live descendant, parents before children.
    public static func processes(root: Int32) -> [Int32] {
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
    public static func threads(of pid: Int32) -> [Int32] { numberedEntries(of: "/proc/\(pid)/task") }

    /// Every thread of every process of the tree: what perf attaches to and what pinning moves.
    public static func allThreads(root: Int32) -> [Int32] {
        processes(root: root).flatMap(threads(of:))
    }

    /// CPU time of every process of the tree (each process's /proc/PID/stat covers all its threads,
    /// exited ones included; clock ticks) and the context switches of every thread. nil when the
    /// root is gone.
    public static func stats(root: Int32) -> ProcessStats? {
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

    private static func allPIDs() -> [Int32] { numberedEntries(of: "/proc") }

    /// The parent PID, nil when the process is gone or a zombie (no longer part of the server).
    private static func processParent(_ pid: Int32) -> Int32? {
        guard let stat = ProcStat.read(pid: pid), stat.state != "Z" else { return nil }
        return stat.parent
    }
}
