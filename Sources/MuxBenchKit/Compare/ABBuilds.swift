// The two builds an A/B run compares. From revisions: each source tree exported into a private
// temporary folder (`git archive`, or the work tree's tracked and untracked files) and built in
// release with its own scratch path, so the user's work tree, its .build and the repository's
// worktree list are never touched. Or prebuilt: folders holding mux-server and mux-load, for a
// machine without a Swift toolchain.
import Foundation
import MuxCLI

public struct ABBuild: Sendable {
    /// What the rows' commit column says: a short commit, `worktree:<commit>+dirty`, or `build:DIR`.
    public var label: String
    public var executables: MeasuredBinaries
}

public enum ABBuildError: Error, CustomStringConvertible {
    /// Bad input: a revision git does not know.
    case unknownRevision(String)
    case notARepository(String)
    case failed(step: String, log: String, tail: String)

    public var description: String {
        switch self {
        case let .unknownRevision(rev): return "--base/--head: git does not know revision '\(rev)'"
        case let .notARepository(message): return "building revisions needs a git checkout: \(message)"
        case let .failed(step, log, tail): return "\(step) failed (log: \(log))\(tail.isEmpty ? "" : ": " + tail)"
        }
    }

    public var isUsageError: Bool {
        if case .unknownRevision = self { return true }
        return false
    }
}

/// Where an A/B run exports and builds; removed at the end unless asked to keep it.
public final class ABScratch {
    public let path: String
    public let keep: Bool

    public init(keep: Bool) throws {
        var template = Array((NSTemporaryDirectory() + "mux-ab-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw ABBuildError.failed(step: "mkdtemp", log: "-", tail: String(cString: strerror(errno))) }
        path = String(cString: made)
        self.keep = keep
    }

    deinit {
        if !keep { try? FileManager.default.removeItem(atPath: path) }
    }
}

enum ABBuilder {
    /// Exports `revision` (nil: the work tree as it is now) into the scratch folder and builds
    /// mux-server and mux-load there in release.
    static func build(name: String, revision: String?, scratch: ABScratch) throws(ABBuildError) -> ABBuild {
        let (label, package, log) = try export(name: name, revision: revision, scratch: scratch)
        let buildPath = "\(scratch.path)/\(name)-build"
        let common = ["swift", "build", "-c", "release", "--package-path", package, "--scratch-path", buildPath]
        for product in ["mux-server", "mux-load"] {
            guard tool(common + ["--product", product], log: log) != nil else {
                throw .failed(step: "building \(product) of \(name) (\(label))", log: log, tail: lastLine(log))
            }
        }
        guard let bin = tool(common + ["--show-bin-path"], log: log)?.trimmed, !bin.isEmpty else {
            throw .failed(step: "locating \(name)'s build", log: log, tail: lastLine(log))
        }
        switch MeasuredBinaries.inDirectory(bin, commit: label) {
        case let .success(executables): return ABBuild(label: label, executables: executables)
        case let .failure(problem): throw .failed(step: "building \(name)", log: log, tail: problem.message)
        }
    }

    /// Copies the sources of `revision` (nil: the work tree) from the git checkout around
    /// `directory` into SCRATCH/NAME-src; returns the build label, the package's folder there (the
    /// same place relative to the checkout as `directory`) and the log file.
    static func export(name: String, revision: String?, scratch: ABScratch,
                       directory: String? = nil) throws(ABBuildError) -> (label: String, package: String, log: String) {
        let log = "\(scratch.path)/\(name)-build.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let top = tool(["git", "rev-parse", "--show-toplevel"], log: log, cwd: directory)?.trimmed, !top.isEmpty else {
            throw .notARepository("git rev-parse --show-toplevel failed here (see \(log))")
        }
        let prefix = tool(["git", "rev-parse", "--show-prefix"], log: log, cwd: directory)?.trimmed ?? ""
        let source = "\(scratch.path)/\(name)-src"
        try? FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)

        let label: String
        if let revision {
            guard let commit = tool(["git", "rev-parse", "--verify", "--quiet", revision + "^{commit}"], log: log, cwd: top)?.trimmed,
                  !commit.isEmpty else { throw .unknownRevision(revision) }
            label = String(commit.prefix(9))
            guard tool(["sh", "-c", "git archive --format=tar \"$1\" | tar -x -C \"$2\"", "sh", commit, source],
                       log: log, cwd: top) != nil else {
                throw .failed(step: "exporting \(revision) (git archive)", log: log, tail: lastLine(log))
            }
        } else {
            let head = tool(["git", "rev-parse", "--short=9", "HEAD"], log: log, cwd: top)?.trimmed ?? "unknown"
            let dirty = !(tool(["git", "status", "--porcelain", "--untracked-files=no"], log: log, cwd: top)?.trimmed ?? "").isEmpty
            label = "worktree:\(head)" + (dirty ? "+dirty" : "")
            // Tracked and untracked-but-not-ignored files, as they are now: what `swift build` here would see.
            guard tool(["sh", "-c", "git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - | tar -x -C \"$1\"",
                        "sh", source], log: log, cwd: top) != nil else {
                throw .failed(step: "copying the work tree", log: log, tail: lastLine(log))
            }
        }
        return (label, prefix.isEmpty ? source : "\(source)/\(prefix)", log)
    }

    /// Runs a tool found on PATH, its stderr (and stdout) appended to `log`; its stdout on success,
    /// nil on failure.
    static func tool(_ arguments: [String], log: String, cwd: String? = nil) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let pipe = Pipe()
        process.standardOutput = pipe
        guard let logHandle = FileHandle(forWritingAtPath: log) else { return nil }
        defer { try? logHandle.close() }
        logHandle.seekToEndOfFile()
        logHandle.write(Data(("$ " + arguments.joined(separator: " ") + "\n").utf8))
        process.standardError = logHandle
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        logHandle.write(data)
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func lastLine(_ log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last { $0.contains("error") } .map(String.init)
            ?? text.split(separator: "\n").last.map(String.init) ?? ""
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
