// The measuring half of `mux-bench ab`: every point, block after block, each block four runs of
// the two builds, every row appended to its build's raw CSV at once; then per point and figure the
// log ratios B/A of the complete blocks, ready for ABJudgement.
import MuxCLI
import MuxMetrics

/// Which build one position of a block runs.
enum ABSide: String { case base = "A", head = "B" }

struct ABBlockRunner {
    var points: [SweepPoint]
    var blocks: Int
    var builds: (base: ABBuild, head: ABBuild)
    var figures: [JudgedFigure]
    var csvPaths: (base: String, head: String)
    var system: SystemInfo

    /// ABBA cancels a linear drift within the block; alternating it with BAAB also cancels an
    /// effect of the position in the block (say, the first run after a pause reading fast) over
    /// each pair of blocks, instead of letting it side with A.
    static func order(_ block: Int) -> [ABSide] {
        block % 2 == 1 ? [.base, .head, .head, .base] : [.head, .base, .base, .head]
    }

    struct Outcome {
        var series: [(point: String, figure: JudgedFigure, logRatios: [Double])]
        var interrupted: Bool
        var writeError: String?
    }

    /// A point whose runs fail twice is not run again (its blocks stay incomplete).
    static let failuresBeforeGivingUp = 2

    func run() -> Outcome {
        // values[point][figure][block] = (A values, B values)
        var values: [String: [String: [Int: (a: [Double], b: [Double])]]] = [:]
        var failures: [String: Int] = [:]
        var interrupted = false
        let progress = Progress(total: points.count * blocks * 4, secondsPerRun: points[0].warmup + points[0].duration + 1.5)
        var index = 0
        measuring: for block in 1...blocks {
            for point in points {
                for (position, side) in Self.order(block).enumerated() {
                    defer { index += 1 }
                    if (failures[point.id] ?? 0) >= Self.failuresBeforeGivingUp { continue }
                    let build = side == .base ? builds.base : builds.head
                    progress.starting(index, label: "block \(block)/\(blocks) \(point.id) \(side.rawValue) (\(position + 1)/4)")
                    var runSystem = system
                    runSystem.commit = build.label
                    // Each side runs twice per block: reps 2·block − 1 and 2·block of its CSV.
                    var runner = PointRunner(point: point, repetition: (block - 1) * 2 + (position < 2 ? 1 : 2), system: runSystem,
                                             binaries: build.executables)
                    switch runner.run() {
                    case let .measured(row, notes):
                        do { try CSVTable.append(row, to: side == .base ? csvPaths.base : csvPaths.head, columns: ResultsSchema.columns) } catch {
                            progress.finishLine()
                            return Outcome(series: [], interrupted: false, writeError: error.description)
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
            }
        }
        progress.finishLine()

        var series: [(point: String, figure: JudgedFigure, logRatios: [Double])] = []
        for point in points {
            for figure in figures {
                let byBlock = values[point.id]?[figure.name] ?? [:]
                let ratios = byBlock.keys.sorted().compactMap { block -> Double? in
                    let pair = byBlock[block]!
                    guard pair.a.count == 2, pair.b.count == 2 else { return nil }
                    return ABJudgement.blockLogRatio(a: pair.a, b: pair.b)
                }
                series.append((point.id, figure, ratios))
            }
        }
        return Outcome(series: series, interrupted: interrupted, writeError: nil)
    }
}
