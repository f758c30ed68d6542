import Testing
@testable import MuxBenchKit

/// The rate search on a deterministic fake: a server that sustains every rate up to its capacity.
@Suite struct RateSearchTests {
    /// Sustains rates ≤ capacity; the client gives out above `clientLimit`.
    private func fake(capacity: Double, clientLimit: Double = .infinity, confirmCapacity: Double? = nil)
        -> (Double, ProbeKind) -> ProbeVerdict {
        { rate, kind in
            if rate > clientLimit { return .clientLimited }
            let limit = kind == .confirm ? (confirmCapacity ?? capacity) : capacity
            return rate <= limit ? .sustained : .exceeded
        }
    }

    /// Rates in probe order, a repeated measurement of the same rate shown once.
    private func distinct(_ rates: [Double]) -> [Double] {
        rates.enumerated().filter { $0.offset == 0 || rates[$0.offset - 1] != $0.element }.map(\.element)
    }

    @Test(arguments: [7_300.0, 41_000, 83_417, 150_000, 600_000])
    func finds_the_capacity_within_five_percent_and_confirms_it(capacity: Double) {
        let result = RateSearch(startRate: 5000).run(fake(capacity: capacity))
        let rate = try? #require(result.rate)
        #expect((rate ?? 0) <= capacity && (rate ?? 0) >= capacity * 0.94, "\(rate ?? 0) for \(capacity)")
        #expect(result.probes.last?.kind == .confirm && result.probes.last?.verdict == .sustained)
        #expect(result.probes.filter { $0.kind == .confirm }.count == 1)
        #expect(!result.clientLimited && result.problem == nil && result.outcome == .answered)
        // Doubling, then bisecting (a probe over the bound measured twice): a handful of short
        // probes, about 2 minutes of windows at most.
        #expect(result.probes.count <= 20, "\(result.probes.count) probes")
    }

    @Test func brackets_by_doubling_then_bisects_inside_the_bracket() {
        let result = RateSearch(startRate: 5000).run(fake(capacity: 50_000))
        let brackets = distinct(result.probes.filter { $0.kind == .bracket }.map(\.rate))
        #expect(brackets == [5000, 10_000, 20_000, 40_000, 80_000])
        let bisects = result.probes.filter { $0.kind == .bisect }.map(\.rate)
        #expect(!bisects.isEmpty && bisects.allSatisfy { $0 > 40_000 && $0 < 80_000 }, "\(bisects)")
    }

    @Test func halves_down_when_the_first_rate_is_too_much() {
        let result = RateSearch(startRate: 5000).run(fake(capacity: 700))
        #expect(distinct(result.probes.map(\.rate)).prefix(4) == [5000, 2500, 1250, 625])
        #expect((result.rate ?? 0) <= 700 && (result.rate ?? 0) >= 700 * 0.94, "\(String(describing: result.rate))")
    }

    @Test func nothing_sustained_is_an_answer_with_a_reason_not_a_rate() {
        let result = RateSearch(startRate: 5000).run(fake(capacity: 10))
        #expect(result.rate == nil)
        #expect(result.problem?.contains("no rate") == true, "\(String(describing: result.problem))")
        #expect(result.probes.allSatisfy { $0.kind == .bracket && $0.rate >= 100 })
        #expect(result.outcome == .none)
    }

    @Test func every_confirmation_missed_is_no_answer_either() {
        // Short windows pass up to 50k, a full window nowhere.
        let result = RateSearch(startRate: 5000).run(fake(capacity: 50_000, confirmCapacity: 0))
        #expect(result.rate == nil && result.probes.last?.kind == .confirm && result.outcome == .none)
    }

    @Test func a_client_limit_ends_the_curve_there_and_says_so() {
        let result = RateSearch(startRate: 5000).run(fake(capacity: 500_000, clientLimit: 60_000))
        #expect(result.clientLimited)
        #expect((result.rate ?? 0) <= 60_000 && (result.rate ?? 0) >= 60_000 * 0.94, "\(String(describing: result.rate))")
    }

    @Test func a_missed_confirmation_steps_down_and_confirms_again() {
        // Short windows pass up to 50k, a full window only up to 46k.
        let result = RateSearch(startRate: 5000).run(fake(capacity: 50_000, confirmCapacity: 46_000))
        let confirms = result.probes.filter { $0.kind == .confirm }
        #expect(confirms.count >= 2 && confirms.count <= 3, "\(confirms)")
        #expect(confirms.last?.verdict == .sustained)
        #expect((result.rate ?? 0) <= 46_000, "\(String(describing: result.rate))")
    }

    @Test func one_stalled_short_probe_is_measured_again_before_it_ends_the_bracket() {
        // Capacity 50k, but the first probe at 10k stalls once (a steal burst on a VM).
        var stalled = false
        let result = RateSearch(startRate: 5000).run { rate, kind in
            if rate == 10_000, !stalled { stalled = true; return .exceeded }
            return rate <= 50_000 ? .sustained : .exceeded
        }
        #expect(result.probes.prefix(3).map(\.rate) == [5000, 10_000, 10_000])
        #expect(result.probes.prefix(3).map(\.verdict) == [.sustained, .exceeded, .sustained])
        #expect((result.rate ?? 0) <= 50_000 && (result.rate ?? 0) >= 50_000 * 0.94, "\(String(describing: result.rate))")
        // Above the capacity every short probe is measured twice; a confirmation only once.
        let over = result.probes.filter { $0.rate > 50_000 }
        #expect(!over.isEmpty && over.allSatisfy { $0.verdict == .exceeded && $0.kind != .confirm })
        #expect(Dictionary(grouping: over, by: \.rate).values.allSatisfy { $0.count == 2 })
    }

