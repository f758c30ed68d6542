// The sweep key `profile = yes|no`: sweep-wide, one value, anything else refused with its line.
import Testing
@testable import MuxBenchKit

@Suite struct SweepProfileKeyTests {
    let base = "backends = poll\nconnections = 100\n"

    @Test func profileIsOffUnlessTheFileSaysYes() throws {
        #expect(try SweepSpec.parse(base, path: "t.sweep").profile == false)
        #expect(try SweepSpec.parse(base + "profile = yes\n", path: "t.sweep").profile == true)
        #expect(try SweepSpec.parse(base + "profile = no\n", path: "t.sweep").profile == false)
    }

    @Test func aBadValueNamesTheFileAndLine() {
        do {
            _ = try SweepSpec.parse(base + "profile = maybe\n", path: "t.sweep")
            Issue.record("profile = maybe was accepted")
        } catch {
            #expect(error.description.hasPrefix("t.sweep:3:"), "\(error.description)")
            #expect(error.description.contains("yes or no"), "\(error.description)")
        }
    }

    @Test func itIsNotADimensionPerBackend() {
        #expect(throws: SweepError.self) { try SweepSpec.parse(base + "profile.poll = yes\n", path: "t.sweep") }
    }
}
