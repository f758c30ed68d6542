import Testing
import MuxMetrics
import MuxCLI
import MuxCore
@testable import MuxBenchKit

/// Parses `text` as if it were the file `t.sweep`.
private func parse(_ text: String) throws(SweepError) -> SweepSpec {
    try SweepSpec.parse(text, path: "t.sweep")
}

/// The one-line message a malformed text produces.
private func errorLine(_ text: String) -> String? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error.description
    }
}

private let minimal = "backends = epoll-et\nconnections = 100\n"

@Suite struct SweepSpecParsingTests {
    @Test func example_from_the_issue_parses() throws {
        let spec = try parse("""
            # c10k: what idle connections cost each backend
            backends    = select poll epoll-lt epoll-et
            connections = 100 1000 2500 5000 10000
            active      = 100
            payload     = 64
            protocol    = echo
            warmup      = 1s
            duration    = 5s
            repetitions = 3
            """)
        #expect(spec.name == "t")
        #expect(spec.backends == ["select", "poll", "epoll-lt", "epoll-et"])
        #expect(spec.dimensions.connections == [100, 1000, 2500, 5000, 10000])
        #expect(spec.dimensions.active == [.count(100)])
        #expect(spec.warmup == 1 && spec.duration == 5 && spec.repetitions == 3)
        #expect(spec.points().count == 20)
    }

    @Test func defaults_apply_when_keys_are_absent() throws {
        let spec = try parse(minimal)
        let d = spec.dimensions
        #expect(d.active == [.all])
        #expect(d.payloadBytes == [64])
        #expect(d.protocols == ["echo"])
        #expect(d.writeModes == ["immediate"])
        #expect(d.pipeline == [1])
        #expect(d.rates == [.closedLoop])
        #expect(d.threads == [1])
        #expect(d.maxEvents == [1024])
        #expect(spec.warmup == 1 && spec.duration == 5 && spec.repetitions == 3)
        let points = spec.points()
        #expect(points.count == 1)
        #expect(points[0].active == 100)
        #expect(points[0].id == "epoll-et-c100-a100-b64-echo-immediate-p1-closed-t1")
    }

    @Test func comments_blank_lines_whitespace_and_crlf_are_ignored() throws {
        let spec = try parse("# heading\n\n   \r\nbackends = poll   select # trailing comment\r\n\tconnections=10k\n# end")
        #expect(spec.backends == ["poll", "select"])
        #expect(spec.dimensions.connections == [10_000])
    }

    @Test func units_and_special_values_are_accepted() throws {
        let spec = try parse("""
            backends = poll
            connections = 10k
            active = 1 all
            payload = 16 64KiB
            protocol = echo http
            mode = immediate on-writable
            pipeline = 1 8
            rate = closed 5k 2500.5
            threads = 2
            max-events = 64
            warmup = 500ms
            duration = 2m
            repetitions = 1
            """)
        let d = spec.dimensions
        #expect(d.connections == [10_000])
        #expect(d.active == [.count(1), .all])
        #expect(d.payloadBytes == [16, 65_536])
        #expect(d.rates == [.closedLoop, .perSecond(5000), .perSecond(2500.5)])
        #expect(d.maxEvents == [64])
        #expect(spec.warmup == 0.5 && spec.duration == 120 && spec.repetitions == 1)
        #expect(spec.points().count == 2 * 2 * 2 * 2 * 2 * 3)
    }

    @Test func per_backend_override_replaces_only_that_backend() throws {
        let spec = try parse("""
            backends = select epoll-et
            connections = 100 5000
            connections.select = 100 1000
            payload.epoll-et = 16
            """)
        #expect(spec.dimensions(for: "select").connections == [100, 1000])
        #expect(spec.dimensions(for: "select").payloadBytes == [64])
        #expect(spec.dimensions(for: "epoll-et").connections == [100, 5000])
        #expect(spec.dimensions(for: "epoll-et").payloadBytes == [16])
        #expect(spec.points().map(\.id) == [
            "select-c100-a100-b64-echo-immediate-p1-closed-t1",
            "select-c1000-a1000-b64-echo-immediate-p1-closed-t1",
            "epoll-et-c100-a100-b16-echo-immediate-p1-closed-t1",
            "epoll-et-c5000-a5000-b16-echo-immediate-p1-closed-t1",
        ])
    }

    @Test func override_written_before_the_base_key_still_sees_the_other_defaults() throws {
        let spec = try parse("active.poll = 5\nbackends = poll\nconnections = 10\nactive = 1\n")
        #expect(spec.dimensions(for: "poll").active == [.count(5)])
        #expect(spec.dimensions.active == [.count(1)])
    }

    @Test func override_for_a_backend_not_in_the_list_is_harmless() throws {
        let spec = try parse(minimal + "connections.select = 1000\n")
        #expect(spec.points().count == 1)
    }
}

