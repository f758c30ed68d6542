import MuxCore
import MuxTestSupport
import Testing

extension LoadProcessSuites {
    /// HTTP/1.0 short connections: connect, request, the server closes, reconnect.
    @Suite struct ShortConnectionTests {
        @Test(arguments: runnable(Backend.allCases))
        func everyRequestIsANewConnection(_ backend: Backend) throws {
            let server = try ServerProcess(["--backend", backend.rawValue, "--protocol", "http"])
            let run = try runLoad(["--port", "\(server.port)", "--protocol", "http", "--short-connections",
                                   "-c", "30", "-a", "10", "--warmup", "200ms", "--duration", "1s"])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors == 0, "\(run.diagnosis)")
            #expect(run.requests > 50, "\(run.diagnosis)")
            let counters = try server.counters()
            // One accept per request (plus the 30 initial connections), and the server closes each.
            #expect(counters["accepted"]! >= run.totalRequests, "\(counters)")
            #expect(counters["requests"]! >= run.totalRequests)
            #expect(counters["closed"]! >= run.totalRequests - 10)
            _ = try server.stop()
        }

        @Test func shortConnectionsNeedHTTPAndClosedLoop() throws {
            for extra in [["--protocol", "echo"], ["--protocol", "http", "--rate", "100"], ["--protocol", "http", "--pipeline", "2"]] {
                let run = try runLoad(["--port", "1", "--short-connections"] + extra)
                #expect(run.status == 2)
                #expect(run.stderr.contains("--short-connections"))
            }
        }
    }
}
