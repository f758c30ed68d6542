// mux-load's redis protocol against mux-server's: inline PINGs, pipelined, every reply checked
// to be exactly +PONG; a server that answers something else (an echo server returns the PING
// itself) is caught as mismatches, not counted as replies.
import Foundation
import MuxTestSupport
import Testing

extension LoadProcessSuites {
    @Suite struct RedisLoadTests {
        @Test func pipelinedPingsAreAllAnsweredAndCountedByBothSides() throws {
            let server = try ServerProcess(["--backend", "epoll-et", "--protocol", "redis"])
            let run = try runLoad(["--port", "\(server.port)", "--protocol", "redis", "-c", "20", "-a", "10",
                                   "--pipeline", "8", "--warmup", "200ms", "--duration", "1s"])
            let (status, final) = try server.stop()
            #expect(status == 0 && run.status == 0, "\(run.diagnosis)")
            #expect(run.errors == 0 && run.requests > 1000, "\(run.diagnosis)")
            // Every reply mux-load completed is a PING the server answered, never more than were sent.
            let answered = final["requests"] ?? -1
            #expect(answered >= run.totalRequests && answered <= Int(run.number("sent")), "\(final)")
            #expect(final["bad_requests"] == 0)
        }

        @Test func aServerThatDoesNotAnswerPongIsAMismatch() throws {
            let server = try ServerProcess(["--backend", "epoll-lt", "--protocol", "echo"])
            let run = try runLoad(["--port", "\(server.port)", "--protocol", "redis", "-c", "4",
                                   "--warmup", "0s", "--duration", "500ms"])
            _ = try server.stop()
            #expect(run.requests == 0 && run.errors("mismatch") == 4, "each connection's first reply is wrong: \(run.diagnosis)")
        }
    }
}
