// Which tables each sweep's results have, with their parameters: the one place they are written,
// so a README block names only `SWEEP TABLE` (Sources/README.md, MuxBenchKit, by job: Report/).

/// What one table shows, and how it is made.
enum ReportTableKind: Sendable {
    case latency(connections: Int, rates: [Double])
    case knee
    case ladder(figure: String, boundMicroseconds: Double)
    case equalLoad(rate: Double)
    case noise
    case matrix(figure: String, column: String, digits: Int)
    case perRequest(protocolName: String?, load: PointTables.Load, connections: [Int]?)
    case steal(lowBelow: Double, highFrom: Double)
    case pacing(steadyBelow: Double)
    case abNoise

    /// The Markdown of this table from the sweep's files.
    func render(_ sources: ReportSources) throws(ReportError) -> String {
        switch self {
        case let .latency(connections, rates): return try PointTables.latency(sources, connections: connections, rates: rates)
        case .knee: return try SearchTables.knee(sources)
        case let .ladder(figure, bound): return try SearchTables.ladder(sources, figure: figure, boundMicroseconds: bound)
        case let .equalLoad(rate): return try MatrixTables.equalLoad(sources, rate: rate)
        case .noise: return try SpreadTables.noise(sources)
        case let .matrix(figure, column, digits): return try MatrixTables.matrix(sources, figure: figure, column: column, digits: digits)
        case let .perRequest(protocolName, load, connections):
            return try PointTables.perRequest(sources, protocolName: protocolName, load: load, connections: connections)
        case let .steal(low, high): return try SpreadTables.steal(sources, lowBelow: low, highFrom: high)
        case let .pacing(steadyBelow): return try SpreadTables.pacing(sources, steadyBelow: steadyBelow)
        case .abNoise: return try SpreadTables.abNoise(sources)
        }
    }
}

enum ReportCatalog {
    /// Steal below this share (%) counts as a quiet machine, from this share up as an episode.
    static let quietStealBelow = 3.0
    static let heavyStealFrom = 20.0

    /// SWEEP (the file stem under results/) → its tables, in the order `report SWEEP` prints them.
    static let sweeps: [(sweep: String, tables: [(name: String, kind: ReportTableKind)])] = [
        ("latency-load", [
            ("ladder", .ladder(figure: "lat_p50_us", boundMicroseconds: 1000)),
            ("knee", .knee),
            ("latency-10000", .latency(connections: 10_000, rates: [5000, 40_000, 80_000])),
            ("latency-1000", .latency(connections: 1000, rates: [5000, 20_000, 40_000, 80_000])),
        ]),
        // The same sweep measured with the load generator sleeping until each send was due (before
        // it busy-polled): kept for the before/after of how much latency was the client's.
        ("latency-load-2026-11-26", [
            ("ladder", .ladder(figure: "lat_p50_us", boundMicroseconds: 1000)),
            ("knee", .knee),
            ("latency-10000", .latency(connections: 10_000, rates: [5000, 40_000, 80_000])),
            ("latency-1000", .latency(connections: 1000, rates: [5000, 20_000, 40_000, 80_000])),
        ]),
        ("c10k-equal-load", [
            ("equal-10000", .equalLoad(rate: 10_000)),
            ("equal-30000", .equalLoad(rate: 30_000)),
        ]),
        ("c10k-equal-load-2026-11-26", [
            ("equal-10000", .equalLoad(rate: 10_000)),
            ("equal-30000", .equalLoad(rate: 30_000)),
        ]),
        ("noise", [("noise", .noise)]),
        ("c10k", [
            ("cpu-per-request", .matrix(figure: "server_cpu_us_per_req", column: "connections", digits: 2)),
            ("per-request", .perRequest(protocolName: "echo", load: .closed, connections: [1000, 10_000])),
        ]),
        ("active-ratio", [
            ("cpu-per-request", .matrix(figure: "server_cpu_us_per_req", column: "active", digits: 1)),
            ("steal", .steal(lowBelow: quietStealBelow, highFrom: heavyStealFrom)),
        ]),
        ("payload", [("cpu-per-request", .matrix(figure: "server_cpu_us_per_req", column: "payload_bytes", digits: 1))]),
        ("write-mode", [
            ("syscalls-per-request", .matrix(figure: "sc_per_req", column: "mode", digits: 2)),
            ("cpu-per-request", .matrix(figure: "server_cpu_us_per_req", column: "mode", digits: 2)),
            ("throughput", .matrix(figure: "throughput_rps", column: "mode", digits: 2)),
        ]),
        ("http", [
            ("per-request-http", .perRequest(protocolName: "http", load: .any, connections: nil)),
            ("per-request-http-close", .perRequest(protocolName: "http-close", load: .any, connections: nil)),
        ]),
        ("http-load", [("per-request", .perRequest(protocolName: "http", load: .any, connections: nil))]),
        ("redis", [
            ("per-request-closed", .perRequest(protocolName: "redis", load: .closed, connections: nil)),
            ("per-request-20000", .perRequest(protocolName: "redis", load: .rate(20_000), connections: nil)),
        ]),
        ("payload-steal-episode", [("steal", .steal(lowBelow: quietStealBelow, highFrom: heavyStealFrom))]),
        ("pacing-quantum-2026-11-26", [("pacing", .pacing(steadyBelow: quietStealBelow))]),
        ("ab-noise-2026-11-26", [("abnoise", .abNoise)]),
    ]

    /// The tables of `sweep`, or an error naming it (and what is known).
    static func tables(of sweep: String) throws(ReportError) -> [(name: String, kind: ReportTableKind)] {
        guard let entry = sweeps.first(where: { $0.sweep == sweep }) else {
            throw ReportError("unknown sweep '\(sweep)' (known: \(sweeps.map(\.sweep).joined(separator: ", ")))")
        }
        return entry.tables
    }

    /// One table's Markdown, `report SWEEP TABLE`.
    static func render(sweep: String, table: String, resultsDirectory: String) throws(ReportError) -> String {
        let tables = try tables(of: sweep)
        guard let kind = tables.first(where: { $0.name == table })?.kind else {
            throw ReportError("unknown table '\(table)' for sweep '\(sweep)' (known: \(tables.map(\.name).joined(separator: ", ")))")
        }
        return try kind.render(ReportSources(directory: resultsDirectory, sweep: sweep))
    }

    /// Every table of `sweep`, each under a `###` heading: `report SWEEP`.
    static func renderAll(sweep: String, resultsDirectory: String) throws(ReportError) -> String {
        let sources = ReportSources(directory: resultsDirectory, sweep: sweep)
        var parts: [String] = []
        for (name, kind) in try tables(of: sweep) { parts.append("### \(name)\n\n" + (try kind.render(sources))) }
        return parts.joined(separator: "\n\n")
    }
}
