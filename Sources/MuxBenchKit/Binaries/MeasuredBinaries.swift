// Which mux-server and mux-load a measurement runs, and which commit they are. `swift run
// mux-bench` builds only mux-bench, so inside a checkout mux-bench builds its siblings itself when
// they are missing or older than their sources (one progress line), and restarts itself when it
// is stale too: a user never sees ENOENT, and an old binary is never measured silently. Outside a
// checkout (binaries copied elsewhere) the siblings must simply exist beside mux-bench. With
// MUX_BENCH_SKIP_BUILD set nothing is built: the stale binaries are named in one line and measured.
import Foundation
import MuxCLI
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public struct MeasuredBinaries: Sendable {
    /// Set (non-empty) by the tests' helpers for every child they start: under `swift test`, even
    /// `--skip-build`, SwiftPM holds the build folder, so a rebuild there can only fail ("SwiftPM
    /// is busy"), and a source touched without a change would be enough to set one off.
    public static let skipBuildVariable = "MUX_BENCH_SKIP_BUILD"

    public var server: String
    public var load: String
    /// The checkout's commit (`+dirty` with uncommitted changes to Sources/ or Package.swift); empty outside a checkout.
    public var commit: String

    /// mux-server and mux-load beside mux-bench, checked and, inside a checkout, rebuilt.
    public static func prepare() throws(BinariesError) -> MeasuredBinaries {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = (me as NSString).deletingLastPathComponent
        let products = ["mux-server", "mux-load"]
        guard let package = PackageBuild.locate(executable: me) else {
            for product in products where !FileManager.default.isExecutableFile(atPath: "\(directory)/\(product)") {
                throw BinariesError("\(product) not found at \(directory)/\(product): mux-bench runs the mux-server and "
                                    + "mux-load beside it (build all three with `swift build -c release`)")
            }
            let binaries = MeasuredBinaries(server: "\(directory)/mux-server", load: "\(directory)/mux-load", commit: "")
            binaries.announce(checkout: nil)
            return binaries
        }
        if (ProcessInfo.processInfo.environment[skipBuildVariable] ?? "").isEmpty {
            try rebuildWhereNeeded(products, in: package, executable: me)
        } else {
            try takeAsBuilt(["mux-bench"] + products, in: package)
        }
        let binaries = MeasuredBinaries(server: package.binary("mux-server"), load: package.binary("mux-load"),
                                        commit: gitCommit(root: package.root))
        binaries.announce(checkout: package.root)
        return binaries
    }

    /// mux-bench itself first (if a build changes it, the rest is done by the new one, restarted),
    /// then each product missing or older than a source.
    static func rebuildWhereNeeded(_ products: [String], in package: PackageBuild, executable me: String) throws(BinariesError) {
        if case let .stale(source) = package.freshness(of: "mux-bench") {
            let before = modificationTime(me)
            try package.build("mux-bench", because: "older than \(package.relative(source))")
            if modificationTime(me) != before, getenv("MUX_BENCH_RESTARTED") == nil {
                printError("mux-bench: rebuilt; restarting it")
                setenv("MUX_BENCH_RESTARTED", "1", 1)
                let argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
                execv(me, argv)
                throw BinariesError("cannot restart the rebuilt \(me): \(String(cString: strerror(errno)))")
            }
        }
        for product in products {
            switch package.freshness(of: product) {
            case .fresh: break
            case .missing: try package.build(product, because: "not built yet")
            case let .stale(source): try package.build(product, because: "older than \(package.relative(source))")
            }
        }
    }

    /// Under MUX_BENCH_SKIP_BUILD: nothing is built; a missing product cannot be measured, and the
    /// stale ones (older than a source, by modification time) are named in one line.
    static func takeAsBuilt(_ products: [String], in package: PackageBuild) throws(BinariesError) {
        var stale: [String] = []
        for product in products {
            switch package.freshness(of: product) {
            case .fresh: break
            case .missing:
                throw BinariesError("\(package.binary(product)) is not built and \(skipBuildVariable) is set: "
                                    + "build it with `swift build -c \(package.configuration)`")
            case let .stale(source): stale.append("\(product) (older than \(package.relative(source)))")
            }
        }
        if !stale.isEmpty {
            printError("mux-bench: \(skipBuildVariable) is set: not rebuilding, measuring as built: \(stale.joined(separator: ", "))")
        }
    }

    /// One line per binary with its build time, and the commit: what the rows will say.
    func announce(checkout: String?) {
        for path in [server, load] {
            let built = modificationTime(path).map { timestamp(seconds: $0.tv_sec) } ?? "?"
            printError("measuring: \(path) (built \(built))")
        }
        if let checkout {
            printError("commit:    \(commit.isEmpty ? "unknown (no git)" : commit) (\(checkout))")
        } else {
            printError("commit:    unknown (binaries outside a MuxBench checkout)")
        }
    }

    /// The checkout's short commit, `+dirty` when its Sources/ or Package.swift differ from it; empty without git.
    static func gitCommit(root: String) -> String {
        guard let head = runTool("git", ["-C", root, "rev-parse", "--short", "HEAD"]), !head.isEmpty else { return "" }
        // Only what the binaries are built from: re-running a committed reference sweep rewrites
        // tracked files under results/, which does not make the binaries any less the commit's.
        let dirty = runTool("git", ["-C", root, "status", "--porcelain", "--untracked-files=no", "--",
                                    "Sources", "Package.swift"]) ?? ""
        return head + (dirty.isEmpty ? "" : "+dirty")
    }
}

public struct BinariesError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A file's modification time; nil when it does not exist.
func modificationTime(_ path: String) -> timespec? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mtim
}

extension timespec: @retroactive Equatable {
    public static func == (a: timespec, b: timespec) -> Bool { a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec }
}

func isEarlier(_ a: timespec, _ b: timespec) -> Bool { a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec }

func timestamp(seconds: Int) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}

/// `tool` looked up in PATH, run to completion; its stdout trimmed, nil if it failed.
func runTool(_ tool: String, _ arguments: [String]) -> String? {
    guard let path = executableInPath(tool) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
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

/// The first executable `name` in PATH.
func executableInPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
        return "\(directory)/\(name)"
    }
    return nil
}
