// The metadata columns: what machine and which code produced a row.
import Foundation
import MuxMetrics

public struct SystemInfo: Sendable {
    public var kernel: String
    public var cpuModel: String
    public var commit: String

    public static func current() -> SystemInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        var model = "unknown"
        if let cpuinfo = try? readTextFile("/proc/cpuinfo"),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            model = value.trimmingCharacters(in: .whitespaces)
        }
        return SystemInfo(kernel: sanitize(release), cpuModel: sanitize(model), commit: gitCommit())
    }

    /// The checkout's short commit, with `+dirty` when it has uncommitted changes; empty outside git.
    static func gitCommit() -> String {
        guard let head = run("/usr/bin/git", ["rev-parse", "--short", "HEAD"]), !head.isEmpty else { return "" }
        let dirty = run("/usr/bin/git", ["status", "--porcelain", "--untracked-files=no"]) ?? ""
        return head + (dirty.isEmpty ? "" : "+dirty")
    }

    private static func run(_ tool: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// CSV values never contain commas or newlines.
func sanitize(_ text: String) -> String {
    String(text.map { $0 == "," ? ";" : ($0 == "\n" || $0 == "\r" ? " " : $0) })
}

/// ISO 8601 UTC, to the second.
func timestampNow() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
}