    @Test func missed_confirmations_step_down_by_growing_steps() {
        // Short windows pass up to 38k, a full window only up to 33k (a server near capacity).
        let result = RateSearch(startRate: 5000).run(fake(capacity: 38_000, confirmCapacity: 33_000))
        let confirms = result.probes.filter { $0.kind == .confirm }
        #expect(confirms.count == 3, "\(confirms.map(\.rate))")
        if confirms.count == 3 {
            #expect(abs(confirms[1].rate / confirms[0].rate - 0.95) < 0.01)
            #expect(abs(confirms[2].rate / confirms[1].rate - 0.90) < 0.01)
        }
        #expect(confirms.last?.verdict == .sustained && (result.rate ?? 0) <= 33_000)
    }

    @Test func a_failed_run_stops_the_search() {
        var calls = 0
        let result = RateSearch(startRate: 5000).run { rate, _ in
            calls += 1
            return rate >= 20_000 ? .failed("mux-server died") : .sustained
        }
        #expect(result.rate == nil && result.problem == "mux-server died")
        #expect(calls == 3)
        #expect(result.outcome == .failed)
    }

    @Test func rates_are_rounded_to_three_significant_digits() {
        #expect(RateSearch.rounded(83_417.3) == 83_400)
        #expect(RateSearch.rounded(5000) == 5000)
        #expect(RateSearch.rounded(1234.5) == 1230)
    }

    @Test func probe_verdicts_follow_the_row() {
        let search = SearchSpec(figure: "lat_p99_us", boundMicroseconds: 1000)
        let good = ["rate_target_rps": "10000", "throughput_rps": "9950", "lat_p99_us": "800", "errors": "0", "saturated_by": ""]
        #expect(probeVerdict(row: good, search: search) == .sustained)
        #expect(probeVerdict(row: good.merging(["lat_p99_us": "1200"]) { $1 }, search: search) == .exceeded)
        #expect(probeVerdict(row: good.merging(["throughput_rps": "9800"]) { $1 }, search: search) == .exceeded)
        #expect(probeVerdict(row: good.merging(["errors": "3"]) { $1 }, search: search) == .exceeded)
        #expect(probeVerdict(row: good.merging(["saturated_by": "client"]) { $1 }, search: search) == .clientLimited)
        #expect(probeVerdict(row: good.merging(["saturated_by": "both"]) { $1 }, search: search) == .clientLimited)
        #expect(probeVerdict(row: good.merging(["saturated_by": "server"]) { $1 }, search: search) == .exceeded)
    }

    @Test(arguments: [
        (["p99", "<=", "1ms"], "lat_p99_us", 1000.0), (["p50", "<=", "250us"], "lat_p50_us", 250),
        (["p999", "<=", "2s"], "lat_p999_us", 2_000_000),
    ])
    func search_lines_parse(words: [String], figure: String, bound: Double) {
        let spec = SearchSpec.parse(words)
        #expect(spec?.figure == figure && spec?.boundMicroseconds == bound)
    }

    @Test func sweep_files_take_a_search_line_and_refuse_bad_ones_with_their_line() throws {
        let spec = try SweepSpec.parse("backends = poll\nconnections = 10\nrate = 5k 10k\nsearch = p99 <= 2ms\nsearch-start = 20k\n",
                                       path: "s.sweep")
        #expect(spec.search == SearchSpec(figure: "lat_p99_us", boundMicroseconds: 2000, startRate: 20_000))
        #expect(spec.points().count == 2 && spec.searchPoints().count == 1)
        #expect(spec.searchPoints().first?.searchID == "poll-c10-a10-b64-echo-immediate-p1-search-t1")
        #expect(try SweepSpec.parse("backends = poll\nconnections = 10\n", path: "s.sweep").searchPoints().isEmpty)
        for (text, line) in [("backends = poll\nconnections = 10\nsearch = p99 < 1ms\n", 3),
                             ("backends = poll\nconnections = 10\nsearch-start = 5k\n", 3),
                             ("backends = poll\nconnections = 10\nsearch = p99 <= 1ms\nsearch-start = 10\n", 4),
                             ("backends = poll\nconnections = 10\nsearch.poll = p99 <= 1ms\n", 3)] {
            #expect(throws: SweepError.self) { try SweepSpec.parse(text, path: "s.sweep") }
            do { _ = try SweepSpec.parse(text, path: "s.sweep") } catch {
                #expect(error.description.hasPrefix("s.sweep:\(line):"), "\(error.description)")
            }
        }
    }

    @Test(arguments: [["p99", "<", "1ms"], ["p98", "<=", "1ms"], ["p99", "<=", "soon"], ["p99", "<=", "0ms"], ["p99"]])
    func bad_search_lines_are_refused(words: [String]) {
        #expect(SearchSpec.parse(words) == nil)
    }
}
