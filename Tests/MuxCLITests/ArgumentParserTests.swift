import MuxCLI
import Testing

/// The one parser behind mux-server, mux-load and mux-bench: long and short forms, inline values,
/// and a one-line error naming the program and the option for every kind of bad input.
@Suite struct ArgumentParserTests {
    static let parser = ArgumentParser(
        program: "tool", summary: "A tool.", usage: "tool [options]",
        options: [
            OptionSpec("port", short: "p", value: "PORT", default: "0", help: "port"),
            OptionSpec("duration", short: "d", value: "TIME", help: "how long"),
            OptionSpec("backend", value: "NAME", help: "which backend"),
            OptionSpec("verbose", short: "v", help: "say more"),
        ])

    @Test func longShortAndInlineFormsAllParse() throws {
        let parsed = try Self.parser.parse(["--port", "80", "-d5s", "--backend=poll", "-v"])
        #expect(parsed.string("port") == "80")
        #expect(try parsed.duration("duration") == 5)
        #expect(try parsed.choice("backend", ["poll", "select"]) == "poll")
        #expect(parsed.flags.contains("verbose"))
        #expect(!parsed.helpRequested)
        let short = try Self.parser.parse(["-p", "81"])
        #expect(try short.int("port", in: 1...65535) == 81)
    }

    @Test func helpIsRequestedAndListsEveryOptionWithItsDefault() throws {
        #expect(try Self.parser.parse(["-h"]).helpRequested)
        #expect(try Self.parser.parse(["--port", "1", "--help"]).helpRequested)
        let help = Self.parser.help()
        #expect(help.hasPrefix("usage: tool [options]"))
        for name in ["--port PORT", "--duration TIME", "--backend NAME", "--verbose", "--help"] {
            #expect(help.contains(name), "\(name) missing from help:\n\(help)")
        }
        #expect(help.contains("(default: 0)"))
    }

    @Test(arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        (["--bogus=1"], "unknown option '--bogus'"),
        (["-x"], "unknown option '-x'"),
        (["-vx"], "unknown option '-vx'"),
        (["--port"], "--port: missing value (expected PORT)"),
        (["-p"], "-p: missing value (expected PORT)"),
        (["--verbose=yes"], "--verbose takes no value"),
        (["stray"], "unexpected argument 'stray'"),
    ])
    func badCommandLinesNameTheOption(_ arguments: [String], _ expected: String) {
        do throws(UsageError) {
            _ = try Self.parser.parse(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            #expect(error.program == "tool")
            #expect(error.description.hasPrefix("tool: "), "\(error.description)")
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("\n"), "one line")
        }
    }

    @Test func badValuesSayWhatWasExpected() throws {
        let parsed = try Self.parser.parse(["--port", "http", "--duration", "soon", "--backend", "kqueue"])
        #expect(throws: UsageError(program: "tool", message: "--port: expected an integer in 1...65535, got 'http'")) {
            try parsed.int("port", in: 1...65535)
        }
        #expect(throws: UsageError(program: "tool", message: "--duration: expected a duration such as 500ms, 5s or 2m, got 'soon'")) {
            try parsed.duration("duration")
        }
        #expect(throws: UsageError(program: "tool", message: "--backend: expected one of poll, select, got 'kqueue'")) {
            try parsed.choice("backend", ["poll", "select"])
        }
        let outOfRange = try Self.parser.parse(["--port", "70000"])
        #expect(throws: UsageError.self) { try outOfRange.int("port", in: 1...65535) }
    }

    @Test func positionalsOnlyWhereAccepted() throws {
        let bench = ArgumentParser(program: "bench", summary: "", usage: "bench FILE", options: [], acceptsPositionals: true)
        #expect(try bench.parse(["a.sweep", "--", "-b"]).positionals == ["a.sweep", "-b"])
    }
}
