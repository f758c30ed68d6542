// perf record on a real mux-server under real load over loopback, switched on and off by its
// control FIFO; the fold of its samples checked against a second, independent reading of the same
// perf.data (`perf report`'s leaf symbols, PerfReportReading).
import Foundation
import MuxCore
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// perf is what these tests measure with: they run wherever it is (CI installs linux-perf).
let perfIsInstalled = executableInPath("perf") != nil

extension BenchProcessSuites {
    @Suite(.enabled(if: perfIsInstalled, "perf is not installed (Debian: apt-get install linux-perf)"))
    struct PerfProfilerTests {
        /// `backend` at 2,000 connections, 50 active, 5,000 requests/s, profiled for a second mid-run.
        func profileServer(_ backend: String) throws -> (PerfProfiler, FoldedStacks) {
            let server = try ServerProcess(["--backend", backend])
            defer { _ = try? server.stop() }
            let load = try ChildProcess("mux-load", ["--port", "\(server.port)", "--connections", "2000", "--active", "50",
                                                     "--rate", "5000", "--warmup", "500ms", "--duration", "3s"])
            defer { load.signal(SIGTERM); _ = load.wait(timeout: 5) }
            _ = try #require(load.readJSON(type: "connected", timeout: 30), "mux-load connected: \(load.standardError())")
            let (attached, reason) = PerfProfiler.attach(to: [server.child.pid], pinTo: nil)
            let profiler = try #require(attached, "perf attaches as root: \(reason ?? "")")
            #expect(profiler.enable())
            // Sampling needs CPU time to sample; the assertions are on what was sampled, not when.
            usleep(1_000_000)
            #expect(profiler.disable())
            let stacks = try profiler.finish()
            return (profiler, stacks)
        }

        @Test func pollsSamplesAreMostlyTheReadinessScan() throws {
            let (_, stacks) = try profileServer("poll")
            let fold = CategoryFold(stacks)
            #expect(fold.total > 200, "samples of a server at thousands of requests/s: \(fold.samples)")
            let largest = ProfileCategory.allCases.max { fold.percent($0) < fold.percent($1) }
            #expect(largest == .readinessScan, "poll with 2,000 mostly idle connections scans: \(fold.samples)")
            #expect(fold.percent(.copyUser) < 5, "the copy of the pollfd array is not where poll's time goes: \(fold.samples)")
        }

        /// The scan (poll), the wake-ups (epoll-et) and the ring (io-uring): the fold and perf
        /// report's own nearest-frame reading agree within 5 points in every category.
        @Test(arguments: runnable([.poll, .epollET, .ioUring]).map(\.rawValue))
        func theFoldAgreesWithPerfReportsReading(backend: String) throws {
            let (profiler, stacks) = try profileServer(backend)
            let fold = CategoryFold(stacks)
            let report = try profiler.reportReading()
            print("\(backend): " + ProfileCategory.allCases.map {
                "\($0.rawValue) fold \(formatCompactNumber(fold.percent($0))) report \(formatCompactNumber(report.percent($0)))"
            }.joined(separator: ", "))
            for category in ProfileCategory.allCases {
                let difference = abs(fold.percent(category) - report.percent(category))
                #expect(difference <= 5, "\(category): fold \(fold.percent(category))% vs perf report \(report.percent(category))%")
            }
            // perf report read the same samples: its shares add up to all of them.
            let reportTotal = ProfileCategory.allCases.map { report.percent($0) }.reduce(0, +)
            #expect(abs(reportTotal - 100) < 1, "\(reportTotal)")
        }
    }
}

/// `MUX_PROFILE_HZ`: the sampling frequency's override, read without perf.
@Suite struct PerfProfilerFrequencyTests {
    @Test func withoutTheVariableTheDefaultFrequencyIsUsed() throws {
        #expect(try PerfProfiler.frequency(environment: [:]).get() == PerfProfiler.defaultFrequency)
    }

    @Test func aWholeNumberOfHertzOverridesIt() throws {
        #expect(try PerfProfiler.frequency(environment: ["MUX_PROFILE_HZ": "997"]).get() == 997)
    }

    @Test(arguments: ["", "1k", "0", "-5", "100001", "99.5"])
    func anythingElseIsRefusedNamingTheVariableAndTheValue(_ text: String) {
        guard case .failure(let failure) = PerfProfiler.frequency(environment: ["MUX_PROFILE_HZ": text]) else {
            Issue.record("\(text) accepted as a frequency")
            return
        }
        #expect(failure.description.hasPrefix("MUX_PROFILE_HZ=\(text): "), "\(failure.description)")
    }
}
