import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// mux-bench started by the tests never rebuilds: `touch Sources/MuxCore/X.swift` (no change) made
/// every binary older than a source, and mux-bench ran `swift build` under `swift test
/// --skip-build`, where SwiftPM holds the build folder ("SwiftPM is busy"). The tests' helpers set
/// MUX_BENCH_SKIP_BUILD for their children: mux-bench names the stale binaries in one line and
/// measures them as built.
extension BenchProcessSuites {
    @Suite struct MeasuredBinariesTests {
        /// A MuxBench checkout at `root` (its Package.swift written long ago) whose debug products
        /// folder holds the built `products`; returns that folder.
        static func checkout(_ root: String, with products: [String]) throws -> String {
            let folder = "\(root)/.build/debug"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let manifest = "\(root)/Package.swift"
            try "let package = Package(name: \"MuxBench\")\n".write(toFile: manifest, atomically: false, encoding: .utf8)
            var times = [timespec(tv_sec: 1_000, tv_nsec: 0), timespec(tv_sec: 1_000, tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, manifest, &times, 0)
            for product in products {
                let built = URL(fileURLWithPath: executablePath(product)).resolvingSymlinksInPath().path
                // A hard link where /tmp shares the build's file system, else a copy.
                do { try FileManager.default.linkItem(atPath: built, toPath: "\(folder)/\(product)") } catch {
                    try FileManager.default.copyItem(atPath: built, toPath: "\(folder)/\(product)")
                }
            }
            return folder
        }

        /// A MuxBench checkout whose products are the built binaries and whose one source was
        /// touched after them (an hour ahead: later than any build, whatever the clock).
        @Test func aChildOfTheTestsMeasuresStaleBinariesAsBuiltAndNamesThem() throws {
            let root = try makeTemporaryDirectory("as-built")
            defer { removeDirectory(root) }
            let products = try Self.checkout(root, with: ["mux-bench", "mux-server", "mux-load"])
            try FileManager.default.createDirectory(atPath: "\(root)/Sources/MuxCore", withIntermediateDirectories: true)
            let touched = "\(root)/Sources/MuxCore/Touched.swift"
            try "// touched, not changed\n".write(toFile: touched, atomically: false, encoding: .utf8)
            let now = Int(Date().timeIntervalSince1970)
            var times = [timespec(tv_sec: now + 3600, tv_nsec: 0), timespec(tv_sec: now + 3600, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, touched, &times, 0) == 0)
            let out = "\(root)/r.csv"
            let (status, _, stderr) = try runToCompletion("\(products)/mux-bench", [
                "run", "--backend", "poll", "--connections", "10", "--active", "5",
                "--warmup", "200ms", "--duration", "300ms", "--out", out,
            ], timeout: 90)
            #expect(status == 0, "\(stderr)")
            #expect(!stderr.contains("building "), "nothing rebuilt: \(stderr)")
            let said = stderr.split(separator: "\n").filter { $0.contains("MUX_BENCH_SKIP_BUILD") }
            #expect(said.count == 1, "one line: \(stderr)")
            for product in ["mux-bench", "mux-server", "mux-load"] {
                #expect(said.first?.contains("\(product) (older than Sources/MuxCore/Touched.swift)") == true, "\(stderr)")
            }
            #expect(stderr.contains("measuring: \(products)/mux-server"), "the checkout's own binaries: \(stderr)")
            #expect(((try? CSVTable.read(path: out))?.rows.count ?? 0) == 1, "measured: \(stderr)")
        }

        /// A product that is not there cannot be measured as built: exit 1, saying which and how to build it.
        @Test func aMissingBinaryIsRefusedNotBuilt() throws {
            let root = try makeTemporaryDirectory("missing")
            defer { removeDirectory(root) }
            let products = try Self.checkout(root, with: ["mux-bench", "mux-load"])
            let (status, _, stderr) = try runToCompletion("\(products)/mux-bench", [
                "run", "--backend", "poll", "--connections", "10", "--warmup", "200ms", "--duration", "300ms",
                "--out", "\(root)/r.csv",
            ], timeout: 90)
            #expect(status == 1, "\(stderr)")
            #expect(!stderr.contains("building "), "nothing built: \(stderr)")
            #expect(stderr.contains("\(products)/mux-server is not built and MUX_BENCH_SKIP_BUILD is set"), "\(stderr)")
        }
    }
}
