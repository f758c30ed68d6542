// Every list of backends in the collector derives from `Backend` (issue 12, part 1): a backend
// added to the enum is accepted, run, skipped, checked and drawn without touching these files.
import Foundation
import MuxCore
import MuxMetrics
import MuxTestSupport
import Testing
@testable import MuxBenchKit

/// One ok summary row per backend at 1,000 connections, in reverse display order.
private func summaryWithEveryBackend() -> CSVTable {
    var table = SummaryFixture.table(connections: [1000])
    let template = table.rows.first { $0["backend"] == "epoll-et" }!
    table.rows = Backend.allCases.reversed().enumerated().map { index, backend in
        var row = template
        row["backend"] = backend.rawValue
        row["point"] = String(index + 1)
        row["throughput_rps_median"] = String(100_000 + 10_000 * index)
        return row
    }
    return table
}

@Suite struct BackendDerivationTests {
    @Test func sweepFilesAndRunAcceptEveryBackendByName() throws {
        let spec = try SweepSpec.parse("backends = \(Backend.names.joined(separator: " "))\nconnections = 100\n", path: "all.sweep")
        #expect(spec.backends == Backend.names)
        let help = RunCommand.parser.help()
        for name in Backend.names { #expect(help.contains(name), "mux-bench run --help does not name \(name)") }
        for name in Backend.names {
            let parsed = try RunCommand.parser.parse(["--backend", name])
            #expect(try RunCommand.point(from: parsed).0.backend == name)
        }
        // A name that is no backend is refused, with every backend named as the choice.
        #expect(throws: SweepError.self) { try SweepSpec.parse("backends = kqueue\nconnections = 100\n", path: "bad.sweep") }
        do {
            _ = try RunCommand.point(from: try RunCommand.parser.parse(["--backend", "kqueue"]))
            Issue.record("mux-bench run accepted --backend kqueue")
        } catch {
            for name in Backend.names { #expect("\(error)".contains(name), "\(error)") }
        }
    }

    @Test func legendOrderIsBackendOrderWhateverTheRowOrder() {
        #expect(plotLayout(for: summaryWithEveryBackend()).series == Backend.names)
    }

    @Test func chartColoursComeFromTheTraitsOneEachAndDistinct() {
        let settings = chartStyleSettings().joined(separator: "; ")
        for backend in Backend.allCases {
            #expect(settings.contains(backend.traits.colour), "\(backend.rawValue)'s colour is not passed to gnuplot")
        }
        #expect(Set(Backend.allCases.map(\.traits.colour)).count == Backend.allCases.count)
        #expect(Set(Backend.allCases.map(\.traits.pointType)).count == Backend.allCases.count)
    }

    @Test func plotScriptNamesNoBackend() throws {
        let script = try String(contentsOfFile: repositoryRoot + "/plot.gnuplot", encoding: .utf8)
        for name in Backend.names {
            #expect(!script.contains("'\(name)'") && !script.contains("\"\(name)\""),
                    "plot.gnuplot spells out '\(name)': take it from the data")
        }
    }

    @Test func skipRuleFollowsTheDescriptorLimitTrait() {
        for backend in Backend.allCases where backend.unavailableReason == nil {
            let huge = SweepPoint(sweep: "t", backend: backend.rawValue, connections: 10_000, active: 100)
            if let limit = backend.traits.descriptorLimit {
                #expect(skipReason(for: huge)?.contains(String(limit)) == true)
                #expect(maximumConnections(for: backend)! < limit)
            } else {
                #expect(skipReason(for: huge) == nil, "\(backend.rawValue) has no descriptor limit")
            }
        }
    }

    @Test func baselineRatiosPutScanningBackendsUnderTheOthers() {
        let ratios = defaultBaseline(from: summaryWithEveryBackend()).checks.filter { $0.kind == .ratio }
        let pairs = Set(ratios.map { "\($0.numerator?.values["backend"] ?? "")/\($0.denominator?.values["backend"] ?? "")" })
        let scanning = Backend.allCases.filter(\.traits.waitScansEveryDescriptor)
        let others = Backend.allCases.filter { !$0.traits.waitScansEveryDescriptor }
        #expect(!scanning.isEmpty && !others.isEmpty)
        let expected = Set(others.flatMap { fast in scanning.map { "\(fast.rawValue)/\($0.rawValue)" } })
        #expect(pairs == expected)
    }
}
