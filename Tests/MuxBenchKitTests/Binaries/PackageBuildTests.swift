// The decision behind "mux-bench builds its siblings": a product is missing, older than a
// source it is built from, or fresh — on real files with real modification times in a scratch
// checkout (no build is run here).
import Foundation
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PackageBuildTests {
    /// A fake checkout: Package.swift, two targets' sources, and a release products folder.
    struct Checkout {
        let root: String
        var products: String { "\(root)/.build/x86_64-unknown-linux-gnu/release" }

        init() throws {
            root = NSTemporaryDirectory() + "mux-package-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            for folder in ["Sources/MuxCore", "Sources/MuxBenchKit", "Sources/mux-server", ".build/x86_64-unknown-linux-gnu/release"] {
                try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
            }
            try write("Package.swift", "let package = Package(\n    name: \"MuxBench\",\n)", at: 1_000)
            try write("Sources/MuxCore/Socket.swift", "// core", at: 1_000)
            try write("Sources/MuxBenchKit/Sweep.swift", "// bench", at: 1_000)
            try write("Sources/mux-server/main.swift", "// main", at: 1_000)
        }

        /// Writes `text` to `path` (relative to the root) and sets its modification time.
        func write(_ path: String, _ text: String, at seconds: Int, executable: Bool = false) throws {
            let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
            try text.write(toFile: full, atomically: false, encoding: .utf8)
            if executable { chmod(full, 0o755) }
            touch(full, at: seconds)
        }

        func touch(_ full: String, at seconds: Int) {
            var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, full, &times, 0)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func locatesTheCheckoutScratchPathAndConfigurationFromTheExecutable() throws {
        let checkout = try Checkout()
        defer { checkout.remove() }
        let build = try #require(PackageBuild.locate(executable: "\(checkout.products)/mux-bench"))
        #expect(build.root == checkout.root)
        #expect(build.scratchPath == "\(checkout.root)/.build")
        #expect(build.configuration == "release")
        #expect(build.binary("mux-server") == "\(checkout.products)/mux-server")
    }

    @Test func outsideACheckoutOrAnotherPackageThereIsNothingToBuild() throws {
        let checkout = try Checkout()
        defer { checkout.remove() }
        #expect(PackageBuild.locate(executable: "/usr/local/bin/mux-bench") == nil, "not a debug/release folder")
        #expect(PackageBuild.locate(executable: "\(checkout.root)/bin/mux-bench") == nil, "copied out of the build folder")
        try checkout.write("Package.swift", "let package = Package(name: \"SomethingElse\")", at: 1_000)
        #expect(PackageBuild.locate(executable: "\(checkout.products)/mux-bench") == nil, "another package is not ours to build")
    }

    @Test func missingStaleAndFresh() throws {
        let checkout = try Checkout()
        defer { checkout.remove() }
        let build = try #require(PackageBuild.locate(executable: "\(checkout.products)/mux-bench"))
        #expect(build.freshness(of: "mux-server") == .missing)

        try checkout.write("\(checkout.products)/mux-server", "binary", at: 2_000, executable: true)
        #expect(build.freshness(of: "mux-server") == .fresh, "built after every source")

        try checkout.write("Sources/MuxCore/Socket.swift", "// edited", at: 3_000)
        #expect(build.freshness(of: "mux-server") == .stale(newerSource: "\(checkout.root)/Sources/MuxCore/Socket.swift"))

        try checkout.write("\(checkout.products)/mux-server", "rebuilt", at: 4_000, executable: true)
        #expect(build.freshness(of: "mux-server") == .fresh)
        try checkout.write("Package.swift", "let package = Package(\n    name: \"MuxBench\", // edited\n)", at: 5_000)
        #expect(build.freshness(of: "mux-server") == .stale(newerSource: "\(checkout.root)/Package.swift"))
    }

    @Test func onlyTheTargetsInTheProductsLinkListCount() throws {
        let checkout = try Checkout()
        defer { checkout.remove() }
        let build = try #require(PackageBuild.locate(executable: "\(checkout.products)/mux-bench"))
        try checkout.write("\(checkout.products)/mux-server", "binary", at: 2_000, executable: true)
        try FileManager.default.createDirectory(atPath: "\(checkout.products)/mux-server.product", withIntermediateDirectories: true)
        try checkout.write("\(checkout.products)/mux-server.product/Objects.LinkFileList",
                           "\(checkout.products)/MuxCore.build/Socket.swift.o\n\(checkout.products)/mux_server.build/main.swift.o\n", at: 2_000)
        try checkout.write("Sources/MuxBenchKit/Sweep.swift", "// edited", at: 3_000)
        #expect(build.freshness(of: "mux-server") == .fresh, "mux-server does not link MuxBenchKit")
        try checkout.write("Package.swift", "let package = Package(\n    name: \"MuxBench\", // a target added\n)", at: 3_000)
        #expect(build.freshness(of: "mux-server") == .fresh, "what matters in Package.swift changes the link list or a compile")
        try checkout.write("Sources/mux-server/main.swift", "// edited", at: 3_000)
        #expect(build.freshness(of: "mux-server") == .stale(newerSource: "\(checkout.root)/Sources/mux-server/main.swift"),
                "mux_server.build is Sources/mux-server")
    }

    @Test func aBuildThatFoundTheProductCurrentCoversTheSourcesBeforeIt() throws {
        let checkout = try Checkout()
        defer { checkout.remove() }
        let build = try #require(PackageBuild.locate(executable: "\(checkout.products)/mux-bench"))
        try checkout.write("\(checkout.products)/mux-server", "binary", at: 2_000, executable: true)
        try checkout.write("Sources/MuxBenchKit/Sweep.swift", "// comment only", at: 3_000)
        #expect(build.freshness(of: "mux-server") != .fresh)
        try FileManager.default.createDirectory(atPath: "\(checkout.products)/mux-server.product", withIntermediateDirectories: true)
        try checkout.write(build.confirmationStamp("mux-server"), "", at: 3_500)
        #expect(build.freshness(of: "mux-server") == .fresh)
        try checkout.write("Sources/MuxCore/Socket.swift", "// edited later", at: 4_000)
        #expect(build.freshness(of: "mux-server") == .stale(newerSource: "\(checkout.root)/Sources/MuxCore/Socket.swift"))
    }
}