@Suite struct SweepSpecErrorTests {
    @Test func unknown_key() {
        #expect(errorLine(minimal + "\nconections = 5\n")?.hasPrefix("t.sweep:4: unknown key 'conections'") == true)
    }

    @Test func unknown_override_backend_and_scalar_override() {
        #expect(errorLine(minimal + "connections.kqueue = 5\n")?.hasPrefix("t.sweep:3: unknown backend 'kqueue'") == true)
        #expect(errorLine(minimal + "warmup.poll = 1s\n") == "t.sweep:3: 'warmup' cannot be set per backend (in 'warmup.poll')")
    }

    @Test(arguments: [
        ("backends = kqueue", "backends", "kqueue"),
        ("connections = 0", "connections", "0"),
        ("connections = -5", "connections", "-5"),
        ("connections = ten", "connections", "ten"),
        ("active = some", "active", "some"),
        ("active = 0", "active", "0"),
        ("payload = 0", "payload", "0"),
        ("payload = 4GB", "payload", "4GB"),
        ("protocol = ftp", "protocol", "ftp"),
        ("mode = lazy", "mode", "lazy"),
        ("pipeline = 0", "pipeline", "0"),
        ("rate = open", "rate", "open"),
        ("rate = 2.5k", "rate", "2.5k"),
        ("rate = \(String(repeating: "9", count: 400))", "rate", String(repeating: "9", count: 400)),
        ("rate = 0", "rate", "0"),
        ("threads = 1.5", "threads", "1.5"),
        ("max-events = 0", "max-events", "0"),
        ("warmup = soon", "warmup", "soon"),
        ("duration = 0s", "duration", "0s"),
        ("duration = 5x", "duration", "5x"),
        ("duration = 25h", "duration", "25h"),
        ("warmup = 9999999999999999999999999", "warmup", "9999999999999999999999999"),
        ("repetitions = 0", "repetitions", "0"),
        ("connections.select = 1e3x", "connections.select", "1e3x"),
        ("rate = 1e12", "rate", "1e12"),
        ("rate = 1000000000000", "rate", "1000000000000"),
        ("payload = 100MiB", "payload", "100MiB"),
        ("threads = 300", "threads", "300"),
    ])
    func bad_value(line: String, key: String, word: String) {
        // The bad line is always line 3, after whichever required keys it does not set itself.
        let preamble = key == "backends" ? "connections = 1\n\n" : key == "connections" ? "backends = poll\n\n" : minimal
        let text = preamble + line + "\n"
        let message = errorLine(text)
        #expect(message?.hasPrefix("t.sweep:3: bad value '\(word)' for '\(key)': expected ") == true, "\(message ?? "no error")")
    }

