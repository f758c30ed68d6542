// `backends = all | readiness | completion`: group words a sweep file may mix with names, each
// standing for the backends of Backend.group (derived from the enum's cases and traits, so the
// lists below are computed, never written out); a name twice or an unknown word is one line
// naming file:line.
import MuxCore
import Testing
@testable import MuxBenchKit

private func parse(_ text: String) throws(SweepError) -> SweepSpec { try SweepSpec.parse(text, path: "t.sweep") }

private func errorLine(_ text: String) -> String? {
    do { _ = try parse(text); return nil } catch { return error.description }
}

private func backends(_ line: String) throws -> [String] {
    try parse("backends = \(line)\nconnections = 100\n").backends
}

private func names(_ model: IOModel) -> [String] {
    Backend.allCases.filter { $0.traits.model == model }.map(\.rawValue)
}

@Suite struct SweepBackendGroupTests {
    @Test func eachGroupWordStandsForItsBackendsInBackendOrder() throws {
        #expect(try backends("all") == Backend.names)
        #expect(try backends("readiness") == names(.readiness))
        #expect(try backends("completion") == names(.completion))
        #expect(!names(.readiness).isEmpty && !names(.completion).isEmpty)
        #expect(try backends("readiness completion") == Backend.names)
    }

    @Test func groupsMixWithNamesInTheOrderWritten() throws {
        let completion = try #require(Backend.allCases.first { $0.traits.model == .completion })
        #expect(try backends("readiness \(completion.rawValue)") == names(.readiness) + [completion.rawValue])
        #expect(try backends("completion epoll-et") == names(.completion) + ["epoll-et"])
        let spec = try parse("server.nginx = nginx -p {dir} -c {dir}/nginx.conf\nbackends = all nginx\nconnections = 100\nprotocol = http\n")
        #expect(spec.backends == Backend.names + ["nginx"])
        #expect(spec.points().map(\.backend) == Backend.names + ["nginx"])
    }

    @Test func perBackendOverridesStillApplyToABackendNamedByItsGroup() throws {
        let spec = try parse("backends = all\nconnections = 100 5000\nconnections.select = 100 1000\n")
        #expect(spec.dimensions(for: "select").connections == [100, 1000])
        #expect(spec.points().filter { $0.backend == "select" }.map(\.connections) == [100, 1000])
        for name in Backend.names where name != "select" {
            #expect(spec.points().filter { $0.backend == name }.map(\.connections) == [100, 5000], "\(name)")
        }
    }

    @Test func aBackendTwiceIsRefusedNamingTheGroupsThatBroughtIt() {
        #expect(errorLine("backends = readiness select\nconnections = 10\n")
            == "t.sweep:1: duplicate value 'select' for 'backends' (in 'readiness')")
        #expect(errorLine("connections = 10\nbackends = all readiness\n")
            == "t.sweep:2: duplicate value 'select' for 'backends' (in 'all' and 'readiness')")
        #expect(errorLine("backends = poll poll\nconnections = 10\n") == "t.sweep:1: duplicate value 'poll' for 'backends'")
    }

    @Test func anUnknownWordIsOneLineWithFileLineAndTheGroups() throws {
        let message = try #require(errorLine("connections = 10\nbackends = all everything\n"))
        #expect(message.hasPrefix("t.sweep:2: bad value 'everything' for 'backends': expected one of \(Backend.nameList), "), "\(message)")
        #expect(message.contains("a group (all, readiness, completion)"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func aServerCannotTakeAGroupWordAsItsName() {
        for word in Backend.groupNames {
            #expect(errorLine("server.\(word) = x {port}\nbackends = epoll-lt\nconnections = 10\n")?
                .hasPrefix("t.sweep:1: server name '\(word)' stands for a group") == true, "\(word)")
        }
    }
}
