// Each message between the executables survives its own writer and reader unchanged, lines of
// other types are passed over, and the field names are the ones Benchmarks/README.md documents
// (The server by hand, The load generator by hand).
import Foundation
import MuxCore
import MuxMessages
import MuxMetrics
import Testing

@Suite struct MessageRoundTripTests {
    @Test func readyLineRoundTrips() throws {
        let ready = ReadyMessage(backend: "epoll-et", host: "127.0.0.1", port: 40123, pid: 77, wireProtocol: "http",
                                 writeMode: "on-writable", maxEvents: 64, fdLimit: 1_048_576)
        let line = ready.jsonLine()
        #expect(ReadyMessage.decode(line: line) == ready)
        #expect(!line.contains("\n"))
        #expect(line.contains("\"protocol\":\"http\"") && line.contains("\"write_mode\":\"on-writable\""))
        #expect(line.contains("\"max_events\":64") && line.contains("\"fd_limit\":1048576"))
    }

    @Test func countersLineRoundTripsEverySyscallKindAndTheCPUTime() throws {
        var syscalls = SyscallCounters()
        syscalls.wait = 1; syscalls.ctl = 2; syscalls.accept = 3; syscalls.read = 4; syscalls.write = 5
        syscalls.close = 6; syscalls.other = 7; syscalls.readEAGAIN = 8; syscalls.readEOF = 9
        syscalls.writeEAGAIN = 10; syscalls.acceptEAGAIN = 11; syscalls.events = 12
        var counters = CountersMessage(final: false, sequence: 3, monotonicNanoseconds: 123_456_789, syscalls: syscalls)
        counters.requests = 13; counters.bytesIn = 14; counters.bytesOut = 15; counters.accepted = 16
        counters.closed = 17; counters.rejected = 18; counters.resets = 19; counters.badRequests = 20
        counters.idleClosed = 21; counters.shed = 22; counters.open = 23
        counters.cpuUserMicroseconds = 1_234_567; counters.cpuSystemMicroseconds = 7_654_321
        let line = counters.jsonLine()
        let read = try #require(CountersMessage.decode(line: line))
        #expect(read == counters)
        #expect(read.syscalls == syscalls)
        #expect(!read.isFinal)
        for key in ["\"read_eagain\":8", "\"accept_eagain\":11", "\"bad_requests\":20", "\"idle_closed\":21",
                    "\"t_ns\":123456789", "\"cpu_user_us\":1234567", "\"cpu_sys_us\":7654321", "\"type\":\"counters\""] {
            #expect(line.contains(key), "\(key) in \(line)")
        }
        let final = CountersMessage(final: true, sequence: 4, monotonicNanoseconds: 1, syscalls: syscalls)
        #expect(CountersMessage.decode(line: final.jsonLine())?.isFinal == true)
    }

    @Test func connectedLineRoundTrips() {
        let connected = ConnectedMessage(connections: 10_000, startNs: 5, warmupEndNs: 1_000_000_005,
                                         endNs: UInt64.max - 1, pid: 4242)
        #expect(ConnectedMessage.decode(line: connected.jsonLine()) == connected)
        #expect(connected.jsonLine().contains("\"warmup_end_ns\":1000000005"))
    }

    @Test func resultLineRoundTripsWithAndWithoutARateAndLatencies() throws {
        var result = ResultMessage(
            wireProtocol: "echo", connections: 100, active: 10, threads: 2, pipeline: 4, payloadBytes: 64,
            warmupSeconds: 0.2, durationSeconds: 1.5, requests: 150_000, totalRequests: 170_000, sent: 170_004,
            errors: 3, throughput: 100_000.25, rateTarget: 120_000,
            errorsByKind: ["mismatch": 1, "reset": 2, "timeout": 0],
            latency: .init(mean: 12.5, stddev: 3.25, p50: 11, p90: 20, p99: 40.5, p999: 90, p9999: 120, max: 250),
            cpuUserMicroseconds: 900_001, cpuSystemMicroseconds: 450_002)
        #expect(ResultMessage.decode(line: result.jsonLine()) == result)
        #expect(result.jsonLine().contains("\"throughput_rps\":100000.25"))
        result.rateTarget = nil
        result.latency = .init(mean: nil, stddev: nil, p50: nil, p90: nil, p99: nil, p999: nil, p9999: nil, max: nil)
        #expect(ResultMessage.decode(line: result.jsonLine()) == result)
    }

    /// With --histograms every bucket travels, and the histogram read back is the one written.
    @Test func resultLineCarriesItsHistogramsLosslessly() throws {
        var histogram = LatencyHistogram()
        for value: UInt64 in [900, 15_000, 15_001, 2_000_000, 7_000_000_000] { histogram.record(value) }
        var result = ResultMessage(
            wireProtocol: "http", connections: 10, active: 5, threads: 1, pipeline: 1, payloadBytes: 64,
            warmupSeconds: 0, durationSeconds: 1, requests: 5, totalRequests: 5, sent: 5, errors: 0, throughput: 5,
            rateTarget: nil, errorsByKind: [:], latency: ResultMessage.Latency(histogram: histogram),
            cpuUserMicroseconds: 1, cpuSystemMicroseconds: 1)
        result.histograms = ResultMessage.Histograms(latency: histogram.buckets, hiccup: LatencyHistogram().buckets)
        result.cpus = [1, 2, 3]
        result.bootID = "0f0e0d0c-0000-4000-8000-000000000000"
        let line = result.jsonLine()
        #expect(line.contains("\"histograms\":{") && line.contains("\"latency_ns\":{") && line.contains("\"boot_id\":"))
        let read = try #require(ResultMessage.decode(line: line))
        #expect(read == result)
        #expect(try LatencyHistogram(buckets: read.histograms!.latency) == histogram)
        #expect(read.latency.count == 5 && read.latency.max == 7_000_000)
    }

    @Test func theStartHandshakeRoundTrips() {
        let armed = ArmedMessage(connections: 5_000, pid: 99)
        #expect(ArmedMessage.decode(line: armed.jsonLine()) == armed)
        let go = GoMessage(delayNs: 50_000_000)
        #expect(go.jsonLine() == "{\"delay_ns\":50000000,\"type\":\"go\"}")
        #expect(GoMessage.decode(line: go.jsonLine()) == go)
        #expect(GoMessage.decode(line: armed.jsonLine()) == nil)
    }

    @Test func linesOfOtherTypesOrNotJSONAreNotTakenForAMessage() {
        let connected = ConnectedMessage(connections: 1, startNs: 1, warmupEndNs: 2, endNs: 3, pid: 1).jsonLine()
        #expect(ResultMessage.decode(line: connected) == nil)
        #expect(ReadyMessage.decode(line: "mux-server: listening") == nil)
        #expect(CountersMessage.decode(line: "{\"type\":\"counters\",\"seq\":\"not a number\"}") == nil)
    }
}
