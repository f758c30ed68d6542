import Foundation
import MuxCore
import MuxTestSupport
import Testing

/// mux-load against servers that misbehave on purpose (FakeServer): a stall must show in the
/// latencies, a corrupted byte and a reply cut short must be counted as errors of their kind.
extension LoadProcessSuites {
    @Suite struct FaultyServerTests {
        /// Runs mux-load against a stalling server; the stall starts 0.7 s into the 2 s window.
        /// Returns the run and how long the server really held a reply (µs): latencies are
        /// compared with that event, not with a time the machine may not have kept.
        private func runThroughStall(_ options: [String]) throws -> (LoadRun, held: Double) {
            let server = try FakeServer(mode: .stall)
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "20", "--warmup", "200ms", "--duration", "2s"] + options) { connected in
                guard let windowStart = numeric(connected["warmup_end_ns"]) else { return }
                server.stall(from: UInt64(windowStart) + 700_000_000, for: 0.5)
            }
            return (run, server.longestStallMicroseconds)
        }

        @Test func openLoopShowsAStallInItsPercentiles() throws {
            // 1,000 req/s: during the ~500 ms stall about 500 requests come due. Each is timed from
            // when it should have been sent, so they carry up to the stall's length of waiting: a
            // quarter of the window's requests, well past p99 (coordinated omission corrected, as
            // wrk2 does). Compared with the hold the server measured, so a slow machine (a longer
            // stall, fewer replies) moves both sides alike.
            let (run, held) = try runThroughStall(["--rate", "1000"])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors == 0, "\(run.diagnosis)")
            #expect(held >= 250_000, "the stall happened: the server held a reply \(held) µs")
            #expect(run.requests > 0 && run.latency("p99") >= 0.5 * held, "the stall (\(held) µs) must appear in p99: \(run.diagnosis)")
            #expect(run.latency("max") >= 0.8 * held, "held \(held) µs: \(run.diagnosis)")
            // Nothing waits longer than the run is long: latencies are timed from the schedule.
            #expect(run.latency("max") < 2_200_000, "\(run.diagnosis)")
        }

        @Test func closedLoopHidesTheSameStall() throws {
            // The contrast: in closed loop each connection waits with its one request and sends no
            // more, so the stall is 20 slow requests among tens of thousands, invisible at p99
            // (coordinated omission). Only max sees it.
            let (run, held) = try runThroughStall([])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors == 0, "\(run.diagnosis)")
            #expect(held >= 250_000, "the stall happened: the server held a reply \(held) µs")
            #expect(run.latency("max") >= 0.8 * held, "held \(held) µs: \(run.diagnosis)")
            #expect(run.latency("p99") < 0.5 * held, "closed loop hides the stall below p99: \(run.diagnosis)")
        }

        @Test func aServerSilentPastTheTimeoutGivesTimeouts() throws {
            // A 1.5 s stall against a 300 ms request timeout: every connection waiting on a reply
            // is counted as a timeout (and given up), never silently dropped.
            let server = try FakeServer(mode: .stall)
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "4", "--timeout", "300ms",
                                   "--warmup", "200ms", "--duration", "1s"]) { connected in
                guard let windowStart = numeric(connected["warmup_end_ns"]) else { return }
                server.stall(from: UInt64(windowStart) + 200_000_000, for: 1.5)
            }
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors("timeout") >= 1, "\(run.diagnosis)")
            #expect(run.errors("timeout") <= 4, "one per outstanding request: \(run.diagnosis)")
            #expect(run.stderr.contains("timeout"), "\(run.stderr)")
        }

        @Test func aCorruptedByteIsAMismatch() throws {
            let server = try FakeServer(mode: .corruptOneByte(afterBytes: 20_000))
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "8", "--warmup", "200ms", "--duration", "1s"])
            #expect(server.faultInjected)
            #expect(run.status == 0, "the run still ends normally: \(run.diagnosis)")
            #expect(run.errors("mismatch") >= 1, "\(run.diagnosis)")
            #expect(run.errors >= 1, "\(run.diagnosis)")
            #expect(run.requests > 0, "the other connections carry on: \(run.diagnosis)")
            #expect(run.stderr.contains("ERRORS"), "a run with errors says so: \(run.stderr)")
        }

        @Test func aReplyCutShortByACloseIsCounted() throws {
            let server = try FakeServer(mode: .closeMidReply(afterBytes: 20_000))
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "8", "--warmup", "200ms", "--duration", "1s"])
            #expect(server.faultInjected)
            #expect(run.status == 0, "the run still ends normally: \(run.diagnosis)")
            #expect(run.errors("closed") >= 1, "\(run.diagnosis)")
            #expect(run.errors("mismatch") == 0, "half a reply is short, not wrong: \(run.diagnosis)")
            #expect(run.requests > 0, "the other connections carry on: \(run.diagnosis)")
            #expect(run.stderr.contains("ERRORS"), "a run with errors says so: \(run.stderr)")
        }

        @Test func openLoopShowsAStallAtTheEndOfTheWindow() throws {
            // The server stops replying 400 ms before the window ends and stays silent past it.
            // The requests due meanwhile never complete inside the window; they are recorded as
            // waiting until the window's end (at least what they waited), so the stall shows.
            let server = try FakeServer(mode: .stall)
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "4", "--rate", "500",
                                   "--warmup", "200ms", "--duration", "1s"]) { connected in
                guard let windowEnd = numeric(connected["end_ns"]) else { return }
                server.stall(from: UInt64(windowEnd) - 400_000_000, for: 1.0)
            }
            #expect(run.status == 0, "\(run.diagnosis)")
            // 500 req/s: about 200 of the window's 500 requests are caught in the stall, waiting
            // up to 400 ms by the window's end, so past p90 and at max.
            #expect(run.latency("max") >= 300_000, "the stall at the end must show: \(run.diagnosis)")
            #expect(run.latency("p90") >= 100_000, "\(run.diagnosis)")
        }

        @Test func openLoopCountsRequestsDueOnAClosedConnection() throws {
            // One of two connections is closed by the server early on; the requests that come due
            // on it afterwards cannot be sent and are counted as dropped, not skipped in silence.
            let server = try FakeServer(mode: .closeMidReply(afterBytes: 2_000))
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "2", "--rate", "400",
                                   "--warmup", "200ms", "--duration", "1s"])
            #expect(server.faultInjected)
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors("closed") >= 1, "\(run.diagnosis)")
            // 200 req/s were due on the closed connection for most of the 1.2 s.
            #expect(run.errors("dropped") >= 100, "\(run.diagnosis)")
            #expect(run.errors == run.errors("closed") + run.errors("dropped") + run.errors("reset"), "\(run.diagnosis)")
            #expect(run.stderr.contains("dropped"), "\(run.stderr)")
        }

        @Test func aFaithfulFakeServerGivesACleanRun() throws {
            // The control: the fake server itself is not what the error tests detect.
            let server = try FakeServer()
            defer { #expect(server.stop(), "the fake server stops") }
            let run = try runLoad(["--port", "\(server.port)", "--connections", "8", "--warmup", "200ms", "--duration", "1s"])
            #expect(run.status == 0, "\(run.diagnosis)")
            #expect(run.errors == 0 && run.requests > 0, "\(run.diagnosis)")
            #expect(server.acceptedConnections == 8)
        }
    }
}
