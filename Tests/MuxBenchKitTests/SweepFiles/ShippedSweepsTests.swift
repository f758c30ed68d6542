import Foundation
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import MuxBenchKit

/// Paths of Benchmarks/*.sweep, sorted.
private func shippedSweepPaths() -> [String] {
    let directory = repositoryRoot + "/Benchmarks"
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name.hasSuffix(".sweep") { names.append(name) }
    }
    return names.sorted().map { "\(directory)/\($0)" }
}

@Suite struct ShippedSweepsTests {
    @Test func the_issue_s_sweeps_are_all_shipped() {
        let names = Set(shippedSweepPaths().map { $0.split(separator: "/").last.map(String.init) ?? "" })
        for name in ["quick", "c10k", "active-ratio", "payload", "write-mode", "http", "ci", "ab"] {
            #expect(names.contains("\(name).sweep"), "Benchmarks/\(name).sweep is missing")
        }
    }

    @Test(arguments: shippedSweepPaths())
    func parses_without_error(path: String) throws {
        let spec = try SweepSpec.load(path: path)
        #expect(!spec.points().isEmpty)
        // select cannot hold more than FD_SETSIZE (1024) descriptors: sweeps keep it below.
        #expect(spec.points().filter { $0.backend == "select" }.allSatisfy { $0.connections <= 1000 })
    }

    @Test func quick_takes_about_a_minute_and_ci_under_two() throws {
        let quick = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/quick.sweep")
        #expect((40...80).contains(quick.estimatedSeconds(overheadPerRun: 1)))
        let ci = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/ci.sweep")
        #expect(ci.estimatedSeconds(overheadPerRun: 1) < 120)
    }
}
