// One repetition of one point: start mux-server, wait for its ready line, start mux-load, take
// the server's counters and both processes' CPU at the window's start and end, and turn it all
// into one CSV row. Both children are ended in every outcome.
import Foundation
import CMuxShim
import MuxCLI
import MuxCore
import MuxMessages
import MuxMetrics
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

public enum RunOutcome {
    case measured(row: [String: String], notes: [String])
    case failed(reason: String)
    case interrupted
}

/// Connections a backend with a descriptor limit (select's FD_SETSIZE) can hold: the server
/// needs a few descriptors for itself. Nil when the backend has no limit.
public func maximumConnections(for backend: Backend) -> Int? {
    backend.traits.descriptorLimit.map { $0 - 16 }
}

/// select's ceiling, from its traits.
public let selectMaximumConnections = maximumConnections(for: .select)!

/// Why a point cannot run at all (recorded as skipped), or nil. Derived from the backend's
/// traits: its descriptor limit, and whether it can run on this machine at all (io_uring).
public func skipReason(for point: SweepPoint) -> String? {
    // A server MuxBench did not write runs whatever its name; it fails with its reason if it cannot.
    if point.server != nil { return nil }
    guard let backend = Backend(rawValue: point.backend) else { return "unknown backend \(point.backend)" }
    if let reason = backend.unavailableReason { return reason }
    guard let maximum = maximumConnections(for: backend) else { return nil }
    let limit = "\(backend.traits.descriptorLimitName ?? "descriptor limit") \(backend.traits.descriptorLimit!)"
    if point.connections > maximum {
        return "\(backend.rawValue) cannot watch more than \(maximum) connections (\(limit))"
    }
    // Under churn each active client can hold a new connection while the server has not yet
    // reaped its old one, so the server briefly holds up to connections + active descriptors.
    if point.protocolName == "http-close", point.connections + point.active > maximum {
        return "\(backend.rawValue) with short connections needs connections + active ≤ \(maximum) "
            + "(churn briefly holds a closing and a new descriptor per active client; \(limit))"
    }
    return nil
}

public struct PointRunner {
    public var point: SweepPoint
    public var repetition: Int
    public var system: SystemInfo
    public var binaries: MeasuredBinaries
    public var verifySyscalls = false
    public var hgrmPath: String?
    /// Several load hosts instead of one local mux-load (LoadHostGroup.swift).
    public var loadHosts: LoadHostSetup?
    /// mux-server elsewhere, through a launcher, instead of this machine's child (ServerHost.swift).
    public var serverHost: ServerHost?
    /// The sweep's loopback round trip with nothing else going on (LoopbackFloor), µs: written
    /// into each open-loop row.
    public var floorMicroseconds: Double?
    /// With a directory: the server's CPU profiled over the window, its folded stacks written
    /// there and its categories into the row (Profile/WindowProfile.swift).
    public var profileDirectory: String?

    public init(point: SweepPoint, repetition: Int, system: SystemInfo, binaries: MeasuredBinaries) {
        self.point = point
        self.repetition = repetition
        self.system = system
        self.binaries = binaries
    }

    /// Pins `pid` as planned and says where it may run now; a refusal becomes a note, and the
    /// row records the CPUs the kernel reports for it, never the plan.
    static func pin(_ name: String, _ pid: Int32, to cpus: [Int]?, notes: inout [String]) -> String {
        if let cpus {
            do { return formatCPUList(try CPUPlan.pin(pid, to: cpus)) } catch {
                notes.append("pinning \(name) to CPU \(formatCPUList(cpus)) failed: \(error); it ran unpinned")
            }
        }
        return (try? CPUPlan.affinity(of: pid)).map(formatCPUList) ?? ""
    }

