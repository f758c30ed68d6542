import MuxCLI
import Testing

/// The units every flag and sweep file goes through: what they accept, and that they refuse
/// what they should instead of guessing.
@Suite struct UnitsTests {
    @Test(arguments: [("500ms", 0.5), ("5s", 5), ("2m", 120), ("250us", 250e-6), ("250µs", 250e-6),
                      ("1.5s", 1.5), ("1h", 3600), ("3", 3), ("10ns", 10e-9), ("0s", 0)])
    func durations(_ text: String, _ seconds: Double) {
        let parsed = parseDuration(text)
        #expect(parsed != nil, "\(text)")
        if let parsed { #expect(abs(parsed - seconds) <= seconds * 1e-12, "\(text) → \(parsed)") }
    }

    @Test(arguments: ["", "s", "ms", "-1s", "1..5s", "5sec", "5 s", "1e3s", "inf", "nan", "0x10s", "five"])
    func badDurationsAreRefused(_ text: String) {
        #expect(parseDuration(text) == nil, "\(text)")
    }

    @Test(arguments: [("64", 64), ("10k", 10_000), ("10K", 10_000), ("2M", 2_000_000), ("16KiB", 16_384),
                      ("1MiB", 1_048_576), ("-3", -3), ("0", 0)])
    func counts(_ text: String, _ value: Int) {
        #expect(parseCount(text) == value, "\(text)")
    }

    @Test(arguments: ["", "k", "1.5k", "12x", "--1", "99999999999999999999", "9223372036854775807KiB", "0x40", " 64"])
    func badCountsAreRefused(_ text: String) {
        #expect(parseCount(text) == nil, "\(text)")
    }

    @Test func durationsFormatShortestFirst() {
        #expect(formatDuration(0.25) == "250ms")
        #expect(formatDuration(5) == "5s")
        #expect(formatDuration(1.5) == "1.5s")
        #expect(formatDuration(0) == "0s")
    }
}
