import MuxMessages
import MuxMetrics

/// The merged outcome of a load run: what the JSON line and the stderr summary say.
public struct LoadReport: Sendable {
    public var configuration: LoadConfiguration
    public var histogram = LatencyHistogram()
    public var windowRequests: UInt64 = 0
    public var totalRequests: UInt64 = 0
    public var sent: UInt64 = 0
    public var errors = RequestErrors()
    /// Requests due (open loop) or sent (closed loop) in the window, unanswered at its end, in the
    /// histogram up to the end.
    public var unfinished: UInt64 = 0
    /// The window really measured: the configured duration, unless every worker stopped early.
    public var windowSeconds: Double
    /// Why workers stopped early ("thread 2: epoll_pwait2: EBADF ..."), for stderr.
    public var failures: [String] = []
    /// This process's CPU time (all threads) over the window: the load generator's own cost.
    public var windowCPU = ProcessCPUTime(userMicroseconds: 0, systemMicroseconds: 0)
    /// Open loop: latency from the actual send (wrk2 -U) and the load generator's send lateness.
    public var sentHistogram = LatencyHistogram()
    public var sendLateness = LatencyHistogram()
    /// Open loop: the hiccup meter's overshoots over the window.
    public var hiccups: HiccupSummary?
    /// Open loop: how the threads waited (nil in closed loop).
    public var pacing: Pacing?
    /// Open loop: the busiest thread's share of its time spent sending, receiving and recording
    /// (WorkerResult.busyShare: of the time it ran when spinning, of the window when sleeping).
    public var busyShare: Double?
    /// Open loop, exponential arrivals: how well the actual send gaps fit the schedule's exponential.
    public var gapFit: ExponentialFit?
    /// The same test on the schedule's own gaps (intended send times): the draw, not the sends.
    public var scheduleFit: ExponentialFit?

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
            sentHistogram.merge(r.sentHistogram)
            sendLateness.merge(r.sendLateness)
            if let failure = r.failure {
                failures.append("thread \(index + 1) stopped \(format(Double(r.windowNanoseconds) / 1e9)) s into the window: \(failure)")
            }
        }
        if configuration.rate != nil {
            busyShare = results.compactMap(\.busyShare).max()
            if configuration.arrivals == .exponential {
                gapFit = KolmogorovSmirnov.exponentialFit(results.flatMap(\.gapSample))
                scheduleFit = KolmogorovSmirnov.exponentialFit(results.flatMap(\.scheduleSample))
            }
        }
        // One worker that ran to the end covers the whole window; when all stopped early, the
        // throughput is over the longest part any of them measured.
        if !results.isEmpty, results.allSatisfy({ $0.failure != nil }) {
            windowSeconds = Double(results.map(\.windowNanoseconds).max()!) / 1e9
        }
    }

    public var throughput: Double { windowSeconds > 0 ? Double(windowRequests) / windowSeconds : 0 }

    public func message() -> ResultMessage {
        let s = histogram.summary()
        let latency = distribution(histogram)
        var message = ResultMessage(
            wireProtocol: configuration.wireProtocol.rawValue, connections: configuration.connections,
            active: configuration.active, threads: configuration.threads, pipeline: configuration.pipeline,
            payloadBytes: configuration.payloadBytes, warmupSeconds: configuration.warmupSeconds,
            durationSeconds: configuration.durationSeconds, requests: windowRequests, totalRequests: totalRequests,
            sent: sent, errors: UInt64(errors.total), throughput: throughput, rateTarget: configuration.rate,
            errorsByKind: Dictionary(errors.fields.map { ($0.0, UInt64($0.1)) }, uniquingKeysWith: +),
            latency: latency, cpuUserMicroseconds: windowCPU.userMicroseconds,
            cpuSystemMicroseconds: windowCPU.systemMicroseconds, unfinished: unfinished,
            windowSeconds: windowSeconds)
        if configuration.rate != nil {
            message.latencySent = distribution(sentHistogram)
            message.sendLateness = distribution(sendLateness)
            message.pacing = pacing?.rawValue
            message.arrivals = configuration.arrivals.rawValue
            message.seed = configuration.arrivals == .exponential ? configuration.seed : nil
            message.busyShare = busyShare
            message.gapKS = gapFit?.statistic
            message.gapKSCritical = gapFit?.critical
            message.gapSampleCount = gapFit?.count
            message.scheduleKS = scheduleFit?.statistic
            message.scheduleKSCritical = scheduleFit?.critical
        }
        if let hiccups {
            message.hiccup = distribution(hiccups.histogram)
            message.hiccupScheduling = hiccups.scheduling
            message.hiccupCPU = hiccups.cpu
        }
        if configuration.fullHistograms {
            let open = configuration.rate != nil
            message.histograms = ResultMessage.Histograms(
                latency: histogram.buckets, latencySent: open ? sentHistogram.buckets : nil,
                sendLateness: open ? sendLateness.buckets : nil, hiccup: hiccups?.histogram.buckets)
        }
        message.cpus = RunningPlace.allowedCPUs()
        message.bootID = RunningPlace.bootID()
        return message
    }

    public func jsonLine() -> String { message().jsonLine() }

    /// The readable summary for stderr.
    public func summaryText() -> String {
        let s = histogram.summary()
        var lines: [String] = []
        let mode = configuration.rate.map {
            "open loop, target \(format($0)) req/s, \(configuration.arrivals.rawValue) arrivals, pacing \(pacing?.rawValue ?? "?")"
        } ?? "closed loop"
        lines.append("mux-load: \(configuration.connections) connections (\(configuration.active) active), \(configuration.wireProtocol.rawValue), \(configuration.payloadBytes) B, pipeline \(configuration.pipeline), \(configuration.threads) thread(s), \(mode)")
        lines.append("  \(windowRequests) requests in \(format(windowSeconds)) s after \(format(configuration.warmupSeconds)) s warm-up: \(format(throughput)) req/s")
        if let rate = configuration.rate {
            let shortfall = (rate - throughput) / rate * 100
            let relation = shortfall >= 0 ? "\(format(shortfall))% short" : "\(format(-shortfall))% over"
            lines.append("  achieved \(format(throughput)) req/s of \(format(rate)) target (\(relation))"
                + (shortfall > 5 ? "  <-- below target: the server or the load generator could not keep up" : ""))
        }
        lines.append("  latency µs: p50 \(format(s.p50))  p90 \(format(s.p90))  p99 \(format(s.p99))  p99.9 \(format(s.p999))  p99.99 \(format(s.p9999))  max \(format(s.max))  mean \(format(s.mean)) ± \(format(s.stddev))")
        if configuration.rate != nil {
            let sent = sentHistogram.summary(), late = sendLateness.summary()
            lines.append("  from actual send µs: p50 \(format(sent.p50))  p99 \(format(sent.p99))  max \(format(sent.max))   "
                + "send lateness µs: p50 \(format(late.p50))  p99 \(format(late.p99))  max \(format(late.max))")
        }
        if let busyShare {
            lines.append("  busiest load thread: \(format(busyShare * 100))% of its time sending, receiving and recording")
        }
        if let gapFit {
            lines.append("  send gaps against the exponential schedule: KS D \(format(gapFit.statistic)) over \(gapFit.count) gaps, "
                + "critical \(format(gapFit.critical)): " + (gapFit.fits ? "fit" : "DO NOT FIT")
                + (scheduleFit.map { "  (the schedule's own gaps: D \(format($0.statistic)))" } ?? ""))
        }
        if let hiccups {
            let h = hiccups.histogram.summary()
            lines.append("  hiccups (1 ms sleeps, \(hiccups.scheduling), CPU \(hiccups.cpu)) µs: p50 \(format(h.p50))  p99 \(format(h.p99))  max \(format(h.max))")
        } else if pacing == .spin {
            lines.append("  hiccups: not metered (a meter thread would preempt the spinning workers; their send lateness is the noise floor)")
        }
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

/// One distribution as the JSON object the collector reads, in µs (absent figures when empty).
func distribution(_ histogram: LatencyHistogram) -> ResultMessage.Latency {
    ResultMessage.Latency(histogram: histogram)
}

/// What the hiccup meter saw, and how it was scheduled.
public struct HiccupSummary: Sendable {
    public var histogram: LatencyHistogram
    public var scheduling: String
    public var cpu: Int
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
