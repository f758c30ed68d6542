import Foundation
import MuxCore
import MuxTestSupport
import Testing

/// Many connections, few active: the experiment that separates select/poll from epoll.
extension LoadProcessSuites {
    @Suite struct ScaleTests {
        @Test func fiveThousandConnectionsFiftyActiveAgainstEpollET() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            let run = try runLoad(["--port", "\(server.port)", "--connections", "5000", "--active", "50",
                                   "--warmup", "200ms", "--duration", "1s"], timeout: 60)
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(numeric(run.connected?["connections"]) == 5000, "\(run.diagnosis)")
            #expect(run.requests > 0, "\(run.diagnosis)")
            #expect(run.errors == 0, "\(run.diagnosis)")
            let counters = try server.counters()
            #expect(counters["accepted"] == 5000, "\(counters)")
            #expect(counters["rejected"] == 0, "\(counters)")
            #expect(try server.stop().status == 0)
        }
    }
}
