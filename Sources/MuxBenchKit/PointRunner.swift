// One repetition of one point: start mux-server, wait for its ready line, start mux-load, take
// the server's counters and both processes' CPU at the window's start and end, and turn it all
// into one CSV row. Both children are ended in every outcome.
import Foundation
import CMuxShim
import MuxCLI
import MuxCore
import MuxMetrics
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
    public var verifySyscalls = false
    public var hgrmPath: String?
    
    public init(point: SweepPoint, repetition: Int, system: SystemInfo) {
        self.point = point
        self.repetition = repetition
        self.system = system
    }

    /// Which CPUs the server and the load generator get: server on 0, load on the rest.
    public static func cpuPlan() -> (server: Int, load: ClosedRange<Int>)? {
        let cpus = Int(mux_allowed_cpu_count())
        return cpus >= 2 ? (0, 1...(cpus - 1)) : nil
    }

    public func run() -> RunOutcome {
        let started = timestampNow()
        let wireProtocol = point.protocolName == "echo" ? "echo" : "http"
        var serverArguments = ["--backend", point.backend, "--protocol", wireProtocol, "--port", "0",
                               "--write-mode", point.writeMode, "--max-events", "\(point.maxEvents)"]
        if let maximum = Backend(rawValue: point.backend).flatMap(maximumConnections(for:)) {
            serverArguments += ["--max-connections", "\(maximum)"]
        }
        let server: Subprocess
        do {
            server = try Subprocess(name: "mux-server", executable: siblingExecutable("mux-server"), arguments: serverArguments)
        } catch {
            return .failed(reason: "cannot start mux-server: \(error)")
        }
        defer { server.stop() }
        guard let ready = server.readJSON(type: "ready", until: monotonicNanoseconds() + 10_000_000_000,
                                          shouldStop: { Interruption.requested }),
              let port = ready["port"] as? Int else {
            if Interruption.requested { return .interrupted }
            return .failed(reason: "mux-server did not become ready: \(server.lastErrorLine())")
        }
        // perf takes a while to attach its counters: before any traffic, not inside the window.
        var verifier: SyscallVerifier?
        var notes: [String] = []
        if verifySyscalls {
            let (attached, reason) = SyscallVerifier.attach(to: server.pid)
            verifier = attached
            if let reason { notes.append("syscall verification skipped: \(reason)") }
        }
        let plan = Self.cpuPlan()
        if let plan { _ = mux_pin_cpus(server.pid, Int32(plan.server), Int32(plan.server)) }

        var loadArguments = ["--port", "\(port)", "--connections", "\(point.connections)", "--active", "\(point.active)",
                             "--payload", "\(point.payloadBytes)", "--protocol", wireProtocol,
                             "--warmup", "\(point.warmup)s", "--duration", "\(point.duration)s",
                             "--pipeline", "\(point.pipeline)", "--threads", "\(point.threads)",
                             // Connections stay open a moment past the window, so the end snapshot
                             // sees traffic, not teardown.
                             "--linger", "500ms"]
        if case let .perSecond(rate) = point.rate { loadArguments += ["--rate", "\(rate)"] }
        if point.protocolName == "http-close" { loadArguments.append("--short-connections") }
        if let hgrmPath { loadArguments += ["--hgrm", hgrmPath] }
        let load: Subprocess
        do {
            load = try Subprocess(name: "mux-load", executable: siblingExecutable("mux-load"), arguments: loadArguments)
        } catch {
            return .failed(reason: "cannot start mux-load: \(error)")
        }
        defer { load.stop(grace: 2) }
        if let plan { _ = mux_pin_cpus(load.pid, Int32(plan.load.lowerBound), Int32(plan.load.upperBound)) }

        // Connecting 10,000 sockets takes a while; allow for it, but not forever.
        let connectBudget = UInt64(30 + point.connections / 500) * 1_000_000_000
        guard let connected = load.readJSON(type: "connected", until: monotonicNanoseconds() + connectBudget,
                                            shouldStop: { Interruption.requested || !server.isRunning }),
              let warmupEnd = (connected["warmup_end_ns"] as? NSNumber)?.uint64Value,
              let end = (connected["end_ns"] as? NSNumber)?.uint64Value else {
            if Interruption.requested { return .interrupted }
            if !server.isRunning { return .failed(reason: "mux-server died while the load connected: \(server.lastErrorLine())") }
            load.stop(grace: 1)
            return .failed(reason: "mux-load did not start traffic: \(load.lastErrorLine())")
        }

        // Warm-up: wait, watching both children.
        if let failure = watch(server, load, until: warmupEnd) { return failure }
        guard let startCounters = snapshot(server),
              let serverStart = ProcessStats.read(pid: server.pid),
              let loadStart = ProcessStats.read(pid: load.pid) else {
            return .failed(reason: "mux-server stopped answering at the window's start: \(server.lastErrorLine())")
        }
        // perf is switched on and off a moment after the window's edges (a FIFO round trip, long
        // on a busy machine), so a second snapshot on each side brackets what perf saw:
        // [afterEnable, end] ⊆ perf's span ⊆ [start, afterDisable].
        var afterEnable: [String: Any]?
        if let verifier {
            if !verifier.enable() { notes.append("syscall verification: perf did not acknowledge enable") }
            afterEnable = snapshot(server)
        }

        if let failure = watch(server, load, until: end) { return failure }
        guard let endCounters = snapshot(server),
              let serverEnd = ProcessStats.read(pid: server.pid) else {
            return .failed(reason: "mux-server died during the window: \(server.lastErrorLine())")
        }
        var afterDisable: [String: Any]?
        if let verifier {
            _ = verifier.disable()
            afterDisable = snapshot(server)
        }
        let loadEnd = ProcessStats.read(pid: load.pid) ?? loadStart

        // The load generator finishes on its own right after `end`.
        let margin: UInt64 = 10_000_000_000
        guard let result = load.readJSON(type: "result", until: end + margin, shouldStop: { Interruption.requested }) else {
            if Interruption.requested { return .interrupted }
            return .failed(reason: "mux-load gave no result within 10 s of the window's end: \(load.lastErrorLine())")
        }

        let window = SyscallCounters(json: endCounters).subtracting(SyscallCounters(json: startCounters))
        if let verifier, let kernel = verifier.finish() {
            let ours = window.total
            // What the server counted over perf's span lies between these two.
            let low = afterEnable.map { SyscallCounters(json: endCounters).subtracting(SyscallCounters(json: $0)).total } ?? ours
            let high = afterDisable.map { SyscallCounters(json: $0).subtracting(SyscallCounters(json: startCounters)).total } ?? ours
            let measured = Double(kernel.total)
            let nearest = min(max(measured, Double(low)), Double(high))
            let difference = nearest == 0 ? 0 : abs(measured - nearest) / nearest * 100
            let verdict = difference <= 1 ? "agree" : "DISAGREE"
            notes.append("syscalls over the window: server counted \(ours) (\(low)-\(high) over perf's span), "
                         + "kernel (perf) counted \(kernel.total): \(verdict) within \(formatCompactNumber(difference))%")
        }
        let row = makeRow(result: result, window: window, server: serverEnd.subtracting(serverStart),
                          load: loadEnd.subtracting(loadStart), started: started)
        return .measured(row: row, notes: notes)
    }

    /// Sleeps until `deadline` (monotonic ns), noticing within 100 ms a child that dies or an interruption.
    private func watch(_ server: Subprocess, _ load: Subprocess, until deadline: UInt64) -> RunOutcome? {
        while true {
            if Interruption.requested { return .interrupted }
            if !server.isRunning { return .failed(reason: "mux-server died during the run: \(server.lastErrorLine())") }
            if !load.isRunning { return .failed(reason: "mux-load ended early: \(load.lastErrorLine())") }
            let now = monotonicNanoseconds()
            if now >= deadline { return nil }
            let step = min(deadline - now, 100_000_000)
            var ts = timespec(tv_sec: Int(step / 1_000_000_000), tv_nsec: Int(step % 1_000_000_000))
            nanosleep(&ts, nil)
        }
    }

    private func snapshot(_ server: Subprocess) -> [String: Any]? {
        server.signal(SIGUSR1)
        return server.readJSON(type: "counters", until: monotonicNanoseconds() + 2_000_000_000)
    }

    private func makeRow(result: [String: Any], window: SyscallCounters, server: ProcessStats, load: ProcessStats,
                         started: String) -> [String: String] {
        func number(_ key: String) -> Double { (result[key] as? NSNumber)?.doubleValue ?? 0 }
        let latency = result["latency_us"] as? [String: Any] ?? [:]
        func lat(_ key: String) -> String { formatCompactNumber((latency[key] as? NSNumber)?.doubleValue ?? 0) }
        let requests = number("requests")
        var row = point.rowParameters
        row["rep"] = "\(repetition)"
        row["requests"] = formatCompactNumber(requests)
        row["errors"] = formatCompactNumber(number("errors"))
        row["throughput_rps"] = formatCompactNumber(number("throughput_rps"))
        row["lat_mean_us"] = lat("mean")
        row["lat_p50_us"] = lat("p50")
        row["lat_p90_us"] = lat("p90")
        row["lat_p99_us"] = lat("p99")
        row["lat_p999_us"] = lat("p999")
        row["lat_max_us"] = lat("max")
        row["server_user_s"] = formatCompactNumber(server.userSeconds)
        row["server_sys_s"] = formatCompactNumber(server.systemSeconds)
        row["server_cpu_us_per_req"] = requests > 0
            ? formatCompactNumber((server.userSeconds + server.systemSeconds) * 1e6 / requests) : ""
        row["ctx_vol"] = "\(server.voluntarySwitches)"
        row["ctx_invol"] = "\(server.involuntarySwitches)"
        row["load_user_s"] = formatCompactNumber(load.userSeconds)
        row["load_sys_s"] = formatCompactNumber(load.systemSeconds)
        row["sc_wait"] = "\(window.wait)"
        row["sc_ctl"] = "\(window.ctl)"
        row["sc_accept"] = "\(window.accept)"
        row["sc_read"] = "\(window.read)"
        row["sc_write"] = "\(window.write)"
        row["sc_close"] = "\(window.close)"
        row["sc_other"] = "\(window.other)"
        row["read_eagain"] = "\(window.readEAGAIN)"
        row["sc_per_req"] = requests > 0 ? formatCompactNumber(Double(window.total) / requests) : ""
        row["events_per_wait"] = window.wait > 0 ? formatCompactNumber(Double(window.events) / Double(window.wait)) : ""
        // io_uring: SQEs and CQEs per request and CQEs per io_uring_enter (every wait is one).
        let ring = Backend(rawValue: point.backend)?.traits.usesIOUring == true
        row["sqe_per_req"] = ring && requests > 0 ? formatCompactNumber(Double(window.sqes) / requests) : ""
        row["cqe_per_req"] = ring && requests > 0 ? formatCompactNumber(Double(window.cqes) / requests) : ""
        row["cqes_per_enter"] = ring && window.wait > 0 ? formatCompactNumber(Double(window.cqes) / Double(window.wait)) : ""
        row["kernel"] = system.kernel
        row["cpu_model"] = system.cpuModel
        row["commit"] = system.commit
        row["started_at"] = started
        return row
    }
}

extension SyscallCounters {
    /// The server's counters JSON line as numbers.
    init(json line: [String: Any]) {
        self.init()
        func value(_ key: String) -> UInt64 { (line[key] as? NSNumber)?.uint64Value ?? 0 }
        wait = value("wait"); ctl = value("ctl"); accept = value("accept"); read = value("read")
        write = value("write"); close = value("close"); other = value("other")
        readEAGAIN = value("read_eagain"); readEOF = value("read_eof"); writeEAGAIN = value("write_eagain")
        acceptEAGAIN = value("accept_eagain"); events = value("events")
        sqes = value("sqes"); cqes = value("cqes")
    }
}
