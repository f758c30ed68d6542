// The figures `compare` and `ab` judge, which way is worse for each, and how big a change must
// be before it counts (its noise threshold). CPU per request's 3% here is compare's (runs not
// interleaved): from 13 A/A runs of an earlier `ab` (20,000/s, 12 blocks), two of whose 90%
// intervals lay wholly below zero, reaching −2.4% and −1.8% at their near ends, so a threshold
// under that would let the mirror image of such a run raise a false alarm. `ab` judges CPU at 2%
// (ABCommand.figures). Confirm them on the target machine (Benchmarks/tools/ab-proof.sh prints
// what A/A gives).

public struct JudgedFigure: Equatable, Sendable {
    /// A summary figure name (`SweepSummary.figureValue`).
    public var name: String
    /// Short name for the tables.
    public var label: String
    public var higherIsBetter: Bool
    /// Relative change (0.03 = 3%) below which a change is noise, whatever its p-value.
    public var threshold: Double
    /// Whether a significant worsening beyond the threshold fails the command (exit 3).
    public var gated: Bool
    /// Whether the hypervisor's steal time moves it (time and speed do; counts of syscalls per
    /// request barely do): `ab` judges it only on blocks measured without steal.
    public var stealSensitive: Bool

    public init(_ name: String, label: String, higherIsBetter: Bool = false, threshold: Double, gated: Bool = false,
                stealSensitive: Bool = true) {
        self.name = name
        self.label = label
        self.higherIsBetter = higherIsBetter
        self.threshold = threshold
        self.gated = gated
        self.stealSensitive = stealSensitive
    }

    /// Server CPU and syscalls per request are the server's own, robust on a busy machine, and
    /// gated; throughput and latency are shown (on 2 CPUs they often measure the load generator).
    public static let defaults: [JudgedFigure] = [
        JudgedFigure("server_cpu_us_per_req", label: "cpu/req", threshold: 0.03, gated: true),
        JudgedFigure("sc_per_req", label: "syscalls/req", threshold: 0.05, gated: true, stealSensitive: false),
        JudgedFigure("throughput_rps", label: "throughput", higherIsBetter: true, threshold: 0.12),
        JudgedFigure("lat_p50_us", label: "p50", threshold: 0.10),
        JudgedFigure("lat_p99_us", label: "p99", threshold: 0.25),
    ]

    /// Whether a relative change (new/old − 1) is a worsening beyond the threshold.
    public func isWorse(_ change: Double) -> Bool {
        higherIsBetter ? change < -threshold : change > threshold
    }

    public func isWithinNoise(_ change: Double) -> Bool { abs(change) < threshold }
}

/// `--gate LIST` and `--threshold FIG=PCT,...` applied to `figures`; the error names what is wrong.
public func configureFigures(_ figures: [JudgedFigure], gate: String?, thresholds: String?) -> Result<[JudgedFigure], UsageProblem> {
    var result = figures
    func index(_ name: String) -> Int? { result.firstIndex { $0.name == name || $0.label == name } }
    let known = figures.map(\.name).joined(separator: ", ")
    if let gate {
        for i in result.indices { result[i].gated = false }
        for name in gate.split(separator: ",").map(String.init) where name != "none" {
            guard let i = index(name) else { return .failure(UsageProblem("--gate: unknown figure '\(name)' (known: \(known), or none)")) }
            result[i].gated = true
        }
    }
    if let thresholds {
        for item in thresholds.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let text = parts.count == 2 ? (parts[1].hasSuffix("%") ? String(parts[1].dropLast()) : parts[1]) : ""
            guard parts.count == 2, let percent = Double(text), percent >= 0, percent.isFinite else {
                return .failure(UsageProblem("--threshold: expected FIGURE=PERCENT such as cpu/req=3%, got '\(item)'"))
            }
            guard let i = index(parts[0]) else { return .failure(UsageProblem("--threshold: unknown figure '\(parts[0])' (known: \(known))")) }
            result[i].threshold = percent / 100
        }
    }
    return .success(result)
}

/// A bad command line found after parsing: the message for one stderr line, exit 2.
public struct UsageProblem: Error, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
