// Benchmarks/NAME.sweep: `key = values` lines describing a matrix of benchmark points. The whole
// file is checked before anything runs, so a typo costs a one-line error, not half a sweep.
#if canImport(Glibc)
import Glibc
#endif
import MuxCLI
import MuxCore
import MuxMetrics

/// The values each matrix dimension takes for one backend; every list is non-empty.
public struct SweepDimensions: Equatable, Sendable {
    public var connections: [Int] = []
    public var active: [ActiveConnections] = [.all]
    public var payloadBytes: [Int] = [64]
    public var protocols: [String] = ["echo"]
    public var writeModes: [String] = ["immediate"]
    public var pipeline: [Int] = [1]
    public var rates: [RequestRate] = [.closedLoop]
    public var threads: [Int] = [1]
    public var maxEvents: [Int] = [SweepPoint.defaultMaxEvents]
    /// Open loop: nil (chosen per run) unless the sweep names `spin` or `sleep`.
    public var pacing: [String?] = [nil]
    public var arrivals: [String] = ["constant"]

    public init() {}
}

public struct SweepSpec: Equatable, Sendable {
    /// Derived from `Backend`: a new backend is accepted in sweep files without touching this file.
    public static var backendNames: [String] { Backend.names }
    /// `http-close`: HTTP/1.0 short connections (connect, request, close per request), the way
    /// the classic tutorials' servers are used.
    /// `redis`: inline `PING` → `+PONG` (mux-server answers it too, so redis-server stands beside it).
    public static let protocolNames = ["echo", "http", "http-close", "redis"]
    public static let writeModeNames = ["immediate", "on-writable"]
    public static let pacingNames = ["spin", "sleep"]
    public static let arrivalNames = ["constant", "exponential"]

    /// The file name without `.sweep`: names the results files and fills the CSV `sweep` column.
    public let name: String
    public let path: String
    public let backends: [String]
    /// Dimensions for every backend without an override line.
    public let dimensions: SweepDimensions
    /// Fully resolved dimensions of the backends named in `KEY.BACKEND = ...` lines.
    public let backendDimensions: [String: SweepDimensions]
    public let warmup: Double
    public let duration: Double
    public let repetitions: Int
    /// `search = p99 <= 1ms`: after the matrix, each point's highest sustainable rate is searched.
    public let search: SearchSpec?
    /// Servers MuxBench did not write, by name (`server.NAME = COMMAND` lines).
    public let servers: [String: ExternalServer]
    /// `load-hosts = ...`: every point's load split over these hosts (Hosts/LoadHostSetup.swift).
    public let loadHosts: LoadHostSetup?
    /// `server-host = LAUNCHER`: mux-server run there for every point (Hosts/ServerHost.swift).
    public let serverHost: ServerHost?
    /// `profile = yes`: the server's CPU profiled over every window (Profile/WindowProfile.swift).
    public var profile = false

    public func dimensions(for backend: String) -> SweepDimensions {
        backendDimensions[backend] ?? dimensions
    }

    /// Reads and parses the sweep file at `path`.
    public static func load(path: String) throws(SweepError) -> SweepSpec {
        let text: String
        do { text = try readTextFile(path) } catch {
            throw SweepError(file: path, message: "cannot read: \(String(cString: strerror(error.code)))")
        }
        return try parse(text, path: path)
    }

    /// Parses sweep text; `path` names the file in errors and gives the sweep its name.
    public static func parse(_ text: String, path: String) throws(SweepError) -> SweepSpec {
        try SweepFileParser(path: path).parse(text)
    }

    init(path: String, backends: [String], dimensions: SweepDimensions,
         backendDimensions: [String: SweepDimensions], warmup: Double, duration: Double, repetitions: Int,
         search: SearchSpec? = nil, servers: [String: ExternalServer] = [:], loadHosts: LoadHostSetup? = nil,
         serverHost: ServerHost? = nil) {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        self.name = fileName.hasSuffix(".sweep") ? String(fileName.dropLast(".sweep".count)) : fileName
        self.path = path
        self.backends = backends
        self.dimensions = dimensions
        self.backendDimensions = backendDimensions
        self.warmup = warmup
        self.duration = duration
        self.repetitions = repetitions
        self.search = search
        self.servers = servers
        self.loadHosts = loadHosts
        self.serverHost = serverHost
    }

    /// The points a search runs on: one per point of the matrix with its rate left out (the
    /// search chooses the rates), in matrix order.
    public func searchPoints() -> [SweepPoint] {
        guard search != nil else { return [] }
        var seen = Set<String>()
        return points().filter { seen.insert($0.searchID).inserted }
    }

    /// Every point of the matrix: backend outermost, then connections, active, payload, protocol,
    /// mode, pipeline, rate, threads, max-events. Repeats (`active = 1000 all` at 1000
    /// connections) are left out; more active connections than connections the parser refuses.
    public func points() -> [SweepPoint] {
        var result: [SweepPoint] = []
        var seenIDs = Set<String>()
        for backend in backends {
            let values = dimensions(for: backend)
            var points = [SweepPoint(sweep: name, backend: backend, connections: 0, active: 0,
                                     warmup: warmup, duration: duration)]
            points[0].server = servers[backend]
            points = expand(points, values.connections) { $0.connections = $1 }
            points = expand(points, values.active) { $0.active = $1.resolved(connections: $0.connections) }
            points = expand(points, values.payloadBytes) { $0.payloadBytes = $1 }
            points = expand(points, values.protocols) { $0.protocolName = $1 }
            points = expand(points, values.writeModes) { $0.writeMode = $1 }
            points = expand(points, values.pipeline) { $0.pipeline = $1 }
            points = expand(points, values.rates) { $0.rate = $1 }
            points = expand(points, values.threads) { $0.threads = $1 }
            points = expand(points, values.maxEvents) { $0.maxEvents = $1 }
            points = expand(points, values.arrivals) { $0.arrivals = $1 }
            points = expand(points, values.pacing) { $0.pacing = $1 }
            for point in points where point.active <= point.connections && seenIDs.insert(point.id).inserted {
                result.append(point)
            }
        }
        return result
    }

    /// The values of `ResultsSchema.pointParameters` for `point`.
    public func rowParameters(for point: SweepPoint) -> [String: String] { point.rowParameters }

    /// Rough wall time of the whole sweep: every run's warm-up and window plus `overheadPerRun`
    /// (starting processes, connecting), and about 2 minutes per rate search. Used to keep
    /// quick/ci sweeps short.
    public func estimatedSeconds(overheadPerRun: Double = 1) -> Double {
        Double(points().count * repetitions) * (warmup + duration + overheadPerRun) + Double(searchPoints().count) * 120
    }
}

/// Each existing point combined with each value, the existing order outermost.
private func expand<Value>(_ points: [SweepPoint], _ values: [Value],
                           _ assign: (inout SweepPoint, Value) -> Void) -> [SweepPoint] {
    points.flatMap { point in
        values.map { value in
            var next = point
            assign(&next, value)
            return next
        }
    }
}