    /// Points no run could carry out are refused with the line that asked for them, never left
    /// out of the matrix unsaid (a sweep of only such points once said "0 runs to do", exit 0).
    @Test func more_active_than_connections_is_refused_with_its_line() {
        #expect(errorLine("backends = poll\nconnections = 10 100\nactive = 50\n")
                == "t.sweep:3: active 50 is more than connections 10 (line 2) for poll: a point cannot have more active connections than open ones (use 'all', or set 'active.poll')")
        #expect(errorLine("backends = poll select\nconnections = 100\nconnections.select = 10\n\nactive.select = 20\nactive = 50\n")?
                    .hasPrefix("t.sweep:5: active 20 is more than connections 10 (line 3) for select") == true)
        #expect(errorLine("backends = poll\nconnections = 100 1000\nactive = 100 all\n") == nil, "active = connections is a point")
    }

    @Test func on_writable_is_refused_for_a_completion_backend() {
        let refusal = Backend.ioUring.onWritableRefusal!
        #expect(errorLine("backends = poll io-uring\nconnections = 100\nmode = immediate on-writable\n")
                == "t.sweep:3: 'mode': \(refusal); set 'mode.io-uring = immediate'")
        #expect(errorLine("backends = poll io-uring\nconnections = 100\nmode = immediate on-writable\nmode.io-uring = immediate\n") == nil)
        #expect(errorLine("backends = io-uring-poll\nconnections = 100\nmode = on-writable\n") == nil, "a readiness backend")
        #expect(errorLine("backends = poll redis\nconnections = 100\nmode = on-writable\nmode.redis = immediate\nserver.redis = redis-server --port {port}\n") == nil)
        #expect(errorLine("backends = poll redis\nconnections = 100\nmode = on-writable\nserver.redis = redis-server --port {port}\n")
                == "t.sweep:3: 'mode': redis is a server MuxBench did not write: its write path is its own, so the write mode on-writable does not apply (use immediate); set 'mode.redis = immediate'")
    }

    @Test func several_values_for_a_scalar() {
        #expect(errorLine(minimal + "duration = 1s 2s\n") == "t.sweep:3: 'duration' takes one value, found 2")
        #expect(errorLine(minimal + "repetitions = 1 3\n") == "t.sweep:3: 'repetitions' takes one value, found 2")
    }

    @Test func empty_list() {
        #expect(errorLine(minimal + "active =   # nothing yet\n") == "t.sweep:3: empty list for 'active'")
        #expect(errorLine(minimal + "payload.poll =\n") == "t.sweep:3: empty list for 'payload.poll'")
    }

    @Test func duplicate_key() {
        #expect(errorLine(minimal + "\nconnections = 200\n") == "t.sweep:4: duplicate key 'connections' (first set on line 2)")
        #expect(errorLine(minimal + "active.poll = 1\nactive.poll = 2\n") == "t.sweep:4: duplicate key 'active.poll' (first set on line 3)")
    }

    @Test func duplicate_value() {
        #expect(errorLine(minimal + "payload = 1024 1KiB\n") == "t.sweep:3: duplicate value '1KiB' for 'payload'")
    }

    @Test func line_without_equals() {
        #expect(errorLine(minimal + "\n\nduration 5s\n") == "t.sweep:5: expected 'key = values', found 'duration 5s'")
        #expect(errorLine("= 5\n") == "t.sweep:1: missing key before '='")
    }

    @Test func missing_required_key() {
        #expect(errorLine("backends = poll\n") == "t.sweep: missing required key 'connections'")
        #expect(errorLine("connections = 100\n") == "t.sweep: missing required key 'backends'")
        #expect(errorLine("") == "t.sweep: missing required key 'backends'")
        // An override does not stand in for the sweep-wide key.
        #expect(errorLine("backends = poll\nconnections.poll = 5\n") == "t.sweep: missing required key 'connections'")
    }

    @Test func unreadable_file() {
        let path = "/nonexistent-dir/missing.sweep"
        #expect(throws: SweepError(file: path, message: "cannot read: No such file or directory")) {
            try SweepSpec.load(path: path)
        }
        do {
            _ = try SweepSpec.load(path: path)
        } catch {
            #expect(error.description == "/nonexistent-dir/missing.sweep: cannot read: No such file or directory")
        }
    }

    @Test func shape_errors_come_before_value_errors_and_value_errors_before_missing_keys() {
        #expect(errorLine("backends = kqueue\nbogus = 1\n")?.hasPrefix("t.sweep:2: unknown key") == true)
        #expect(errorLine("backends = kqueue\n")?.hasPrefix("t.sweep:1: bad value 'kqueue'") == true)
        #expect(errorLine("backends = poll\nconnections.poll = x\n")?.hasPrefix("t.sweep:2: bad value 'x'") == true)
    }
}

