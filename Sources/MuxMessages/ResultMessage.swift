// mux-load's result line: what it measured over the window, including its own CPU time over the
// window (all threads, getrusage) so the collector need not sample /proc's 10 ms ticks.
import MuxMetrics

public struct ResultMessage: JSONLineMessage, Equatable {
    public static let lineTypes: Set<String> = ["result"]

    /// Latency percentiles in µs; nil where the histogram has nothing (no requests).
    public struct Latency: Codable, Equatable, Sendable {
        /// How many values the distribution holds (absent in older lines).
        public var count: UInt64?
        public var mean: Double?
        public var stddev: Double?
        public var p50: Double?
        public var p90: Double?
        public var p99: Double?
        public var p999: Double?
        public var p9999: Double?
        public var max: Double?

        public init(mean: Double?, stddev: Double?, p50: Double?, p90: Double?, p99: Double?, p999: Double?,
                    p9999: Double?, max: Double?, count: UInt64? = nil) {
            self.count = count
            self.mean = mean; self.stddev = stddev; self.p50 = p50; self.p90 = p90
            self.p99 = p99; self.p999 = p999; self.p9999 = p9999; self.max = max
        }

        /// The figures of `histogram` in µs. Nothing recorded (every request waited behind a full
        /// pipeline, say) is not "0 µs late": every statistic is then absent.
        public init(histogram: LatencyHistogram) {
            guard histogram.count > 0 else {
                self.init(mean: nil, stddev: nil, p50: nil, p90: nil, p99: nil, p999: nil, p9999: nil, max: nil, count: 0)
                return
            }
            let s = histogram.summary()
            func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
            self.init(mean: finite(s.mean), stddev: finite(s.stddev), p50: finite(s.p50), p90: finite(s.p90),
                      p99: finite(s.p99), p999: finite(s.p999), p9999: finite(s.p9999), max: finite(s.max),
                      count: UInt64(s.count))
        }
    }

    public var type = "result"
    public var wireProtocol: String
    public var connections: Int
    public var active: Int
    public var threads: Int
    public var pipeline: Int
    public var payloadBytes: Int
    public var warmupSeconds: Double
    public var durationSeconds: Double
    public var requests: UInt64
    public var totalRequests: UInt64
    public var sent: UInt64
    public var errors: UInt64
    public var throughput: Double
    public var rateTarget: Double?
    public var errorsByKind: [String: UInt64]
    public var latency: Latency
    public var cpuUserMicroseconds: UInt64
    public var cpuSystemMicroseconds: UInt64
    /// Requests due (open loop) or sent (closed loop) in the window and unanswered at its end (in
    /// the histogram up to the end).
    public var unfinished: UInt64
    /// The window really measured: the configured duration, unless every worker stopped early.
    public var windowSeconds: Double
    /// Open loop only (absent in closed loop): latency from the actual send (wrk2 -U), the load
    /// generator's send lateness (actual − intended send time), and the hiccup meter's overshoots
    /// with how that thread was scheduled and where.
    public var latencySent: Latency?
    public var sendLateness: Latency?
    public var hiccup: Latency?
    public var hiccupScheduling: String?
    public var hiccupCPU: Int?
    /// With `--histograms` only: every bucket of each distribution, so that a collector can merge
    /// the results of several load generators exactly.
    public var histograms: Histograms?
    /// The CPUs this mux-load could run on, and the kernel it ran on (its boot id): load hosts on
    /// one kernel share its CPUs, whatever their launcher.
    public var cpus: [Int]?
    public var bootID: String?
    /// Open loop only: how the load threads waited (`spin`, `sleep`), the schedule (`constant`,
    /// `exponential`) and its seed (exponential only), the busiest thread's share of its time
    /// (spinning: the time it ran; sleeping: the window) spent sending, receiving and recording
    /// (0…1), and for exponential arrivals the
    /// Kolmogorov–Smirnov distance of the actual send gaps from the schedule, its critical value
    /// and how many gaps it is over.
    public var pacing: String?
    public var arrivals: String?
    public var seed: UInt64?
    public var busyShare: Double?
    public var gapKS: Double?
    public var gapKSCritical: Double?
    public var gapSampleCount: Int?
    /// The same test on the schedule's intended gaps: whether the draw itself is exponential.
    public var scheduleKS: Double?
    public var scheduleKSCritical: Double?

    /// Every bucket of the distributions above (nil where the line has none).
    public struct Histograms: Codable, Equatable, Sendable {
        public var latency: HistogramBuckets
        public var latencySent: HistogramBuckets?
        public var sendLateness: HistogramBuckets?
        public var hiccup: HistogramBuckets?

        public init(latency: HistogramBuckets, latencySent: HistogramBuckets? = nil,
                    sendLateness: HistogramBuckets? = nil, hiccup: HistogramBuckets? = nil) {
            self.latency = latency
            self.latencySent = latencySent
            self.sendLateness = sendLateness
            self.hiccup = hiccup
        }

        enum CodingKeys: String, CodingKey {
            case latency = "latency_ns", latencySent = "latency_sent_ns", sendLateness = "send_lateness_ns"
            case hiccup = "hiccup_ns"
        }
    }

    public init(wireProtocol: String, connections: Int, active: Int, threads: Int, pipeline: Int, payloadBytes: Int,
                warmupSeconds: Double, durationSeconds: Double, requests: UInt64, totalRequests: UInt64, sent: UInt64,
                errors: UInt64, throughput: Double, rateTarget: Double?, errorsByKind: [String: UInt64],
                latency: Latency, cpuUserMicroseconds: UInt64, cpuSystemMicroseconds: UInt64,
                unfinished: UInt64 = 0, windowSeconds: Double? = nil) {
        self.wireProtocol = wireProtocol
        self.connections = connections
        self.active = active
        self.threads = threads
        self.pipeline = pipeline
        self.payloadBytes = payloadBytes
        self.warmupSeconds = warmupSeconds
        self.durationSeconds = durationSeconds
        self.requests = requests
        self.totalRequests = totalRequests
        self.sent = sent
        self.errors = errors
        self.throughput = throughput
        self.rateTarget = rateTarget
        self.errorsByKind = errorsByKind
        self.latency = latency
        self.cpuUserMicroseconds = cpuUserMicroseconds
        self.cpuSystemMicroseconds = cpuSystemMicroseconds
        self.unfinished = unfinished
        self.windowSeconds = windowSeconds ?? durationSeconds
    }

    enum CodingKeys: String, CodingKey {
        case type, connections, active, threads, pipeline, requests, sent, errors
        case wireProtocol = "protocol", payloadBytes = "payload_bytes", warmupSeconds = "warmup_s"
        case durationSeconds = "duration_s", totalRequests = "total_requests", throughput = "throughput_rps"
        case rateTarget = "rate_target_rps", errorsByKind = "errors_by_kind", latency = "latency_us"
        case cpuUserMicroseconds = "cpu_user_us", cpuSystemMicroseconds = "cpu_sys_us"
        case unfinished, windowSeconds = "window_s"
        case latencySent = "latency_sent_us", sendLateness = "send_lateness_us", hiccup = "hiccup_us"
        case hiccupScheduling = "hiccup_sched", hiccupCPU = "hiccup_cpu"
        case histograms, cpus, bootID = "boot_id"
        case pacing, arrivals, seed, busyShare = "busy_share", gapKS = "gap_ks_d", gapKSCritical = "gap_ks_critical"
        case gapSampleCount = "gap_sample_count", scheduleKS = "schedule_ks_d", scheduleKSCritical = "schedule_ks_critical"
    }
}
