// The metadata columns: what machine and which code produced a row.
import Foundation
import MuxMetrics
import MuxProcStats

public struct SystemInfo: Sendable {
    public var kernel: String
    public var cpuModel: String
    public var commit: String

    /// This machine, and `commit`: that of the binaries measured (MeasuredBinaries).
    public static func current(commit: String) -> SystemInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let model = cpuModelName() ?? "unknown"
        return SystemInfo(kernel: sanitize(release), cpuModel: sanitize(model), commit: commit)
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