@Suite struct SweepMatrixTests {
    @Test func expansion_order_is_backend_then_each_dimension_in_turn() throws {
        let spec = try parse("""
            backends = poll epoll-lt
            connections = 10 20
            active = 5 all
            payload = 1 2
            protocol = echo http
            mode = immediate on-writable
            pipeline = 1 2
            rate = closed 100
            threads = 1 2
            """)
        let points = spec.points()
        #expect(points.count == 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2)
        #expect(points.first?.id == "poll-c10-a5-b1-echo-immediate-p1-closed-t1")
        #expect(points[1].id == "poll-c10-a5-b1-echo-immediate-p1-closed-t2")
        #expect(points[2].id == "poll-c10-a5-b1-echo-immediate-p1-r100-t1")
        #expect(points[4].id == "poll-c10-a5-b1-echo-immediate-p2-closed-t1")
        #expect(points[8].id == "poll-c10-a5-b1-echo-on-writable-p1-closed-t1")
        #expect(points[16].id == "poll-c10-a5-b1-http-immediate-p1-closed-t1")
        #expect(points[32].id == "poll-c10-a5-b2-echo-immediate-p1-closed-t1")
        #expect(points[64].id == "poll-c10-a10-b1-echo-immediate-p1-closed-t1")
        #expect(points[128].id == "poll-c20-a5-b1-echo-immediate-p1-closed-t1")
        #expect(points[256].id == "epoll-lt-c10-a5-b1-echo-immediate-p1-closed-t1")
        #expect(Set(points.map(\.id)).count == points.count)
        #expect(points.allSatisfy { $0.sweep == "t" && $0.warmup == 1 && $0.duration == 5 })
    }

    @Test func all_follows_connections_and_active_above_them_is_refused() throws {
        let spec = try parse("backends = poll\nconnections = 10 1000\nactive = 1 10 all\n")
        #expect(spec.points().map { "\($0.connections)/\($0.active)" } == ["10/1", "10/10", "1000/1", "1000/10", "1000/1000"])
        #expect(errorLine("backends = poll\nconnections = 10 1000\nactive = 1 100 all\n")?.hasPrefix("t.sweep:3: active 100 is more than connections 10") == true)
    }

    @Test func active_equal_to_all_is_one_point() throws {
        let spec = try parse("backends = select\nconnections = 1000\nactive = 1000 all\n")
        #expect(spec.points().count == 1)
    }

    @Test func max_events_appears_in_the_id_only_when_not_the_default() throws {
        let spec = try parse(minimal + "max-events = 1024 64\n")
        #expect(spec.points().map(\.id) == [
            "epoll-et-c100-a100-b64-echo-immediate-p1-closed-t1",
            "epoll-et-c100-a100-b64-echo-immediate-p1-closed-t1-e64",
        ])
    }

    @Test func row_parameters_fill_every_point_parameter_column() throws {
        let spec = try parse("backends = poll\nconnections = 100\nactive = 10\nrate = closed 2500.5\nwarmup = 500ms\nduration = 2s\n")
        let points = spec.points()
        let closed = spec.rowParameters(for: points[0])
        #expect(closed == [
            "sweep": "t", "point": "poll-c100-a10-b64-echo-immediate-p1-closed-t1", "backend": "poll",
            "protocol": "echo", "mode": "immediate", "connections": "100", "active": "10",
            "payload_bytes": "64", "pipeline": "1", "rate_target_rps": "", "threads": "1", "max_events": "1024",
            "warmup_s": "0.5", "duration_s": "2",
        ])
        let open = spec.rowParameters(for: points[1])
        #expect(open["rate_target_rps"] == "2500.5")
        #expect(open["point"] == "poll-c100-a10-b64-echo-immediate-p1-r2500.5-t1")
        #expect(Set(closed.keys) == Set(ResultsSchema.pointParameters))
    }

    /// A row says everything that produced it: threads and max-events are dimensions and columns.
    @Test func threads_and_max_events_are_columns_of_every_row() throws {
        let spec = try parse("backends = epoll-et\nconnections = 100\nthreads = 1 2\nmax-events = 64 1024\n")
        let rows = spec.points().map { spec.rowParameters(for: $0) }
        #expect(Set(rows.map { "\($0["threads"] ?? "?")/\($0["max_events"] ?? "?")" }) == ["1/64", "1/1024", "2/64", "2/1024"])
        for column in ["threads", "max_events"] {
            #expect(ResultsSchema.columns.contains(column) && ResultsSchema.pointParameters.contains(column))
            #expect(ResultsSchema.summaryColumns.contains(column))
        }
        #expect(ResultsSchema.columns.contains("server_cpus") && ResultsSchema.columns.contains("load_cpus"))
    }

    @Test func sweep_name_is_the_file_name_without_extension() throws {
        #expect(try SweepSpec.parse(minimal, path: "Benchmarks/c10k.sweep").name == "c10k")
        #expect(try SweepSpec.parse(minimal, path: "plain").name == "plain")
    }

    @Test func estimated_time_counts_runs_and_overhead() throws {
        let spec = try parse("backends = poll select\nconnections = 1 2\nwarmup = 500ms\nduration = 2s\nrepetitions = 2\n")
        #expect(spec.estimatedSeconds(overheadPerRun: 1) == 8 * 3.5)
    }
}