    public func run() -> RunOutcome {
        let started = timestampNow()
        var notes: [String] = []
        let plan = CPUPlan.current()
        let server: any ServerSide
        switch startServer(plan: plan) {
        case let .done(side): server = side
        case let .failed(reason): return .failed(reason: reason)
        case .interrupted: return .interrupted
        }
        defer { server.end() }
        let ready: ReadyServer
        switch server.awaitReady(self, plan: plan, notes: &notes) {
        case let .done(listening): ready = listening
        case let .failed(reason): return .failed(reason: reason)
        case .interrupted: return .interrupted
        }

        let load: any LoadSide
        do { load = try startLoad(arguments: loadArguments(port: ready.port, server: server, plan: plan, notes: &notes)) } catch {
            return .failed(reason: "\(error)")
        }
        defer { load.end(grace: 2) }
        var loadCPUs = ""
        // The plan keeps the load off the server's CPU; with the server elsewhere it takes them all.
        let loadPlan = server.runsElsewhere ? nil : plan?.load
        for pid in load.pids { loadCPUs = Self.pin("mux-load", pid, to: loadPlan, notes: &notes) }

        // Connecting 10,000 sockets takes a while; allow for it, but not forever.
        let connectBudget = UInt64(30 + point.connections / 500) * 1_000_000_000
        let process = server.process
        guard let connected = load.awaitConnected(until: monotonicNanoseconds() + connectBudget,
                                                  shouldStop: { Interruption.requested || !process.isRunning }) else {
            if Interruption.requested { return .interrupted }
            if !process.isRunning { return .failed(reason: "\(process.name) died while the load connected: \(process.endReason())") }
            load.end(grace: 1)
            return .failed(reason: "mux-load did not start traffic: \(load.lastErrorLine())")
        }
        return server.measure(self, load: load, connected: connected, started: started,
                              serverCPUs: ready.cpus, loadCPUs: loadCPUs, notes: notes)
    }

    /// mux-load's command line for this point against `server` listening on `port`.
    private func loadArguments(port: Int, server: any ServerSide, plan: CPUPlan?, notes: inout [String]) -> [String] {
        var loadArguments = ["--port", "\(port)", "--connections", "\(point.connections)", "--active", "\(point.active)",
                             "--payload", "\(point.payloadBytes)", "--protocol", wireProtocol,
                             "--warmup", "\(point.warmup)s", "--duration", "\(point.duration)s",
                             "--pipeline", "\(point.pipeline)", "--threads", "\(point.threads)",
                             // Connections stay open a moment past the window, so the end snapshot
                             // sees traffic, not teardown.
                             "--linger", "\(Int(Self.lingerSeconds * 1000))ms"]
        if case let .perSecond(rate) = point.rate {
            loadArguments += ["--rate", "\(rate)", "--arrivals", point.arrivals]
            if point.arrivals == "exponential" { loadArguments += ["--seed", "\(arrivalSeed)"] }
            // Load hosts judge their own CPUs (mux-load's default); a local one is told.
            if loadHosts == nil {
                let cpus = server.runsElsewhere ? (try? CPUPlan.affinity(of: 0)) : plan?.load
                let (pacing, note) = OpenLoopPacing.choose(point: point, loadCPUs: cpus, serverElsewhere: server.runsElsewhere)
                loadArguments += ["--pacing", pacing]
                if let note { notes.append(note) }
            }
        }
        if point.protocolName == "http-close" { loadArguments.append("--short-connections") }
        if let hgrmPath { loadArguments += ["--hgrm", hgrmPath] }
        // A local mux-load aims where a remote server listens (load hosts aim at their own targets).
        if let target = server.loadTarget { loadArguments += ["--host", target] }
        return loadArguments
    }

    /// How long mux-load keeps its connections open after the window.
    static let lingerSeconds = 0.5

    /// Sleeps until `deadline` (monotonic ns), noticing within 100 ms a child that dies or an interruption.
    func watch(_ server: Subprocess, _ load: any LoadSide, until deadline: UInt64) -> RunOutcome? {
        while true {
            if Interruption.requested { return .interrupted }
            if !server.isRunning { return .failed(reason: "\(server.name) died during the run: \(server.endReason())") }
            if !load.isRunning { return .failed(reason: "mux-load ended early: \(load.endReason())") }
            let now = monotonicNanoseconds()
            if now >= deadline { return nil }
            let step = min(deadline - now, 100_000_000)
            var ts = timespec(tv_sec: Int(step / 1_000_000_000), tv_nsec: Int(step % 1_000_000_000))
            nanosleep(&ts, nil)
        }
    }

