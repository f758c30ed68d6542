// A small summary CSV built with the real schema, shared by the check and plot tests.
import Foundation
import MuxMetrics

enum SummaryFixture {
    static let backends = ["select", "poll", "epoll-lt", "epoll-et"]

    /// One ok point per backend × connection count (select skipped above 1000), figures shaped
    /// like real runs: select/poll slow down with idle connections, epoll-et reads twice.
    /// A protocol dimension instead of the write mode: the same figures, the protocol column varied.
    static func table(connections: [Int], protocols: [String]) -> CSVTable {
        var table = table(connections: connections, modes: protocols)
        table.rows = table.rows.map { var row = $0; row["protocol"] = row["mode"]; row["mode"] = "immediate"; return row }
        return table
    }

    static func table(connections: [Int] = [10, 100, 1000, 5000], modes: [String] = ["immediate"]) -> CSVTable {
        var table = CSVTable(header: ResultsSchema.summaryColumns)
        var point = 0
        for mode in modes {
            for count in connections {
                for backend in backends {
                    point += 1
                    var row: [String: String] = [
                        "sweep": "fixture", "point": String(point), "backend": backend, "protocol": "echo",
                        "mode": mode, "connections": String(count), "active": "10", "payload_bytes": "64",
                        "pipeline": "1", "warmup_s": "1", "duration_s": "2", "reps": "3", "status": "ok",
                    ]
                    if backend == "select", count > 1000 {
                        row["status"] = "skipped"; row["reason"] = "fd limit 1024"; row["reps"] = "0"
                        table.rows.append(row)
                        continue
                    }
                    let scan = backend.hasPrefix("epoll") ? 0.02 : (backend == "select" ? 1.0 : 0.8)
                    let cpu = 5 + scan * Double(count) / 100
                    let figures: [String: Double] = [
                        "requests": 100_000, "errors": 0, "throughput_rps": 1e6 / cpu,
                        "lat_p50_us": cpu * 20, "lat_p99_us": cpu * 90, "server_cpu_us_per_req": cpu,
                        "sc_per_req": 3.1, "events_per_wait": 8, "wait_per_req": backend == "select" ? 0.2 : 0.1,
                        "ctl_per_req": backend.hasPrefix("epoll") ? (mode == "on-writable" ? 2 : 0.001) : 0,
                        "read_per_req": backend == "epoll-et" ? 2 : 1, "write_per_req": 1,
                        "read_eagain_per_req": backend == "epoll-et" ? 1 : 0,
                    ]
                    // Profile shares only where a test sets them: a sweep without --profile has none.
                    for figure in ResultsSchema.summaryFigures where !figure.hasPrefix("prof_") {
                        let value = figures[figure] ?? 0.5
                        row["\(figure)_median"] = format(value)
                        row["\(figure)_min"] = format(value * 0.9)
                        row["\(figure)_max"] = format(value * 1.1)
                    }
                    table.rows.append(row)
                }
            }
        }
        return table
    }

    static func format(_ value: Double) -> String { String(format: "%.6g", value) }

    /// Sets `FIGURE_median` (and min/max around it) on the point matching backend and connections.
    static func set(_ figure: String, to value: Double, backend: String, connections: Int, in table: inout CSVTable) {
        for index in table.rows.indices where table.rows[index]["backend"] == backend
            && table.rows[index]["connections"] == String(connections) {
            table.rows[index]["\(figure)_median"] = format(value)
            table.rows[index]["\(figure)_min"] = format(value)
            table.rows[index]["\(figure)_max"] = format(value)
        }
    }

    /// A fresh temporary directory for one test.
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "muxbench-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
