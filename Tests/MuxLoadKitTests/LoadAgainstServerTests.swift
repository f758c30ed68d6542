import Foundation
import MuxCore
import MuxTestSupport
import Testing

/// mux-load against the real mux-server, every backend, over real loopback sockets: every request
/// counted and verified, no errors; open loop reaches its target rate.
extension LoadProcessSuites {
    @Suite struct LoadAgainstServerTests {
        static let window = ["--warmup", "200ms", "--duration", "1s"]
        static let protocols = ["echo", "http"]

        /// Runs mux-load against a fresh server and checks the server's own counts against it.
        private func load(_ backend: Backend, _ wireProtocol: String, _ options: [String],
                          window: [String] = LoadAgainstServerTests.window) throws -> LoadRun {
            let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", wireProtocol])
            let run = try runLoad(["--port", "\(server.port)", "--protocol", wireProtocol] + window + options)
            let (status, final) = try server.stop()
            #expect(status == 0)
            expectServerAgrees(run, final, wireProtocol)
            return run
        }

        /// The server's final counters (its own count, not the load generator's) bracket what
        /// mux-load reports: the server answered every reply mux-load completed, warm-up included,
        /// and never more than mux-load sent. A load generator that counted replies it never got,
        /// or lost count of ones it did, falls outside.
        private func expectServerAgrees(_ run: LoadRun, _ server: [String: Int], _ wireProtocol: String) {
            let sent = Int(run.number("sent"))
            #expect(run.totalRequests <= sent, "\(run.diagnosis)")
            if wireProtocol == "http" {
                let answered = server["requests"] ?? -1
                #expect(answered >= run.totalRequests && answered <= sent,
                        "server answered \(answered), mux-load completed \(run.totalRequests) of \(sent) sent: \(server)")
            } else {
                // Echo has no request boundaries on the server's side: count bytes instead.
                let payload = Int(run.number("payload_bytes"))
                let echoed = server["bytes_out"] ?? -1, received = server["bytes_in"] ?? .max
                #expect(echoed >= run.totalRequests * payload && received <= sent * payload,
                        "server echoed \(echoed) B of \(received) B; mux-load completed \(run.totalRequests) × \(payload) B of \(sent) sent: \(server)")
            }
        }

        private func expectClean(_ run: LoadRun) {
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.connected != nil, "no connected line: \(run.diagnosis)")
            #expect(run.requests > 0, "\(run.diagnosis)")
            #expect(run.totalRequests >= run.requests, "\(run.diagnosis)")
            #expect(run.errors == 0, "\(run.diagnosis)")
            #expect(run.latency("p50") > 0 && run.latency("p50") <= run.latency("p99"), "\(run.diagnosis)")
            #expect(run.latency("p99") <= run.latency("max"), "\(run.diagnosis)")
            // Its own CPU time over the window (getrusage, all threads), for the collector.
            let cpu = (numeric(run.result?["cpu_user_us"]) ?? -1) + (numeric(run.result?["cpu_sys_us"]) ?? -1)
            #expect(cpu > 0, "a second of traffic costs the load generator some CPU: \(run.diagnosis)")
        }

        @Test(arguments: runnable(Backend.allCases), protocols)
        func closedLoop(_ backend: Backend, _ wireProtocol: String) throws {
            let run = try load(backend, wireProtocol, ["--connections", "20"])
            expectClean(run)
            // The window's requests are a part of the run's, the warm-up's are not in them.
            #expect(run.requests < run.totalRequests, "\(run.diagnosis)")
        }

        @Test(arguments: runnable(Backend.allCases), protocols)
        func openLoopReachesItsRate(_ backend: Backend, _ wireProtocol: String) throws {
            let rate = 2000.0
            let run = try load(backend, wireProtocol, ["--connections", "20", "--rate", "2000"],
                               window: ["--warmup", "200ms", "--duration", "2s"])
            expectClean(run)
            #expect(numeric(run.result?["rate_target_rps"]) == rate, "\(run.diagnosis)")
            // What the window answered plus what its end caught unanswered (due in it, in flight
            // or queued) is what was due in it: a stall of the machine at the window's end (200 ms
            // were seen) leaves requests unanswered, it does not make the rate short. Only replies
            // of warm-up requests a stall at the start pushes into the window are extra.
            let accounted = Double(run.requests) + run.number("unfinished")
            #expect(abs(accounted - rate * 2) <= rate * 2 * 0.10, "\(run.requests) answered + \(run.number("unfinished")) in flight of \(rate * 2) due: \(run.diagnosis)")
            #expect(run.stderr.contains("achieved"), "the summary states the achieved rate: \(run.stderr)")
        }

        @Test(arguments: protocols)
        func pipelinedOverTwoThreads(_ wireProtocol: String) throws {
            // Several requests in flight per connection: replies arrive back to back, often split
            // across reads, and each must still be matched with its own request.
            let run = try load(.epollLT, wireProtocol, ["--connections", "16", "--pipeline", "4", "--threads", "2"])
            expectClean(run)
        }

        @Test func pipelinedEchoRepliesSplitAcrossReads() throws {
            // 32 × 3,000 bytes in flight per connection: reads end in the middle of a reply, and the
            // next request is written while the rest of that read is still being verified.
            let run = try load(.epollLT, "echo", ["--connections", "4", "--payload", "3000", "--pipeline", "32"])
            expectClean(run)
        }

        @Test func openLoopOverTwoThreadsWithPipelining() throws {
            let run = try load(.epollET, "http", ["--connections", "20", "--rate", "2000", "--threads", "2", "--pipeline", "2"])
            expectClean(run)
            #expect(abs(run.throughput - 2000) <= 200, "\(run.diagnosis)")
        }

        @Test func largeEchoPayloadsNeedPartialWrites() throws {
            // 16 KiB requests, pipelined: the client's writes exceed what the socket takes at once
            // and replies straddle reads.
            let run = try load(.epollET, "echo", ["--connections", "4", "--payload", "16384", "--pipeline", "4"])
            expectClean(run)
        }

        @Test func idleConnectionsStayOpenAndSilent() throws {
            let server = try ServerProcess(["--backend", "poll"])
            let before = try server.counters()
            let run = try runLoad(["--port", "\(server.port)", "--connections", "50", "--active", "5"] + Self.window)
            expectClean(run)
            #expect((try server.counters()["accepted"] ?? 0) - (before["accepted"] ?? 0) == 50)
            let (status, final) = try server.stop()
            #expect(status == 0)
            expectServerAgrees(run, final, "echo")
        }
    }
}
