// The load side of a point: one mux-load on this machine (a Subprocess), or one per load host (a
// LoadHostGroup). A group starts each host's mux-load through its launcher with that host's share
// of the point (and its own arrival seed) and `--wait-for-go --histograms`, waits until every one
// is armed, sends them all
// the go line at once (MuxMessages/StartHandshake.swift), and merges their results exactly. The
// window's edges are the collector's own clock: the go line's send time plus the start delay, so
// no clock is shared between hosts. A host that cannot start, exits, or hangs fails the point
// with its number and launcher; ending the group ends every host's process.
import MuxCore
import MuxMessages
import MuxMetrics
#if canImport(Glibc)
import Glibc
#endif

/// What PointRunner needs from its load generators, one or several.
protocol LoadSide: AnyObject {
    /// Every load process is still running.
    var isRunning: Bool { get }
    /// The local processes to pin (for a remote host, its launcher: ssh, kubectl).
    var pids: [Int32] { get }
    /// Why the load side failed, naming the host: the last thing a failing process said.
    func lastErrorLine() -> String
    /// Who ended the load side and how (signal or exit status, last stderr line), naming the host.
    func endReason() -> String
    /// The window's edges on this machine's monotonic clock, once traffic is about to start.
    func awaitConnected(until deadline: UInt64, shouldStop: () -> Bool) -> ConnectedMessage?
    /// The result over the window (merged, for several hosts).
    func awaitResult(until deadline: UInt64, shouldStop: () -> Bool) -> ResultMessage?
    /// Ends every load process (SIGTERM, SIGKILL after `grace` s) and reaps it.
    func end(grace: Double)
    /// Waits up to `timeout` s for every load process to exit by itself after its result (it
    /// writes its files first, then lingers); false if one is still running.
    func awaitExit(timeout: Double) -> Bool
}

extension Subprocess: LoadSide {
    var pids: [Int32] { [pid] }
    func awaitConnected(until deadline: UInt64, shouldStop: () -> Bool) -> ConnectedMessage? {
        readMessage(ConnectedMessage.self, until: deadline, shouldStop: shouldStop)
    }
    func awaitResult(until deadline: UInt64, shouldStop: () -> Bool) -> ResultMessage? {
        readMessage(ResultMessage.self, until: deadline, shouldStop: shouldStop)
    }
    func end(grace: Double) { stop(grace: grace) }
    func awaitExit(timeout: Double) -> Bool { waitForExit(timeout: timeout) }
}

final class LoadHostGroup: LoadSide {
    /// How long after the go line the hosts start: long enough for the line to reach them all.
    static let startDelayNanoseconds: UInt64 = 50_000_000

    struct Member {
        let number: Int
        let host: LoadHost
        let share: LoadShare
        let process: Subprocess
        var result: ResultMessage?

        /// `load host 2 (ip netns exec ns1 @198.18.0.1)`: how messages name it.
        var label: String { "load host \(number) (\(host))" }
    }

    let setup: LoadHostSetup
    private(set) var members: [Member] = []
    private let warmupNanoseconds: UInt64
    let durationNanoseconds: UInt64
    private let hgrmPath: String?
    private var failure: String?
    private(set) var merged: MergedLoadResult?

    /// Starts every host's mux-load with its share of `arguments` (PointRunner's mux-load
    /// arguments for the whole point). Throws, naming the host, when a share or a launch fails;
    /// hosts already started are ended.
    init(setup: LoadHostSetup, point: SweepPoint, arguments: [String], localBinary: String) throws(LoadHostError) {
        self.setup = setup
        warmupNanoseconds = UInt64(point.warmup * 1e9)
        durationNanoseconds = UInt64(point.duration * 1e9)
        var rate: Double?
        if case let .perSecond(rps) = point.rate { rate = rps }
        let shares: [LoadShare]
        switch LoadShare.split(connections: point.connections, active: point.active, rate: rate, hosts: setup.hosts.count) {
        case let .success(split): shares = split
        case let .failure(error): throw error
        }
        // The merged distribution is written here, not by each host on its own machine.
        var common = Self.removing("--hgrm", from: arguments)
        hgrmPath = Self.value(of: "--hgrm", in: arguments)
        let pointSeed = Self.value(of: "--seed", in: arguments).flatMap { UInt64($0) }
        for option in ["--connections", "--active", "--rate", "--host", "--seed"] { common = Self.removing(option, from: common) }
        common += ["--wait-for-go", "--histograms"]
        // Pacing the sweep or run asked for holds on every host; left open, each host judges its own CPUs.
        if rate != nil, let pacing = point.pacing { common += ["--pacing", pacing] }
        let binary = setup.binary ?? localBinary
        for (index, host) in setup.hosts.enumerated() {
            let share = shares[index]
            var own = ["--host", host.target ?? setup.serverAddress,
                       "--connections", "\(share.connections)", "--active", "\(share.active)"]
            if let rate = share.rate { own += ["--rate", "\(rate)"] }
            if let pointSeed { own += ["--seed", "\(Self.arrivalSeed(pointSeed, host: index + 1))"] }
            let command = host.launcher + [binary] + own + common
            let label = "load host \(index + 1) (\(host))"
            do {
                let process = try Subprocess(name: label, executable: command[0], arguments: Array(command.dropFirst()), input: true)
                members.append(Member(number: index + 1, host: host, share: share, process: process))
            } catch {
                end(grace: 1)
                throw LoadHostError("\(label) cannot start: \(error)")
            }
        }
    }

