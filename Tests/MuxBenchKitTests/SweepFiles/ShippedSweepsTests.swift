import Foundation
import MuxTestSupport
import MuxCore
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
        for name in ["quick", "c10k", "active-ratio", "payload", "write-mode", "http", "ci", "ab", "latency-load", "c10k-equal-load", "redis", "noise"] {
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

    /// latency-load: a rate ladder and a search over all backends at 1,000 and 10,000 connections;
    /// c10k-equal-load: c10k's matrix at fixed offered rates. Both with ≥ 6 rounds (issue 10 §4).
    @Test func latency_load_and_equal_load_sweeps_measure_open_loop_in_rounds() throws {
        let latency = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/latency-load.sweep")
        // p50, not p99: on a small VM p99 is the machine's at every rate (see the sweep file).
        #expect(latency.search == SearchSpec(figure: "lat_p50_us", boundMicroseconds: 5000))
        #expect(latency.backends == Backend.names, "every backend, as `all` gives them")
        #expect(Set(latency.points().map(\.connections)) == [1000, 10000])
        #expect(latency.points().allSatisfy { $0.active == 100 })
        #expect(latency.dimensions.rates.count >= 4 && !latency.dimensions.rates.contains(.closedLoop))
        #expect(latency.searchPoints().count == 2 * SweepSpec.backendNames.count - 1,
                "one search per backend and connection count (select: 1,000 only)")
        #expect(latency.repetitions >= 6)
        let equal = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/c10k-equal-load.sweep")
        let c10k = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/c10k.sweep")
        #expect(equal.dimensions.connections == c10k.dimensions.connections)
        #expect(equal.dimensions.rates.count >= 2 && !equal.dimensions.rates.contains(.closedLoop))
        #expect(equal.repetitions >= 6)
    }

    /// A sweep that runs every backend (or every one of a model) says so with the group word, so a
    /// backend added to `Backend` joins it without an edit here.
    @Test(arguments: shippedSweepPaths())
    func sweeps_running_a_whole_group_name_it_rather_than_list_it(path: String) throws {
        let spec = try SweepSpec.load(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("backends") && $0.contains("=") })
        let words = Set(line.split(separator: "=", maxSplits: 1)[1].split(separator: "#")[0].split(separator: " ").map(String.init))
        for group in Backend.groupNames {
            let members = Backend.group(named: group)!.map(\.rawValue)
            // A group of one (completion: io-uring today) may go by its name.
            if members.count > 1, Set(members).isSubset(of: spec.backends) {
                #expect(words.isDisjoint(with: members), "\(path): lists \(group)'s backends by hand: say '\(group)'")
            }
        }
    }

    @Test func quick_takes_about_a_minute_and_ci_under_two() throws {
        let quick = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/quick.sweep")
        #expect((40...80).contains(quick.estimatedSeconds(overheadPerRun: 1)))
        // Closed loop and one offered rate: the first look shows the equal-load view too.
        #expect(quick.dimensions.rates.contains(.closedLoop) && quick.dimensions.rates.count == 2)
        let ci = try SweepSpec.load(path: repositoryRoot + "/Benchmarks/ci.sweep")
        #expect(ci.estimatedSeconds(overheadPerRun: 1) < 120)
    }
}
