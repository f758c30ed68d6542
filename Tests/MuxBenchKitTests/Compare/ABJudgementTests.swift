#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MuxBenchKit

private let cpu = JudgedFigure.defaults[0]          // lower is better, 3%, gated
private let syscalls = JudgedFigure.defaults[1]     // lower is better, 5%, gated
private let throughput = JudgedFigure.defaults[2]   // higher is better, 12%

/// n distinct small offsets around `center` (log units), alternating in sign.
private func ratios(_ center: Double, spread: Double, n: Int) -> [Double] {
    (0..<n).map { i in center + spread * Double(i + 1) / Double(n) * (i % 2 == 0 ? 1 : -1) }
}

@Suite struct ABJudgementTests {
    /// Linear drift over a block (A at t = 0 and 3, B at 1 and 2) cancels on the log scale.
    @Test func an_abba_block_cancels_linear_drift() throws {
        let drift = 0.01
        let a = [10.0, 10 * exp(3 * drift)], b = [11 * exp(drift), 11 * exp(2 * drift)]
        let ratio = try #require(ABJudgement.blockLogRatio(a: a, b: b))
        #expect(abs(ratio - log(1.1)) < 1e-12)
        #expect(ABJudgement.blockLogRatio(a: [0, 1], b: [1, 1]) == nil)
    }

    /// Ten blocks all +10% (±0.5%): V = 55, one-sided exact p = 2⁻¹⁰, Holm over the 2 gated tests 2/1024;
    /// the 90% interval (qsignrank(0.05, 10) = 11: the 11th smallest and largest Walsh averages)
    /// lies wholly above +3%: regressed. Syscalls within ±0.2%: the interval's worst case is inside
    /// 5%: same. Throughput ±50%: unknown, with a number of further blocks.
    @Test func regressed_same_and_unknown() throws {
        let judged = ABJudgement.judge([
            ("p", cpu, ratios(log(1.10), spread: 0.005, n: 10)),
            ("p", syscalls, ratios(0, spread: 0.002, n: 10)),
            ("p", throughput, ratios(0, spread: 0.5, n: 10)),
        ])
        #expect(judged.map(\.verdict) == [.regressed, .same, .unknown])
        #expect(judged[0].pWorse == 1.0 / 1024)
        #expect(abs(judged[0].pAdjusted - 2.0 / 1024) < 1e-15)
        #expect(judged[2].pAdjusted == judged[2].pWorse)   // alone in the shown-only family
        #expect(judged[0].method == .exact)
        #expect(abs(judged[0].coverage - (1 - 2 * 43.0 / 1024)) < 1e-12)   // P(V ≤ 10) = 43/1024 for n = 10
        #expect(judged[0].changeLow > 0.03 && judged[0].changeLow < 0.10 && judged[0].changeHigh > 0.10)
        #expect(judged[2].moreBlocks != nil && judged[2].moreBlocks! > 0)
        #expect(judged[1].moreBlocks == nil)
    }

    /// Throughput is worse when it falls: −20% in every block is a regression of a
    /// higher-is-better figure (p from the lower tail), +20% is not.
    @Test func higher_is_better_figures_regress_downwards() {
        var gatedThroughput = throughput
        gatedThroughput.gated = true
        let down = ABJudgement.judge([("p", gatedThroughput, ratios(log(0.8), spread: 0.01, n: 8))])
        #expect(down[0].verdict == .regressed && down[0].pWorse == 1.0 / 256)
        let up = ABJudgement.judge([("p", gatedThroughput, ratios(log(1.2), spread: 0.01, n: 8))])
        #expect(up[0].verdict == .same && up[0].pWorse == 1)
    }

    /// Six blocks all +10% give p = 1/64 alone (regressed), but Holm over six tests makes it 6/64 >
    /// 0.05: unknown, and at least one more block (2⁻⁷·6 < 0.05) is asked for.
    @Test func holm_keeps_many_tests_from_raising_false_alarms() {
        let series = ratios(log(1.10), spread: 0.005, n: 6)
        #expect(ABJudgement.judge([("p", cpu, series)])[0].verdict == .regressed)
        let quiet = (1...5).map { ("q\($0)", cpu, ratios(0, spread: 0.001, n: 6)) }
        let judged = ABJudgement.judge([("p", cpu, series)] + quiet)
        #expect(abs(judged[0].pAdjusted - 6.0 / 64) < 1e-15)
        #expect(judged[0].verdict == .unknown)
        #expect((judged[0].moreBlocks ?? 0) >= 1)
        #expect(ABJudgement.blocksToDetect(tests: 6) == 7)
    }

    /// Figures only shown are a family of their own: five ungated figures beside one gated
    /// regression leave its p as it was (2⁻⁶, regressed), while the same five gated make it 6/64.
    @Test func shown_figures_do_not_raise_the_bar_for_gated_ones() {
        let series = ratios(log(1.10), spread: 0.005, n: 6)
        var shown = cpu
        shown.gated = false
        let quietShown = (1...5).map { ("q\($0)", shown, ratios(0, spread: 0.001, n: 6)) }
        let judged = ABJudgement.judge([("p", cpu, series)] + quietShown)
        #expect(judged[0].pAdjusted == 1.0 / 64 && judged[0].verdict == .regressed)
        #expect(judged.dropFirst().allSatisfy { $0.verdict != .regressed })
    }

    /// Fewer than 5 blocks: no 90% interval exists (min–max of the Walsh averages covers 87.5% with
    /// 4), so not even a tiny change can be called "same".
    @Test func too_few_blocks_are_unknown() {
        let judged = ABJudgement.judge([("p", syscalls, ratios(0, spread: 0.001, n: 4))])
        #expect(judged[0].verdict == .unknown)
        #expect(judged[0].coverage == 1 - 2.0 / 16)
        #expect(judged[0].moreBlocks == 1)
        #expect(ABJudgement.minimumBlocks == 5)
    }
}
