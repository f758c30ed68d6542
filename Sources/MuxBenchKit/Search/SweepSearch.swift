// A sweep's `search` on real runs: RateSearch decides the rates, PointRunner measures each
// probe, and every probe is appended to results/NAME.csv as it is measured. Probe rows carry the
// point's search id (rate replaced by `search`) in `point` and `KIND/VERDICT` in `probe`, so the
// summary turns the sustained confirmation into the point's max sustainable rate.
import MuxMetrics

/// The `probe` column of a probe row: `bracket/sustained`, `confirm/exceeded`, ...
public func probeColumn(_ kind: ProbeKind, _ verdict: ProbeVerdict) -> String {
    let word: String
    switch verdict {
    case .sustained: word = "sustained"
    case .exceeded: word = "exceeded"
    case .clientLimited: word = "client-limited"
    case .failed: word = "failed"
    }
    return "\(kind.rawValue)/\(word)"
}

/// The probe value of the row that answers a search.
let sustainedConfirmation = probeColumn(.confirm, .sustained)

/// Whether a probe row found the load generator the limit (`KIND/client-limited`).
func isClientLimitedProbe(_ row: [String: String]) -> Bool {
    ProbeKind.allCases.contains { row["probe"] == probeColumn($0, .clientLimited) }
}

/// Whether one measured row sustained the bound (the one definition of "sustained"): delivered
/// the offer (`Saturation.delivered`) without errors, the latency figure within the bound, and
/// the load generator not the limit.
public func probeVerdict(row: [String: String], search: SearchSpec) -> ProbeVerdict {
    func number(_ column: String) -> Double? { row[column].flatMap { Double($0) } }
    switch Saturation.limit(of: row) {
    case .client?, .both?: return .clientLimited
    case .server?, .neither?: return .exceeded  // fell short of the offer
    case nil: break
    }
    guard let offered = number("rate_target_rps"), let achieved = number("throughput_rps"),
          let latency = number(search.figure) else { return .exceeded }
    if (number("errors") ?? 0) > 0 || !Saturation.delivered(offered: offered, achieved: achieved) { return .exceeded }
    return latency <= search.boundMicroseconds ? .sustained : .exceeded
}

struct SweepSearch {
    let spec: SweepSpec
    let search: SearchSpec
    let system: SystemInfo
    let binaries: MeasuredBinaries
    let csvPath: String
    var verifySyscalls = false

    /// Short windows for bracketing and bisecting; the sweep's own for the confirmation.
    var probeWarmup: Double { min(spec.warmup, 0.5) }
    var probeDuration: Double { min(spec.duration, 1) }

    /// Searches `point`; every probe's row is appended to the CSV. `say` gets one line per probe.
    /// `recorded` are this search's probe rows already on disk (`--resume` after an interruption):
    /// while the search asks for the probes they record, in their order, their verdicts answer it
    /// and nothing is measured again. Returns the result, and whether Ctrl-C stopped it.
    func run(_ point: SweepPoint, recorded: [[String: String]] = [],
             say: (String) -> Void) throws -> (SearchResult, interrupted: Bool) {
        var interrupted = false
        var appendError: Error?
        var index = 0
        var replay = recorded[...]
        // New probes are numbered after every recorded one, so (point, rep) stays unique.
        let lastRecordedRep = recorded.compactMap { $0["rep"].flatMap { Int($0) } }.max() ?? 0
        let result = RateSearch(startRate: search.startRate).run { rate, kind in
            if interrupted || appendError != nil { return .failed("stopped") }
            if let row = replay.first, let verdict = Self.recordedVerdict(row, rate: rate, kind: kind) {
                replay.removeFirst()
                index += 1
                say("\(kind.rawValue) \(formatCompactNumber(rate)) req/s: \(row["probe"]?.split(separator: "/").last ?? "") (measured before)")
                return verdict
            }
            replay = []  // the search goes another way from here (the sweep file changed): measure
            index = max(index, lastRecordedRep)
            var probe = point
            probe.rate = .perSecond(rate)
            probe.warmup = kind == .confirm ? spec.warmup : probeWarmup
            probe.duration = kind == .confirm ? spec.duration : probeDuration
            index += 1
            var runner = PointRunner(point: probe, repetition: index, system: system, binaries: binaries)
            runner.verifySyscalls = verifySyscalls
            runner.loadHosts = spec.loadHosts?.recording(to: LoadHostRecords.csvPath(besides: csvPath))
            runner.serverHost = spec.serverHost
            switch runner.run() {
            case var .measured(row, _):
                let verdict = probeVerdict(row: row, search: search)
                row["point"] = point.searchID
                row["probe"] = probeColumn(kind, verdict)
                do { try CSVTable.append(row, to: csvPath, columns: ResultsSchema.columns) } catch {
                    appendError = error
                    return .failed("\(error)")
                }
                say("\(kind.rawValue) \(formatCompactNumber(rate)) req/s: \(probeColumn(kind, verdict).split(separator: "/").last ?? "") "
                    + "(\(search.label.split(separator: " ").first ?? "") \(row[search.figure] ?? "?") µs, delivered \(row["throughput_rps"] ?? "?") req/s"
                    + ((row["saturated_by"] ?? "").isEmpty ? ")" : ", saturated by \(row["saturated_by"]!))"))
                return verdict
            case let .failed(reason):
                say("\(kind.rawValue) \(formatCompactNumber(rate)) req/s: FAILED: \(reason)")
                return .failed(reason)
            case .interrupted:
                interrupted = true
                return .failed("interrupted")
            }
        }
        if let appendError { throw appendError }
        return (result, interrupted)
    }

    /// The verdict `row` recorded, when it is the probe asked for (same kind, same rate).
    static func recordedVerdict(_ row: [String: String], rate: Double, kind: ProbeKind) -> ProbeVerdict? {
        guard let recordedRate = row["rate_target_rps"].flatMap({ Double($0) }),
              abs(recordedRate - rate) <= rate * 1e-9 else { return nil }
        for verdict in [ProbeVerdict.sustained, .exceeded, .clientLimited] where row["probe"] == probeColumn(kind, verdict) {
            return verdict
        }
        return nil
    }

    /// The probe rows of search `searchID` on disk, in the order they were measured.
    static func recordedProbes(of searchID: String, in table: CSVTable?) -> [[String: String]] {
        (table?.rows ?? []).filter { $0["point"] == searchID && !($0["probe"] ?? "").isEmpty }
            .sorted { (Int($0["rep"] ?? "") ?? 0) < (Int($1["rep"] ?? "") ?? 0) }
    }

    /// Search ids whose answer is already on disk (a sustained confirmation): `--resume` skips them.
    static func finishedSearches(in table: CSVTable?) -> Set<String> {
        Set((table?.rows ?? []).filter { $0["probe"] == sustainedConfirmation }.compactMap { $0["point"] })
    }
}