    /// The exponential schedule's seed: the same for a point and repetition in every sweep, so a
    /// run can be repeated, and different between repetitions (FNV-1a of the id).
    var arrivalSeed: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(point.id)#\(repetition)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash >> 1  // mux-load's --seed is a non-negative Int
    }

    /// CPU times come from the processes themselves (getrusage, µs); context switches from /proc
    /// (nil, empty columns, for a server host).
    func makeRow(result: ResultMessage, window: SyscallCounters, serverStart: CountersMessage,
                         serverEnd: CountersMessage, switches: ProcessStats?, started: String) -> [String: String] {
        let requests = Double(result.requests)
        let serverUser = Double(serverEnd.cpuUserMicroseconds &- serverStart.cpuUserMicroseconds) / 1e6
        let serverSystem = Double(serverEnd.cpuSystemMicroseconds &- serverStart.cpuSystemMicroseconds) / 1e6
        var row = loadColumns(result: result, started: started)
        row["server_user_s"] = formatCompactNumber(serverUser)
        row["server_sys_s"] = formatCompactNumber(serverSystem)
        row["server_cpu_us_per_req"] = requests > 0 ? formatCompactNumber((serverUser + serverSystem) * 1e6 / requests) : ""
        row["ctx_vol"] = switches.map { "\($0.voluntarySwitches)" } ?? ""
        row["ctx_invol"] = switches.map { "\($0.involuntarySwitches)" } ?? ""
        // Every kind from its one list (MuxCore/SyscallKind.swift), so a new kind cannot be left out.
        for kind in SyscallKind.allCases { row[kind.column] = "\(window[kind])" }
        row["read_eagain"] = "\(window.readEAGAIN)"
        row["sc_per_req"] = requests > 0 ? formatCompactNumber(Double(window.total) / requests) : ""
        row["events_per_wait"] = window.wait > 0 ? formatCompactNumber(Double(window.events) / Double(window.wait)) : ""
        // io_uring: SQEs and CQEs per request and CQEs per io_uring_enter (every wait is one).
        let ring = Backend(rawValue: point.backend)?.traits.usesIOUring == true
        row["sqe_per_req"] = ring && requests > 0 ? formatCompactNumber(Double(window.sqes) / requests) : ""
        row["cqe_per_req"] = ring && requests > 0 ? formatCompactNumber(Double(window.cqes) / requests) : ""
        row["cqes_per_enter"] = ring && window.wait > 0 ? formatCompactNumber(Double(window.cqes) / Double(window.wait)) : ""
        return row
    }

    /// The columns that do not depend on which server ran: the point, the load generator's
    /// figures (latency, its CPU) and the machine.
    func loadColumns(result: ResultMessage, started: String) -> [String: String] {
        // No reply in the window, no latency: empty (not applicable), never a 0 that reads as fast.
        func lat(_ value: Double?) -> String { value.map(formatCompactNumber) ?? "" }
        let requests = Double(result.requests)
        var row = point.rowParameters
        row["rep"] = "\(repetition)"
        row["requests"] = formatCompactNumber(requests)
        row["errors"] = formatCompactNumber(Double(result.errors))
        row["throughput_rps"] = formatCompactNumber(result.throughput)
        row["lat_mean_us"] = lat(result.latency.mean)
        row["lat_p50_us"] = lat(result.latency.p50)
        row["lat_p90_us"] = lat(result.latency.p90)
        row["lat_p99_us"] = lat(result.latency.p99)
        row["lat_p999_us"] = lat(result.latency.p999)
        row["lat_max_us"] = lat(result.latency.max)
        // Open loop only: the other latency view and whose tail it might be (empty when absent).
        for (column, distribution) in [("lat_sent", result.latencySent), ("send_late", result.sendLateness),
                                       ("hiccup", result.hiccup)] {
            row["\(column)_p50_us"] = distribution?.p50.map(formatCompactNumber) ?? ""
            row["\(column)_p99_us"] = distribution?.p99.map(formatCompactNumber) ?? ""
            row["\(column)_max_us"] = distribution?.max.map(formatCompactNumber) ?? ""
        }
        row["pacing"] = result.pacing ?? ""
        row["arrivals"] = result.arrivals ?? ""
        row["arrival_seed"] = result.seed.map { "\($0)" } ?? ""
        row["load_busy_share"] = result.busyShare.map(formatCompactNumber) ?? ""
        row["gap_ks_d"] = result.gapKS.map(formatCompactNumber) ?? ""
        row["gap_ks_critical"] = result.gapKSCritical.map(formatCompactNumber) ?? ""
        if result.rateTarget != nil { row["floor_rtt_us"] = floorMicroseconds.map(formatCompactNumber) ?? "" }
        row["load_user_s"] = formatCompactNumber(Double(result.cpuUserMicroseconds) / 1e6)
        row["load_sys_s"] = formatCompactNumber(Double(result.cpuSystemMicroseconds) / 1e6)
        row["kernel"] = system.kernel
        row["cpu_model"] = system.cpuModel
        row["commit"] = system.commit
        row["started_at"] = started
        return row
    }
}
