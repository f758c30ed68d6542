// Running the real mux-load executable and reading its JSON lines, shared by the test files.
import Foundation
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The suites that run real processes and measure time run one test at a time, and never beside
/// another target's process-heavy tests (`.machineExclusive`): on a 2-core machine, closed-loop
/// runs in parallel would starve the open-loop ones of CPU and make their rate and latency
/// assertions measure the scheduler instead of the load generator.
@Suite(.serialized, .machineExclusive) enum LoadProcessSuites {}

/// One finished mux-load run: exit status, output, and the fields of its "result" line.
struct LoadRun {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String
    let connected: [String: Any]?
    let result: [String: Any]?

    init(arguments: [String], status: Int32, stdout: String, stderr: String) {
        self.arguments = arguments
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        var connected: [String: Any]?
        var result: [String: Any]?
        for line in stdout.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            switch object["type"] as? String {
            case "connected": connected = object
            case "result": result = object
            default: break
            }
        }
        self.connected = connected
        self.result = result
    }

    /// A top-level number of the result line (0 when absent, which the assertions then catch).
    func number(_ key: String) -> Double { numeric(result?[key]) ?? 0 }
    var requests: Int { Int(number("requests")) }
    var totalRequests: Int { Int(number("total_requests")) }
    var errors: Int { Int(number("errors")) }
    var throughput: Double { number("throughput_rps") }
    func errors(_ kind: String) -> Int { Int(numeric((result?["errors_by_kind"] as? [String: Any])?[kind]) ?? -1) }
    func latency(_ key: String) -> Double { numeric((result?["latency_us"] as? [String: Any])?[key]) ?? -1 }

    /// What a failed expectation prints: enough to see what happened without rerunning.
    var diagnosis: String { "mux-load \(arguments.joined(separator: " ")) → exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

func numeric(_ value: Any?) -> Double? {
    if let n = value as? NSNumber { return n.doubleValue }
    if let d = value as? Double { return d }
    if let i = value as? Int { return Double(i) }
    return nil
}

/// Runs mux-load to completion.
func runLoad(_ arguments: [String], timeout: Double = 60) throws -> LoadRun {
    let (status, stdout, stderr) = try runToCompletion("mux-load", arguments, timeout: timeout)
    return LoadRun(arguments: arguments, status: status, stdout: stdout, stderr: stderr)
}

/// Runs mux-load while `duringRun` gets its "connected" line (window times in monotonic ns).
func runLoad(_ arguments: [String], timeout: Double = 60, duringRun: ([String: Any]) -> Void) throws -> LoadRun {
    let child = try ChildProcess("mux-load", arguments)
    var out = ""
    let deadline = Date().addingTimeInterval(timeout)
    while let line = child.readLine(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
        out += line + "\n"
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
           object["type"] as? String == "connected" {
            duringRun(object)
        }
    }
    let status = child.wait(timeout: max(1, deadline.timeIntervalSinceNow))
    return LoadRun(arguments: arguments, status: status, stdout: out + child.remainingOutput(), stderr: child.standardError())
}

/// A port nobody listens on: bound (so the kernel picks a free one), read back, closed.
func unusedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { throw TestFailure("bind: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
