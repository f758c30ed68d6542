import Foundation
import MuxMetrics
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// mux-load's command line: malformed input exits 2 with one line naming the option; resource
/// limits and a missing server are runtime failures (exit 1) that say what is wrong.
extension LoadProcessSuites {
    @Suite struct LoadCommandTests {
        static let badFlags: [(arguments: [String], names: String)] = [
            ([], "--port"),
            (["--port", "9", "--connections", "abc"], "--connections"),
            (["--port", "9", "--connections", "10", "--active", "11"], "--active"),
            (["--port", "9", "--rate", "0"], "--rate"),
            (["--port", "9", "--duration", "0s"], "--duration"),
            (["--port", "9", "--protocol", "gopher"], "--protocol"),
            (["--port", "9", "--source-addresses", "junk"], "--source-addresses"),
            // TEST-NET-1 (RFC 5737): never an address of this machine; once "local ports exhausted".
            (["--port", "9", "--source-addresses", "192.0.2.1-192.0.2.4"], "--source-addresses: 192.0.2.1 is not an address of this machine"),
            (["--port", "9", "--frobnicate"], "--frobnicate"),
            (["--port=9", "--pipeline=0"], "--pipeline"),
            (["--port", "70000"], "--port"),
        ]

        @Test(arguments: 0..<badFlags.count)
        func badFlagExitsTwoWithOneLineNamingIt(_ index: Int) throws {
            let (arguments, name) = Self.badFlags[index]
            let run = try runLoad(arguments, timeout: 20)
            #expect(run.status == 2, "\(run.diagnosis)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "one line: \(run.diagnosis)")
            #expect(lines.first?.hasPrefix("mux-load: ") == true, "\(run.diagnosis)")
            #expect(lines.first?.contains(name) == true, "names \(name): \(run.diagnosis)")
            #expect(run.stdout.isEmpty, "\(run.diagnosis)")
        }

        @Test func helpExitsZero() throws {
            let run = try runLoad(["--help"], timeout: 20)
            #expect(run.status == 0)
            #expect(run.stdout.contains("--connections") && run.stdout.contains("--rate"), "\(run.diagnosis)")
        }

        @Test func connectionsBeyondTheFileLimitAreRefusedBeforeConnecting() throws {
            // mux-load runs under a hard limit of its own (prlimit execs it, same PID), so the
            // test means the same whatever limit the machine has (a container's is often ~1M).
            let hard = 2048
            // A listener nobody accepts on: a connect attempt would succeed, so only the limit
            // check can stop the run, and it must do so before opening anything.
            let server = try FakeServer()
            defer { server.stop() }
            let arguments = ["--port", "\(server.port)", "--connections", "\(hard + 10_000)", "--duration", "1s"]
            let (status, stdout, stderr) = try runToCompletion(
                "/usr/bin/prlimit", ["--nofile=256:\(hard)", "--", executablePath("mux-load")] + arguments, timeout: 30)
            let run = LoadRun(arguments: arguments, status: status, stdout: stdout, stderr: stderr)
            // Bad input, refused at parse time with the connections rule's words (NumberRules).
            #expect(run.status == 2, "\(run.diagnosis)")
            #expect(run.stderr.contains("ulimit -Hn: \(hard)"), "names the limit \(hard): \(run.diagnosis)")
            #expect(run.stderr.contains("from 1 to 1,984"), "the limit less 64: \(run.diagnosis)")
            #expect(run.stderr.hasPrefix("mux-load: --connections: "), "\(run.diagnosis)")
            #expect(run.connected == nil && run.result == nil, "\(run.diagnosis)")
            #expect(server.acceptedConnections == 0, "refused before connecting")
        }

        @Test func noServerListeningIsAClearRuntimeFailure() throws {
            let port = try unusedPort()
            let run = try runLoad(["--port", "\(port)", "--connections", "4", "--duration", "1s"], timeout: 30)
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.stderr.contains("no server is listening at 127.0.0.1:\(port)"), "\(run.diagnosis)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.diagnosis)")
            #expect(run.result == nil, "\(run.diagnosis)")
        }

        /// http load against an echo server: every reply is wrong. Not a measurement of 0 req/s
        /// but a failed run: exit 1 with the reason, the result line kept for the record.
        @Test(arguments: ["http", "redis"])
        func aProtocolMismatchIsAFailedRun(_ wireProtocol: String) throws {
            let server = try ServerProcess(["--backend", "epoll-lt", "--protocol", "echo"])
            let run = try runLoad(["--port", "\(server.port)", "--protocol", wireProtocol, "--connections", "4",
                                   "--warmup", "100ms", "--duration", "500ms"])
            _ = try server.stop()
            #expect(run.status == 1, "\(run.diagnosis)")
            #expect(run.result != nil && run.requests == 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("mux-load: every request failed, none answered in the window ("), "\(run.diagnosis)")
            #expect(run.stderr.contains("does it speak \(wireProtocol)?"), "\(run.diagnosis)")
        }

        @Test func hgrmFileHoldsTheWindowsRequests() throws {
            let path = NSTemporaryDirectory() + "mux-load-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).hgrm"
            defer { unlink(path) }
            let server = try ServerProcess(["--backend", "epoll-lt"])
            let run = try runLoad(["--port", "\(server.port)", "--connections", "4", "--rate", "1000",
                                   "--warmup", "200ms", "--duration", "1s", "--hgrm", path])
            #expect(try server.stop().status == 0)
            #expect(run.status == 0, "\(run.diagnosis)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let rows = try LatencyHistogram.parsePercentileDistribution(text)
            #expect(!rows.isEmpty)
            #expect(rows.last?.percentile == 1.0)
            // The window's requests, not warm-up's: those answered in it, and (open loop) those due in
            // it and still unanswered at its end, recorded as waiting until the end.
            let recorded = run.requests + Int(run.number("unfinished"))
            #expect(rows.last.map { Int($0.totalCount) } == recorded, "\(run.diagnosis)")
            #expect(run.totalRequests > run.requests, "warm-up replies are counted in the total only")
            #expect(text.contains("Total count    = \(String(format: "%12d", recorded))"), "\(text)")
            // Rows climb: cumulative counts never decrease, percentiles rise.
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.totalCount <= $1.totalCount && $0.percentile <= $1.percentile })
            // The p50 row agrees with the result's p50 within the histogram's precision.
            if let median = rows.first(where: { $0.percentile >= 0.5 }) {
                #expect(abs(median.value - run.latency("p50")) <= run.latency("p50") * 0.01 + 1, "\(median) vs \(run.diagnosis)")
            }
        }
    }
}
