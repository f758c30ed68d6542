// What a point measured with several load hosts leaves besides its one row: the row's load-side
// columns filled from all hosts (their CPUs, and saturation judged per machine), and per host a
// line of `RESULTS/NAME-hosts.csv` (its share and figures, then an `all` line with the merged
// figures and the server's own request counts) and its complete result line, histograms and
// all, in `RESULTS/NAME-hosts.jsonl`, so every merged figure can be recomputed from the hosts'.
import Foundation
import MuxMessages
import MuxMetrics

public enum LoadHostRecords {
    public static let columns = [
        "sweep", "point", "rep", "host", "launcher", "target", "connections", "active", "rate_target_rps",
        "requests", "total_requests", "sent", "errors", "unfinished", "throughput_rps", "window_s",
        "lat_count", "lat_p50_us", "lat_p99_us", "lat_max_us", "send_late_p99_us", "hiccup_p99_us",
        "load_user_s", "load_sys_s", "load_cpus", "boot_id", "server_requests", "server_requests_total", "started_at",
    ]

    /// `results/run.csv` → `results/run-hosts.csv`.
    public static func csvPath(besides resultsCSV: String) -> String {
        (resultsCSV.hasSuffix(".csv") ? String(resultsCSV.dropLast(4)) : resultsCSV) + "-hosts.csv"
    }

    /// A new sweep moves `NAME.csv` aside to `aside`: its per-host files go along, beside it.
    static func moveAside(besides resultsCSV: String, to aside: String) {
        let csv = csvPath(besides: resultsCSV), movedCSV = csvPath(besides: aside)
        for (from, to) in [(csv, movedCSV), (linesPath(forCSV: csv), linesPath(forCSV: movedCSV))]
            where FileManager.default.fileExists(atPath: from) {
            _ = rename(from, to)
        }
    }

    /// The raw result lines beside the per-host CSV.
    public static func linesPath(forCSV path: String) -> String {
        (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".jsonl"
    }
}

/// One host's complete result line, with the row it belongs to: a line of `NAME-hosts.jsonl`.
public struct LoadHostResultRecord: Codable, Equatable, Sendable {
    public var sweep: String
    public var point: String
    public var rep: Int
    public var host: Int
    public var launcher: String
    public var result: ResultMessage
}

extension LoadHostGroup {
    /// Completes `row` with what only the hosts know and writes the per-host records; returns a
    /// problem (the records could not be written) or nil. `serverWindowRequests` is the server's
    /// count over the window, `serverTotalRequests` its count once every host had reported.
    func finish(_ row: inout [String: String], serverWindowRequests: UInt64, serverTotalRequests: UInt64?) -> String? {
        let results = members.compactMap(\.result)
        guard results.count == members.count, let merged else { return "the load hosts' results are missing" }
        let lists = results.map { $0.cpus.map(formatCPUList) ?? "" }
        row["load_cpus"] = Set(lists).count == 1 ? lists[0] : lists.joined(separator: "+")
        let hosts = members.map { (number: $0.number, result: $0.result!, connections: $0.share.connections) }
        let share = Self.busiestLoadMachineShare(hosts, windowSeconds: Double(durationNanoseconds) / 1e9)
        row["saturated_by"] = Saturation.column(Saturation.limit(
            Saturation.input(of: row, offeredRPS: Double(row["rate_target_rps"] ?? ""), loadHostsShare: share)))
        row[OpenLoopCheck.lateness.column] = Self.latenessVerdict(of: results, row: row)?.rawValue ?? ""
        guard let path = setup.recordPath else { return nil }
        var lines: [[String: String]] = []
        for member in members {
            var line = figures(member.result!, row: row)
            line["host"] = "\(member.number)"
            line["launcher"] = member.host.launcher.isEmpty ? "local" : member.host.launcher.joined(separator: " ")
            line["target"] = member.host.target ?? setup.serverAddress
            lines.append(line)
        }
        var all = figures(merged.message, row: row)
        all["host"] = "all"
        all["target"] = setup.serverAddress
        all["load_cpus"] = row["load_cpus"]
        all["server_requests"] = "\(serverWindowRequests)"
        all["server_requests_total"] = serverTotalRequests.map { "\($0)" } ?? ""
        lines.append(all)
        do {
            for line in lines {
                let clean = line.mapValues { $0.replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: "\"", with: "'") }
                try CSVTable.append(clean, to: path, columns: LoadHostRecords.columns)
            }
            var text = ""
            for member in members {
                let record = LoadHostResultRecord(
                    sweep: row["sweep"] ?? "", point: row["point"] ?? "", rep: Int(row["rep"] ?? "") ?? 0,
                    host: member.number, launcher: member.host.description, result: member.result!)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                text += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
            }
            try appendText(text, to: LoadHostRecords.linesPath(forCSV: path))
        } catch {
            return "cannot write the per-host records to \(path): \(error)"
        }
        return nil
    }

