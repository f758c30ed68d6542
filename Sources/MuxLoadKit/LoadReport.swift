import MuxMetrics

/// The merged outcome of a load run: what the JSON line and the stderr summary say.
public struct LoadReport: Sendable {
    public var configuration: LoadConfiguration
    public var histogram = LatencyHistogram()
    public var windowRequests: UInt64 = 0
    public var totalRequests: UInt64 = 0
    public var sent: UInt64 = 0
    public var errors = RequestErrors()
    /// Open loop: requests due in the window, unanswered at its end, in the histogram up to the end.
    public var unfinished: UInt64 = 0
    /// The window really measured: the configured duration, unless every worker stopped early.
    public var windowSeconds: Double
    /// Why workers stopped early ("thread 2: epoll_pwait2: EBADF ..."), for stderr.
    public var failures: [String] = []

    public init(configuration: LoadConfiguration, results: [WorkerResult]) {
        self.configuration = configuration
        windowSeconds = configuration.durationSeconds
        for (index, r) in results.enumerated() {
            histogram.merge(r.histogram)
            windowRequests += r.windowRequests
            totalRequests += r.totalRequests
            sent += r.sent
            errors.add(r.errors)
            unfinished += r.unfinished
            if let failure = r.failure {
                failures.append("thread \(index + 1) stopped \(format(Double(r.windowNanoseconds) / 1e9)) s into the window: \(failure)")
            }
        }
        // One worker that ran to the end covers the whole window; when all stopped early, the
        // throughput is over the longest part any of them measured.
        if !results.isEmpty, results.allSatisfy({ $0.failure != nil }) {
            windowSeconds = Double(results.map(\.windowNanoseconds).max()!) / 1e9
        }
    }

    public var throughput: Double { windowSeconds > 0 ? Double(windowRequests) / windowSeconds : 0 }

    public func jsonLine() -> String {
        let s = histogram.summary()
        var fields = ["\"type\":\"result\"", "\"protocol\":\"\(configuration.wireProtocol.rawValue)\"",
                      "\"connections\":\(configuration.connections)", "\"active\":\(configuration.active)",
                      "\"threads\":\(configuration.threads)", "\"pipeline\":\(configuration.pipeline)",
                      "\"payload_bytes\":\(configuration.payloadBytes)",
                      "\"warmup_s\":\(configuration.warmupSeconds)", "\"duration_s\":\(configuration.durationSeconds)",
                      "\"requests\":\(windowRequests)", "\"total_requests\":\(totalRequests)", "\"sent\":\(sent)",
                      "\"errors\":\(errors.total)", "\"unfinished\":\(unfinished)", "\"window_s\":\(json(windowSeconds))",
                      "\"throughput_rps\":\(json(throughput))"]
        fields.append("\"rate_target_rps\":" + (configuration.rate.map { json($0) } ?? "null"))
        fields.append("\"errors_by_kind\":{" + errors.fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        fields.append("\"latency_us\":{\"mean\":\(json(s.mean)),\"stddev\":\(json(s.stddev)),\"p50\":\(json(s.p50)),"
            + "\"p90\":\(json(s.p90)),\"p99\":\(json(s.p99)),\"p999\":\(json(s.p999)),\"p9999\":\(json(s.p9999)),"
            + "\"max\":\(json(s.max))}")
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The readable summary for stderr.
    public func summaryText() -> String {
        let s = histogram.summary()
        var lines: [String] = []
        let mode = configuration.rate.map { "open loop, target \(format($0)) req/s" } ?? "closed loop"
        lines.append("mux-load: \(configuration.connections) connections (\(configuration.active) active), \(configuration.wireProtocol.rawValue), \(configuration.payloadBytes) B, pipeline \(configuration.pipeline), \(configuration.threads) thread(s), \(mode)")
        lines.append("  \(windowRequests) requests in \(format(windowSeconds)) s after \(format(configuration.warmupSeconds)) s warm-up: \(format(throughput)) req/s")
        if let rate = configuration.rate {
            let shortfall = (rate - throughput) / rate * 100
            lines.append("  achieved \(format(throughput)) req/s of \(format(rate)) target (\(format(shortfall))% short)"
                + (shortfall > 5 ? "  <-- below target: the server or the load generator could not keep up" : ""))
        }
        lines.append("  latency µs: p50 \(format(s.p50))  p90 \(format(s.p90))  p99 \(format(s.p99))  p99.9 \(format(s.p999))  p99.99 \(format(s.p9999))  max \(format(s.max))  mean \(format(s.mean)) ± \(format(s.stddev))")
        if unfinished > 0 {
            lines.append("  \(unfinished) request(s) due in the window were unanswered at its end: recorded as waiting until the end")
        }
        for failure in failures { lines.append("  WORKER FAILED: \(failure)") }
        if errors.total > 0 {
            lines.append("  ERRORS: \(errors.total) (" + errors.fields.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")")
        } else {
            lines.append("  errors: 0")
        }
        return lines.joined(separator: "\n")
    }
}

func json(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    return format(value)
}

func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    let scaled = (value * 1000).rounded() / 1000
    return "\(scaled)"
}
