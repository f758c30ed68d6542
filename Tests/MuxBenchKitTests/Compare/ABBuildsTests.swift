import Foundation
import MuxTestSupport
import Testing
@testable import MuxBenchKit

/// The checkout these tests live in.
private let checkout = repositoryRoot

private func git(_ arguments: [String]) -> String? {
    let log = NSTemporaryDirectory() + "ab-builds-test-\(getpid()).log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    return ABBuilder.tool(["git"] + arguments, log: log, cwd: checkout)?.trimmingCharacters(in: .whitespacesAndNewlines)
}

private let isGitCheckout = git(["rev-parse", "--show-toplevel"]) != nil

/// Exporting sources for `ab` (the release builds themselves take minutes and are left to
/// Benchmarks/tools/ab-proof.sh and the smoke runs): a revision through git archive, the work tree
/// through its tracked and untracked-but-not-ignored files, and never a change to the checkout.
@Suite(.enabled(if: isGitCheckout, "needs the git checkout the tests live in"))
struct ABBuildsTests {
    @Test func a_revision_and_the_work_tree_are_exported_without_touching_the_checkout() throws {
        let statusBefore = git(["status", "--porcelain"])
        let worktreesBefore = git(["worktree", "list", "--porcelain"])
        var scratchPath = ""
        do {
            let scratch = try ABScratch(keep: false)
            scratchPath = scratch.path
            let head = try #require(git(["rev-parse", "HEAD"]))
            let exported = try ABBuilder.export(name: "base", revision: "HEAD", scratch: scratch, directory: checkout)
            #expect(exported.label == String(head.prefix(9)))
            #expect(FileManager.default.fileExists(atPath: exported.package + "/Package.swift"))
            #expect(FileManager.default.fileExists(atPath: exported.package + "/Sources/MuxBenchKit/Compare/ABBuilds.swift"))
            #expect(!FileManager.default.fileExists(atPath: exported.package + "/.build"))

            let tree = try ABBuilder.export(name: "head", revision: nil, scratch: scratch, directory: checkout)
            #expect(tree.label.hasPrefix("worktree:\(head.prefix(9))"))
            #expect(FileManager.default.fileExists(atPath: tree.package + "/Package.swift"))
            #expect(!FileManager.default.fileExists(atPath: tree.package + "/.build"), "ignored files stay behind")
            #expect(tree.package.hasPrefix(scratch.path) && exported.package.hasPrefix(scratch.path))
        }
        #expect(!scratchPath.isEmpty && !FileManager.default.fileExists(atPath: scratchPath), "the scratch folder goes with its owner")
        #expect(git(["status", "--porcelain"]) == statusBefore)
        #expect(git(["worktree", "list", "--porcelain"]) == worktreesBefore)
    }

    @Test func an_unknown_revision_is_bad_input() throws {
        let scratch = try ABScratch(keep: false)
        #expect(throws: ABBuildError.self) {
            try ABBuilder.export(name: "base", revision: "no-such-revision-\(getpid())", scratch: scratch, directory: checkout)
        }
        do {
            _ = try ABBuilder.export(name: "base", revision: "no-such-revision-\(getpid())", scratch: scratch, directory: checkout)
        } catch {
            #expect(error.isUsageError)
        }
    }
}