/// Inputs of the kind the sweep-file fuzzer (Tests/Fuzz/run-fuzz.sh sweep) generates, kept as
/// regression tests of its invariants: no crash, errors on one line naming `file:line`, and an
/// accepted spec that expands.
@Suite struct SweepSpecHostileInputTests {
    @Test(arguments: [
        ("backends = poll\nconnections = 99999999999999999999\n", 2),         // Int overflow
        ("backends = poll\nconnections = 9223372036854775807KiB\n", 2),        // overflow in the suffix
        ("backends = poll\nconnections = 1\nduration = 1" + String(repeating: "0", count: 400) + "\n", 3),  // +inf
        ("backends = poll\nconnections = 1\nrate = 1" + String(repeating: "0", count: 400) + "\n", 3),
        ("backends = poll\nconnections = 1\nrate = 0." + String(repeating: "0", count: 400) + "1\n", 3),  // underflow to 0
        // Lines are counted as editors count them (LF, CRLF); other breaks are whitespace.
        ("backends = poll\rconnections = -5\r", 1),                            // lone CR: one line
        ("backends = poll\r\nconnections\u{0} = 1\n", 2),                      // NUL in a key
        ("backends = poll\nconnections = 1\u{2028}2 x\n", 2),                  // U+2028 inside a line
        ("back\u{FFFD}ends = poll\n", 1),                                      // invalid UTF-8, replaced
        ("backends = poll\nconnections.poll.x = 1\n", 2),                      // a dotted backend name
        ("\u{0B}\u{0C}=\n", 1),                                                // vertical tab / form feed only
        ("backends = poll\u{85}x\n", 1),                                       // NEL: quoted, escaped
        ("\u{2029}\u{7}zap\u{1B}[2J\n", 1),                                     // terminal escapes quoted, escaped
    ])
    func hostile_input_gives_a_one_line_error_naming_its_line(_ text: String, _ line: Int) {
        let message = errorLine(text)
        #expect(message?.hasPrefix("t.sweep:\(line): ") == true, "\(message ?? "accepted")")
        #expect(message?.contains(where: \.isNewline) == false)
        #expect(message?.unicodeScalars.contains { $0.properties.generalCategory == .control } == false)
    }

    @Test func tiny_and_huge_rates_are_refused_with_the_rate_rule() throws {
        for rate in ["0.\(String(repeating: "0", count: 300))1", "1\(String(repeating: "0", count: 300))"] {
            let message = errorLine("backends = poll\nconnections = 1\nrate = \(rate)\n")
            #expect(message == "t.sweep:3: bad value '\(rate)' for 'rate': expected 'closed' or \(NumberRules.rate.expectation)")
        }
        let spec = try parse("backends = poll\nconnections = 1\nrate = 1 10M\n")
        #expect(spec.points().count == 2)
        #expect(spec.points().allSatisfy { !$0.id.isEmpty && $0.rowParameters["rate_target_rps"] != "" })
    }

    @Test func pacing_and_arrivals_are_dimensions_that_name_their_points() throws {
        let spec = try parse(minimal + "rate = 10k\npacing = spin sleep\narrivals = constant exponential\n")
        let points = spec.points()
        #expect(points.count == 4)
        #expect(Set(points.map(\.arrivals)) == ["constant", "exponential"])
        #expect(Set(points.map(\.pacing)) == ["spin", "sleep"])
        #expect(points.map(\.id).contains("epoll-et-c100-a100-b64-echo-immediate-p1-r10000-t1-exponential-spin"))
        // Left out, pacing is chosen per run and the ids of older sweeps stay as they were.
        let plain = try parse(minimal + "rate = 10k\n").points()
        #expect(plain.map(\.id) == ["epoll-et-c100-a100-b64-echo-immediate-p1-r10000-t1"] && plain[0].pacing == nil)
        #expect(errorLine(minimal + "pacing = fast\n") == "t.sweep:3: bad value 'fast' for 'pacing': expected one of spin, sleep")
        #expect(errorLine(minimal + "arrivals = poisson\n")
                == "t.sweep:3: bad value 'poisson' for 'arrivals': expected one of constant, exponential")
    }
}
