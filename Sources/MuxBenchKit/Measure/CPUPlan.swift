// Which CPUs the server and the load generator get: the first CPU this process may run on for
// the server, the rest for the load generator. Built from the real allowed set (a cpuset such as
// 2-3 pins to 2 and 3, never to 0 and 1), and every pinning is read back, not assumed.
import CMuxShim
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public struct CPUPlan: Equatable, Sendable {
    public var server: [Int]
    public var load: [Int]

    /// Server on the first allowed CPU, load on the others; nil with fewer than two CPUs.
    public static func split(allowed: [Int]) -> CPUPlan? {
        let cpus = allowed.sorted()
        guard cpus.count >= 2 else { return nil }
        return CPUPlan(server: [cpus[0]], load: Array(cpus.dropFirst()))
    }

    /// The plan for this process's own allowed CPUs.
    public static func current() -> CPUPlan? {
        guard let allowed = try? affinity(of: 0) else { return nil }
        return split(allowed: allowed)
    }

    /// The CPUs `pid` (0: this process) may run on.
    public static func affinity(of pid: Int32) throws(SyscallError) -> [Int] {
        var cpus = [Int32](repeating: 0, count: 4096)
        let count = mux_affinity_of(pid, &cpus, Int32(cpus.count))
        guard count >= 0 else { throw SyscallError("sched_getaffinity", errno) }
        return cpus.prefix(Int(count)).map(Int.init)
    }

    /// Pins `pid` to `cpus` and returns the set the kernel then reports for it.
    public static func pin(_ pid: Int32, to cpus: [Int]) throws(SyscallError) -> [Int] {
        let list = cpus.map(Int32.init)
        guard mux_pin_cpu_list(pid, list, Int32(list.count)) == 0 else { throw SyscallError("sched_setaffinity", errno) }
        return try affinity(of: pid)
    }
}

/// "0", "1-3", "0,2,4-5": the compact form of a CPU list, as /sys and taskset write it.
public func formatCPUList(_ cpus: [Int]) -> String {
    var parts: [String] = []
    var index = 0
    let sorted = cpus.sorted()
    while index < sorted.count {
        var last = index
        while last + 1 < sorted.count, sorted[last + 1] == sorted[last] + 1 { last += 1 }
        parts.append(last == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[last])")
        index = last + 1
    }
    return parts.joined(separator: ",")
}

/// How many CPUs a list such as "1-3,5" names; nil if it is not one.
public func countCPUList(_ text: String) -> Int? {
    guard !text.isEmpty else { return nil }
    var count = 0
    for part in text.split(separator: ",") {
        let ends = part.split(separator: "-", omittingEmptySubsequences: false)
        if ends.count == 1, Int(ends[0]) != nil {
            count += 1
        } else if ends.count == 2, let low = Int(ends[0]), let high = Int(ends[1]), low <= high {
            count += high - low + 1
        } else {
            return nil
        }
    }
    return count
}
