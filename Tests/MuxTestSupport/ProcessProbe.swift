// What a child process costs, read from /proc: CPU time, resident memory, open descriptors.
import Foundation
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

public enum ProcessProbe {
    /// User + system CPU seconds so far (/proc/PID/stat fields 14 and 15, through ProcStat).
    public static func cpuSeconds(_ pid: Int32) throws -> Double {
        guard let stat = ProcStat.read(pid: pid) else { throw TestFailure("no readable /proc/\(pid)/stat") }
        return stat.userSeconds + stat.systemSeconds
    }

    /// CPU seconds used per wall second while `body` runs (at least `seconds` long).
    public static func cpuShare(_ pid: Int32, over seconds: Double, while body: () throws -> Void = {}) throws -> Double {
        let cpuStart = try cpuSeconds(pid)
        let start = Date()
        try body()
        let rest = seconds - Date().timeIntervalSince(start)
        if rest > 0 { usleep(UInt32(rest * 1e6)) }
        return (try cpuSeconds(pid) - cpuStart) / Date().timeIntervalSince(start)
    }

    /// Resident set size in KiB (VmRSS of /proc/PID/status).
    public static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            if let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) { return kib }
        }
        throw TestFailure("no VmRSS in /proc/\(pid)/status")
    }

    /// Bytes the process has read with read(2) and friends, sockets included (`rchar` of
    /// /proc/PID/io): it grows as soon as a server handles traffic.
    public static func bytesRead(_ pid: Int32) throws -> Int {
        let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        for line in io.split(separator: "\n") where line.hasPrefix("rchar:") {
            if let bytes = Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)) { return bytes }
        }
        throw TestFailure("no rchar in /proc/\(pid)/io")
    }

    /// How many descriptors the process has open.
    public static func openDescriptors(_ pid: Int32) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }
}