    /// One line's figures from a result line.
    private func figures(_ result: ResultMessage, row: [String: String]) -> [String: String] {
        func number(_ value: Double?) -> String { value.map(formatCompactNumber) ?? "" }
        return [
            "sweep": row["sweep"] ?? "", "point": row["point"] ?? "", "rep": row["rep"] ?? "",
            "started_at": row["started_at"] ?? "",
            "connections": "\(result.connections)", "active": "\(result.active)", "rate_target_rps": number(result.rateTarget),
            "requests": "\(result.requests)", "total_requests": "\(result.totalRequests)", "sent": "\(result.sent)",
            "errors": "\(result.errors)", "unfinished": "\(result.unfinished)",
            "throughput_rps": number(result.throughput), "window_s": number(result.windowSeconds),
            "lat_count": result.latency.count.map { "\($0)" } ?? "",
            "lat_p50_us": number(result.latency.p50), "lat_p99_us": number(result.latency.p99),
            "lat_max_us": number(result.latency.max), "send_late_p99_us": number(result.sendLateness?.p99),
            "hiccup_p99_us": number(result.hiccup?.p99),
            "load_user_s": number(Double(result.cpuUserMicroseconds) / 1e6),
            "load_sys_s": number(Double(result.cpuSystemMicroseconds) / 1e6),
            "load_cpus": result.cpus.map(formatCPUList) ?? "", "boot_id": result.bootID ?? "",
        ]
    }

    /// The load side judged per machine: hosts on one kernel (its boot id) share its CPUs, so
    /// their CPU times (the part that was work: `workingShare`) add up against the CPUs they could
    /// use together; the busiest machine's share decides whether the client was the limit
    /// (Saturation.input).
    /// `hosts`: each host's number, result line and share of the connections.
    static func busiestLoadMachineShare(_ hosts: [(number: Int, result: ResultMessage, connections: Int)],
                                        windowSeconds: Double) -> Double {
        var machines: [String: (cpuSeconds: Double, threads: Int, cpus: Set<Int>)] = [:]
        for (number, result, connections) in hosts {
            let key = result.bootID ?? "host \(number)"
            var machine = machines[key] ?? (cpuSeconds: 0, threads: 0, cpus: [])
            machine.cpuSeconds += Double(result.cpuUserMicroseconds + result.cpuSystemMicroseconds) / 1e6 * workingShare(of: result)
            machine.threads += max(1, min(result.threads, connections))
            machine.cpus.formUnion(result.cpus ?? [])
            machines[key] = machine
        }
        let window = max(windowSeconds, 1e-9)
        return machines.values.map { machine in
            let capacity = machine.cpus.isEmpty ? machine.threads : min(machine.threads, machine.cpus.count)
            return machine.cpuSeconds / window / Double(max(capacity, 1))
        }.max() ?? 0
    }

    /// The part of a host's CPU time that was work. A spinning host's threads run whether they
    /// have work or not, so as for one spinning mux-load (Saturation.limit) its busy share says
    /// it: all of it once its median send is a whole mean gap between one thread's sends late.
    static func workingShare(of result: ResultMessage) -> Double {
        guard result.pacing == "spin", let busy = result.busyShare else { return 1 }
        if let lateP50 = result.sendLateness?.p50, let rate = result.rateTarget, rate > 0 {
            let threads = Double(max(1, min(result.threads, result.active)))
            if lateP50 >= threads / rate * 1e6 { return 1 }
        }
        return busy
    }

    /// The row's lateness check with several hosts: each host against the mean gap between its
    /// own threads' sends (its share of the rate over its threads), failed if any host's failed.
    /// The row alone cannot say it: its `threads` are one host's, its rate the whole point's.
    static func latenessVerdict(of results: [ResultMessage], row: [String: String]) -> OpenLoopCheck.Verdict? {
        var passed: [Bool] = []
        for result in results {
            func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
            let own = ["rate_target_rps": text(result.rateTarget), "threads": "\(result.threads)", "active": "\(result.active)",
                       "send_late_p50_us": text(result.sendLateness?.p50), "send_late_p99_us": text(result.sendLateness?.p99)]
            if let verdict = OpenLoopChecks.verdicts(of: own)[.lateness] { passed.append(verdict) }
        }
        return passed.isEmpty ? nil : OpenLoopCheck.Verdict(passed: !passed.contains(false))
    }
}
