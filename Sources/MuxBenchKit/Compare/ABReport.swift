// What `mux-bench ab` prints: the verdict table on stderr and one JSON line per judged figure
// plus a summary line on stdout (Benchmarks/tools/ab-proof.sh reads those).

/// One line per point and figure: blocks, change with its interval, p before and after Holm, verdict.
func renderABTable(_ judged: [ABFigureJudgement], base: String, head: String) -> String {
    let level = Int((ABJudgement.confidence * 100).rounded())
    var lines = [["point", "figure", "blocks", "change", "\(level)% CI", "p", "p(Holm)", "test", "verdict"]]
    // Fewer than ABJudgement.minimumBlocks: the widest interval, with the coverage it has.
    var previous = ""
    for j in judged {
        var verdict = j.verdict == .regressed ? "REGRESSED" : j.verdict.rawValue
        if j.verdict == .unknown {
            verdict += j.moreBlocks.map { " (~\($0) more blocks)" } ?? " (at the threshold)"
        }
        if !j.figure.gated { verdict += " [not gated]" }
        lines.append([j.point == previous ? "" : j.point, j.figure.label, "\(j.blocks)" + (j.blocksSetAside > 0 ? " (+\(j.blocksSetAside) set aside)" : ""), formatPercent(j.change),
                      "[\(formatPercent(j.changeLow)), \(formatPercent(j.changeHigh))]"
                          + (j.coverage < ABJudgement.confidence - 1e-12 ? " (covers \(Int(j.coverage * 100))%)" : ""),
                      formatPValue(j.pWorse),
                      formatPValue(j.pAdjusted), j.method == .exact ? "exact" : "normal", verdict])
        previous = j.point
    }
    let gated = judged.filter(\.figure.gated)
    var text = "A (base): \(base)\nB (head): \(head)\n" + alignColumns(lines)
    text += "gated figures: \(gated.filter { $0.verdict == .regressed }.count) regressed, "
        + "\(gated.filter { $0.verdict == .same }.count) same, \(gated.filter { $0.verdict == .unknown }.count) unknown "
        + "(one-sided signed-rank on paired log ratios, Holm over the \(gated.count) gated tests; "
        + "the \(judged.count - gated.count) shown ones are corrected among themselves)\n"
    return text
}

/// One `{"type":"ab",...}` line of a judged figure.
func abJSONLine(_ j: ABFigureJudgement) -> String {
    "{\"type\":\"ab\",\"point\":\"\(jsonEscaped(j.point))\",\"figure\":\"\(j.figure.name)\",\"gated\":\(j.figure.gated),"
        + "\"blocks\":\(j.blocks),\"set_aside\":\(j.blocksSetAside),\"change\":\(jsonNumber(j.change)),\"low\":\(jsonNumber(j.changeLow)),\"high\":\(jsonNumber(j.changeHigh)),"
        + "\"p\":\(jsonNumber(j.pWorse)),\"p_holm\":\(jsonNumber(j.pAdjusted)),\"verdict\":\"\(j.verdict.rawValue)\""
        + (j.moreBlocks.map { ",\"more_blocks\":\($0)" } ?? "") + "}"
}

func jsonNumber(_ value: Double) -> String { value.isFinite ? formatCompactNumber(value) : "null" }
