// The measuring half of `mux-bench ab`: every point, block after block, each block four runs of
// the two builds, every row appended to its build's raw CSV at once; then per point and figure the
// log ratios B/A of the complete blocks, ready for ABJudgement.
// A block during which the hypervisor took the CPUs (steal time ≥ maxSteal in any of its runs) is
// set aside for the figures steal moves (CPU, speed, latency; not syscalls per request): on a
// shared VM steal roughly doubles CPU per request (the committed payload and active-ratio rows:
// median 2.1-2.4x between reps at ≥ 20% and < 3% steal), far more than the changes ab is there to
// see. More blocks are run in its place, up to maxBlocks per point, so an episode costs time
// instead of a verdict.
import MuxCLI
import MuxMetrics

/// Which build one position of a block runs.
enum ABSide: String { case base = "A", head = "B" }

struct ABBlockRunner {
    var points: [SweepPoint]
    /// Clean (complete, not set aside) blocks wanted per point.
    var blocks: Int
    /// The most blocks run per point, set-aside ones included.
    var maxBlocks: Int
    /// Steal time (% of the CPUs, the row's `steal_pct`) from which a run's block is set aside; nil: never.
    var maxSteal: Double?
    var builds: (base: ABBuild, head: ABBuild)
    var figures: [JudgedFigure]
    var csvPaths: (base: String, head: String)
    /// Each run profiled (`--profile` or the sweep's `profile = yes`), its stacks beside its side's CSV.
    var profile = false
    var system: SystemInfo

    /// ABBA cancels a linear drift within the block; alternating it with BAAB also cancels an
    /// effect of the position in the block (say, the first run after a pause reading fast) over
    /// each pair of blocks, instead of letting it side with A.
    static func order(_ block: Int) -> [ABSide] {
        block % 2 == 1 ? [.base, .head, .head, .base] : [.head, .base, .base, .head]
    }

    struct Outcome {
        var series: [(point: String, figure: JudgedFigure, logRatios: [Double])]
        /// Complete blocks set aside for steal time, per point id.
        var setAside: [String: Int] = [:]
        var interrupted: Bool
        var writeError: String?
    }

    /// A point whose runs fail twice is not run again (its blocks stay incomplete).
    static let failuresBeforeGivingUp = 2

    func run() -> Outcome {
        // values[point][figure][block] = (A values, B values)
        var values: [String: [String: [Int: (a: [Double], b: [Double])]]] = [:]
        var failures: [String: Int] = [:]
        var started: [String: Int] = [:]
        // Blocks whose four runs all measured, and blocks with a run under steal, per point.
        var complete: [String: Set<Int>] = [:]
        var stolen: [String: Set<Int>] = [:]
        func clean(_ id: String) -> Int { complete[id, default: []].subtracting(stolen[id, default: []]).count }
        var interrupted = false
        let progress = Progress(total: points.count * blocks * 4, secondsPerRun: points[0].warmup + points[0].duration + 1.5)
        var index = 0
        var block = 0
        measuring: while true {
            block += 1
            // Blocks go round the points still short of clean blocks, so drift spreads over all of them.
            let due = points.filter {
                (failures[$0.id] ?? 0) < Self.failuresBeforeGivingUp && clean($0.id) < blocks && (started[$0.id] ?? 0) < maxBlocks
            }
            if due.isEmpty { break }
            if block > blocks {
                progress.total += due.count * 4
                progress.note("block \(block): \(due.count) point(s) short of \(blocks) clean blocks (set aside for steal time ≥ "
                              + "\(formatCompactNumber(maxSteal ?? 0))%, or failed); running another (at most \(maxBlocks) per point)")
            }
            for point in due {
                started[point.id, default: 0] += 1
                var measuredRuns = 0
                for (position, side) in Self.order(block).enumerated() {
                    defer { index += 1 }
                    if (failures[point.id] ?? 0) >= Self.failuresBeforeGivingUp { continue }
                    let build = side == .base ? builds.base : builds.head
                    progress.starting(index, label: "block \(block) \(point.id) \(side.rawValue) (\(position + 1)/4)")
                    var runSystem = system
                    runSystem.commit = build.label
                    // Each side runs twice per block: reps 2·block − 1 and 2·block of its CSV.
                    var runner = PointRunner(point: point, repetition: (block - 1) * 2 + (position < 2 ? 1 : 2), system: runSystem,
                                             binaries: build.executables)
                    if profile {
                        runner.profileDirectory = WindowProfile.directory(besides: side == .base ? csvPaths.base : csvPaths.head)
                    }
                    switch runner.run() {
                    case let .measured(row, notes):
                        do { try CSVTable.append(row, to: side == .base ? csvPaths.base : csvPaths.head, columns: ResultsSchema.columns) } catch {
                            progress.finishLine()
                            return Outcome(series: [], interrupted: false, writeError: error.description)
                        }
                        measuredRuns += 1
                        if let maxSteal, let steal = Double(row["steal_pct"] ?? ""), steal >= maxSteal {
                            stolen[point.id, default: []].insert(block)
                        }
                        for figure in figures {
                            guard let value = SweepSummary.figureValue(figure.name, in: row) else { continue }
                            var pair = values[point.id, default: [:]][figure.name, default: [:]][block] ?? ([], [])
                            if side == .base { pair.a.append(value) } else { pair.b.append(value) }
                            values[point.id, default: [:]][figure.name, default: [:]][block] = pair
                        }
                        progress.finished(index, line: "block \(block) \(point.id) \(side.rawValue): " + describe(row),
                                          notes: notes + warnings(for: row))
                    case let .failed(reason):
                        failures[point.id, default: 0] += 1
                        progress.finished(index, line: "block \(block) \(point.id) \(side.rawValue): FAILED: \(reason)", notes: [])
                    case .interrupted:
                        interrupted = true
                        break measuring
                    }
                }
                if measuredRuns == 4 { complete[point.id, default: []].insert(block) }
            }
        }
        progress.finishLine()

        var series: [(point: String, figure: JudgedFigure, logRatios: [Double])] = []
        for point in points {
            for figure in figures {
                let byBlock = values[point.id]?[figure.name] ?? [:]
                let ratios = byBlock.keys.sorted().compactMap { block -> Double? in
                    if figure.stealSensitive, stolen[point.id]?.contains(block) ?? false { return nil }
                    let pair = byBlock[block]!
                    guard pair.a.count == 2, pair.b.count == 2 else { return nil }
                    return ABJudgement.blockLogRatio(a: pair.a, b: pair.b)
                }
                series.append((point.id, figure, ratios))
            }
        }
        var setAside: [String: Int] = [:]
        for point in points {
            // Only complete blocks count as set aside; an incomplete one was never judgeable.
            let count = complete[point.id, default: []].intersection(stolen[point.id, default: []]).count
            if count > 0 { setAside[point.id] = count }
        }
        return Outcome(series: series, setAside: setAside, interrupted: interrupted, writeError: nil)
    }
}
