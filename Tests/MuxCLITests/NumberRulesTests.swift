import Testing
@testable import MuxCLI

/// The one table of typed numbers: every form of a number is read the same way, and a value
/// outside its row's range is refused with the row's own words, however it was written.
@Suite struct NumberRulesTests {
    @Test func everySpellingOfOneNumberReadsTheSame() {
        #expect(NumberRules.rate.value("10k") == 10_000)
        #expect(NumberRules.rate.value("1e4") == 10_000)
        #expect(NumberRules.rate.value("10000") == 10_000)
        #expect(NumberRules.rate.value("2500.5") == 2500.5)
        #expect(NumberRules.payload.integer("16KiB") == 16384)
        #expect(NumberRules.payload.integer("16MiB") == 16 << 20)
        #expect(NumberRules.threads.integer("1.5") == nil, "threads are whole")
        #expect(NumberRules.connections.integer("1e3") == 1000)
        #expect(NumberRules.duration.value("500ms") == 0.5)
    }

    @Test(arguments: [("rate", "1e12"), ("rate", "1000000000000"), ("rate", "1E12"), ("rate", "0"),
                      ("payload", "100MiB"), ("payload", "0"), ("threads", "300"), ("pipeline", "1025"),
                      ("duration", "25h"), ("duration", "0s"), ("connections", "99999999999999999999"),
                      ("rate", "1e"), ("rate", "1e-"), ("rate", "1e99999")])
    func outOfRangeOrMalformedIsRefused(name: String, text: String) throws {
        let rule = try #require(NumberRules.all.first { $0.name == name })
        #expect(rule.value(text) == nil, "\(name) = \(text) accepted")
    }

    @Test func theMessageNamesUnitRangeAndReason() {
        #expect(NumberRules.rate.expectation
                == "requests/s from 1 to 10,000,000 (what the open loop can pace: at 1e9/s a 1.2 s run took 22 s)")
        #expect(NumberRules.payload.expectation.hasPrefix("bytes from 1 to 16 MiB ("))
        #expect(NumberRules.duration.expectation.hasPrefix("a duration from 1ms to 24h ("))
        #expect(NumberRules.connections.maximum <= Double(NumberRules.hardFileLimit - NumberRules.reservedDescriptors))
    }

    @Test func flagsUseTheRowsWords() throws {
        let parser = ArgumentParser(program: "tool", summary: "", usage: "tool",
                                    options: [OptionSpec("rate", value: "R", help: ""), OptionSpec("speed", value: "R", help: "")])
        for text in ["1e12", "1000000000000"] {
            let parsed = try parser.parse(["--rate", text, "--speed", text])
            #expect(throws: UsageError(program: "tool", message: "--rate: expected \(NumberRules.rate.expectation), got '\(text)'")) {
                try parsed.number(NumberRules.rate)
            }
            #expect(throws: UsageError(program: "tool", message: "--speed: expected \(NumberRules.rate.expectation), got '\(text)'")) {
                try parsed.number(NumberRules.rate, option: "speed")
            }
        }
        #expect(try parser.parse(["--rate", "5k"]).number(NumberRules.rate) == 5000)
        #expect(try parser.parse([]).number(NumberRules.rate) == nil)
    }

    @Test func everyRowIsSane() {
        for rule in NumberRules.all {
            #expect(rule.minimum <= rule.maximum, "\(rule.name)")
            #expect(!rule.why.isEmpty, "\(rule.name)")
            let written = rule.format(rule.maximum).filter { $0 != "," && $0 != " " }
            #expect(rule.value(written) == rule.maximum, "\(rule.name)'s maximum as written (\(written)) is accepted")
        }
    }
}
