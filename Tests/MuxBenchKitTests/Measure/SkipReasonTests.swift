import MuxCore
import Testing
@testable import MuxBenchKit

/// Which points select cannot run: beyond FD_SETSIZE, and short connections whose churn needs a
/// descriptor per active client on top of the open ones.
@Suite struct SkipReasonTests {
    @Test func selectKeepAliveRunsUpToItsLimitOnly() {
        #expect(skipReason(for: SweepPoint(sweep: "t", backend: "select", connections: selectMaximumConnections, active: 100)) == nil)
        let beyond = skipReason(for: SweepPoint(sweep: "t", backend: "select", connections: selectMaximumConnections + 1, active: 100))
        #expect(beyond?.contains("FD_SETSIZE") == true)
    }

    @Test func selectShortConnectionsNeedRoomForTheChurn() {
        func point(_ connections: Int, _ active: Int) -> SweepPoint {
            SweepPoint(sweep: "t", backend: "select", connections: connections, active: active, protocolName: "http-close")
        }
        #expect(skipReason(for: point(900, 100)) == nil)
        let reason = skipReason(for: point(1000, 100))
        #expect(reason?.contains("connections + active") == true, "\(reason ?? "nil")")
        #expect(skipReason(for: SweepPoint(sweep: "t", backend: "select", connections: 1000, active: 100, protocolName: "http")) == nil)
    }

    @Test func otherBackendsAreNeverSkipped() {
        // Every backend without a descriptor limit that can run here (io_uring may be refused).
        for backend in Backend.runnableHere.filter({ $0.traits.descriptorLimit == nil }).map(\.rawValue) {
            #expect(skipReason(for: SweepPoint(sweep: "t", backend: backend, connections: 10_000, active: 10_000, protocolName: "http-close")) == nil,
                    "\(backend)")
        }
    }
}