    var isRunning: Bool { members.allSatisfy { $0.process.isRunning } }
    var pids: [Int32] { members.map(\.process.pid) }

    func endReason() -> String {
        // A host already judged (hung, unreadable) is the reason; one that exited after its result is not.
        if let failure { return failure }
        if let dead = members.first(where: { !$0.process.isRunning }) {
            return "\(dead.label) ended early: \(dead.process.endReason())"
        }
        return lastErrorLine()
    }

    func lastErrorLine() -> String {
        if let failure { return failure }
        if let dead = members.first(where: { !$0.process.isRunning }) {
            return "\(dead.label) ended early: \(dead.process.lastErrorLine())"
        }
        return members.lazy.map { "\($0.label): \($0.process.lastErrorLine())" }.first { !$0.hasSuffix(": ") } ?? ""
    }

    func awaitConnected(until deadline: UInt64, shouldStop: () -> Bool) -> ConnectedMessage? {
        var connections = 0
        for member in members {
            let others = members.filter { $0.number != member.number }
            let armed = member.process.readMessage(ArmedMessage.self, until: deadline, shouldStop: {
                shouldStop() || others.contains { !$0.process.isRunning }
            })
            guard let armed else {
                if let dead = members.first(where: { !$0.process.isRunning }) {
                    failure = "\(dead.label) exited before connecting: \(dead.process.lastErrorLine())"
                } else if !shouldStop() {
                    failure = "\(member.label) did not connect in time: \(member.process.lastErrorLine())"
                }
                return nil
            }
            connections += armed.connections
        }
        // One go line to each, back to back; each host starts the delay after its line arrives.
        let sent = monotonicNanoseconds()
        let go = GoMessage(delayNs: Self.startDelayNanoseconds).jsonLine()
        for member in members where !member.process.send(line: go) {
            failure = "\(member.label) did not take the go line: \(member.process.lastErrorLine())"
            return nil
        }
        let start = sent + Self.startDelayNanoseconds
        return ConnectedMessage(connections: connections, startNs: start, warmupEndNs: start + warmupNanoseconds,
                                endNs: start + warmupNanoseconds + durationNanoseconds, pid: members[0].process.pid)
    }

    func awaitResult(until deadline: UInt64, shouldStop: () -> Bool) -> ResultMessage? {
        for index in members.indices {
            let member = members[index]
            guard let result = member.process.readMessage(ResultMessage.self, until: deadline, shouldStop: shouldStop) else {
                if !shouldStop() {
                    let state = member.process.isRunning ? "hung" : "exited"
                    failure = "\(member.label) gave no result (\(state)): \(member.process.lastErrorLine())"
                }
                return nil
            }
            members[index].result = result
        }
        do {
            let merged = try LoadResultMerge.merge(members.compactMap(\.result))
            self.merged = merged
            if let hgrmPath {
                do { try merged.latency.writePercentileDistribution(to: hgrmPath) } catch {
                    failure = "--hgrm \(hgrmPath): \(error)"
                    return nil
                }
            }
            return merged.message
        } catch {
            failure = "the load hosts' results cannot be merged: \(error)"
            return nil
        }
    }

    func awaitExit(timeout: Double) -> Bool {
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        return members.allSatisfy { member in
            let now = monotonicNanoseconds()
            return member.process.waitForExit(timeout: now < deadline ? Double(deadline - now) / 1e9 : 0)
        }
    }

    func end(grace: Double) {
        // SIGTERM to all first, so that the grace periods overlap instead of adding up.
        for member in members { member.process.signal(SIGTERM) }
        for member in members { member.process.stop(grace: grace) }
    }

    // MARK: Arguments

    /// `arguments` without `option` and its value.
    static func removing(_ option: String, from arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            if arguments[index] == option { index += 2; continue }
            result.append(arguments[index])
            index += 1
        }
        return result
    }

    /// Host `number`'s exponential schedule seed: the point's own for host 1 (the row's
    /// `arrival_seed`), one drawn from it for each other host. One seed on every host would
    /// send their requests at the same instants, bursts of one per host, not one Poisson process.
    static func arrivalSeed(_ pointSeed: UInt64, host number: Int) -> UInt64 {
        guard number > 1 else { return pointSeed }
        var generator = SplitMix64(seed: pointSeed &+ UInt64(number))
        return generator.next() >> 1  // mux-load's --seed is a non-negative Int
    }

    static func value(of option: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}

extension PointRunner {
    /// The point's load side: one local mux-load, or one per load host.
    func startLoad(arguments: [String]) throws(LoadHostError) -> any LoadSide {
        guard let loadHosts else {
            do { return try Subprocess(name: "mux-load", executable: binaries.load, arguments: arguments) } catch {
                throw LoadHostError("cannot start mux-load: \(error)")
            }
        }
        return try LoadHostGroup(setup: loadHosts, point: point, arguments: arguments, localBinary: binaries.load)
    }
}
