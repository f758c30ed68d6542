// `mux-bench check --update`: a baseline rewritten from a run, or a first one generated.
import MuxCore
import MuxMetrics

/// Syscall figures stable run after run (Sources/README.md, How syscalls are counted: reads and
/// writes per request are; wait calls per request are not, since batching depends on timing).
let stablePerRequestFigures = ["read_per_req", "write_per_req", "ctl_per_req"]
let defaultAbsoluteTolerance = 0.05
let defaultRelativeTolerance = 0.10
/// The floor of a generated ratio check, as a fraction of the ratio measured.
let defaultRatioFloorFraction = 0.5

/// The same checks with expected values taken from `table`; tolerances, limits and selectors
/// are kept. A ratio floor moves with its ratio (same fraction of it) when the baseline records
/// the ratio it was set against. Checks whose points the run lacks stay as they were, with a warning.
public func updatedBaseline(_ baseline: Baseline, from table: CSVTable) -> (baseline: Baseline, warnings: [String]) {
    var updated = baseline
    var warnings: [String] = []
    if updated.sweep == nil { updated.sweep = table.rows.first?["sweep"] }
    for index in updated.checks.indices {
        var check = updated.checks[index]
        switch check.kind {
        case .max:
            continue
        case .value:
            let lookup = PointLookup(check.point ?? PointSelector(), in: table.rows)
            guard case let .found(row) = lookup, let value = summaryStatistic(row, check.figure) else {
                warnings.append("checks[\(index)] \(check.figure) at \(check.point?.label ?? "every point"): kept, \(lookup.problem ?? "no value in the run")")
                continue
            }
            check.expected = roundedFigure(value)
        case .ratio:
            guard let ratio = measuredRatio(check, rows: table.rows) else {
                warnings.append("checks[\(index)] \(check.figure) ratio \(ratioLabel(check.numerator ?? PointSelector(), check.denominator ?? PointSelector())): kept, a point is missing or has no value")
                continue
            }
            if let old = check.expected, old > 0, let floor = check.min {
                check.min = roundedFigure(floor * ratio / old)
            } else if let floor = check.min, ratio < floor {
                warnings.append("checks[\(index)] \(check.figure) ratio: measured \(formatFigure(ratio)) is below its floor \(formatFigure(floor))")
            }
            check.expected = roundedFigure(ratio)
        }
        updated.checks[index] = check
    }
    return (updated, warnings)
}

func measuredRatio(_ check: BaselineCheck, rows: [[String: String]]) -> Double? {
    guard case let .found(top) = PointLookup(check.numerator ?? PointSelector(), in: rows),
          case let .found(bottom) = PointLookup(check.denominator ?? PointSelector(), in: rows),
          let a = summaryStatistic(top, check.figure), let b = summaryStatistic(bottom, check.figure), b != 0
    else { return nil }
    return a / b
}

/// A first baseline for a run: no errors anywhere; reads, writes and epoll_ctl calls per request
/// for every ok point; and the throughput of each backend whose wait does not scan every
/// descriptor (epoll, io_uring) over each one whose wait does (select, poll) at the
/// largest connection count both measured, floored at half the ratio seen now.
public func defaultBaseline(from table: CSVTable) -> Baseline {
    let rows = table.rows
    let ok = rows.filter(SummaryRows.isOK)
    // Name points by what varies in this run, plus backend and connections for the reader.
    let keys = ["backend", "connections"] + varyingParameters(rows).filter { $0 != "backend" && $0 != "connections" }
    func selector(_ row: [String: String], _ keys: [String]) -> PointSelector {
        PointSelector(Dictionary(uniqueKeysWithValues: keys.map { ($0, row[$0] ?? "") }))
    }

    var checks: [BaselineCheck] = [.maximum("errors", max: 0)]
    // A server MuxBench did not write (nginx, redis) is measured beside ours, not guarded: its
    // syscalls come from perf, which a CI machine may lack.
    for row in ok where Backend(rawValue: row["backend"] ?? "") != nil {
        for figure in stablePerRequestFigures {
            guard let value = summaryStatistic(row, figure) else { continue }
            checks.append(.value(figure, at: selector(row, keys), expected: roundedFigure(value),
                                 tolerance: defaultAbsoluteTolerance, relativeTolerance: defaultRelativeTolerance))
        }
    }

    // Ratios within each combination of the other varying parameters (active, payload, mode…).
    let groupKeys = keys.filter { $0 != "backend" && $0 != "connections" }
    var groups: [[String: String]: [[String: String]]] = [:]
    var groupOrder: [[String: String]] = []
    for row in ok {
        let key = Dictionary(uniqueKeysWithValues: groupKeys.map { ($0, row[$0] ?? "") })
        if groups[key] == nil { groupOrder.append(key) }
        groups[key, default: []].append(row)
    }
    for group in groupOrder {
        let members = groups[group]!
        // Backends whose wait scans every descriptor are the slow side of each ratio.
        let scanning = Backend.allCases.filter(\.traits.waitScansEveryDescriptor).map(\.rawValue)
        let notScanning = Backend.allCases.filter { !$0.traits.waitScansEveryDescriptor }.map(\.rawValue)
        for fast in notScanning {
            for slow in scanning {
                let fastRows = members.filter { $0["backend"] == fast }
                let slowRows = members.filter { $0["backend"] == slow }
                let shared = Set(fastRows.compactMap { $0["connections"] }).intersection(slowRows.compactMap { $0["connections"] })
                guard let largest = shared.max(by: { (Double($0) ?? 0) < (Double($1) ?? 0) }),
                      let top = fastRows.first(where: { $0["connections"] == largest }),
                      let bottom = slowRows.first(where: { $0["connections"] == largest }),
                      let a = summaryStatistic(top, "throughput_rps"), let b = summaryStatistic(bottom, "throughput_rps"),
                      b > 0 else { continue }
                let ratio = a / b
                checks.append(.ratio("throughput_rps", numerator: selector(top, keys), denominator: selector(bottom, keys),
                                     min: roundedFigure(ratio * defaultRatioFloorFraction), expected: roundedFigure(ratio)))
            }
        }
    }
    return Baseline(
        sweep: rows.first?["sweep"],
        comment: "Generated by mux-bench check --update; edit freely. value: |median - expected| <= tolerance + relative_tolerance * |expected|. ratio: median(numerator) / median(denominator) >= min. max: every ok point's worst repetition <= max.",
        checks: checks)
}
