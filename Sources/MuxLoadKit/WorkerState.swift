// What a load-generator thread keeps per connection (ClientConnection) and what it hands back
// after the run (WorkerResult): LoadWorker's state, apart from its loop.
import MuxCore
import MuxMetrics

/// One client socket's state.
struct ClientConnection {
    var fd: Int32
    var id: UInt32
    var isActive: Bool
    var isOpen = true
    var sendSequence: UInt64 = 0
    var receiveSequence: UInt64 = 0
    var receivedBytes = 0            // of the echo reply being received
    var outstanding = 0              // sent, reply not complete
    var queued = 0                   // open loop: due, waiting for a pipeline slot
    var times = TimeRing()           // send (closed loop) or intended (open loop) times, in order
    var sentTimes = TimeRing()       // open loop: actual send times of the requests in flight
    var pendingOutput = ByteBuffer() // request bytes the socket has not taken yet
    var input = ByteBuffer()         // partial HTTP responses
    var closesAfterReply = false
    var connecting = false           // short connections: a reconnect in progress
}

/// What one worker measured.
public struct WorkerResult: Sendable {
    public var histogram = LatencyHistogram()
    public var windowRequests: UInt64 = 0
    public var totalRequests: UInt64 = 0
    public var errors = RequestErrors()
    public var sent: UInt64 = 0
    /// Requests due (open loop) or sent (closed loop) in the window and unanswered at its end, recorded up to the end.
    public var unfinished: UInt64 = 0
    /// Why the worker stopped before the window's end (its wait call failed), if it did.
    public var failure: String?
    /// How much of the window [warmupEnd, end) the worker ran for, in ns.
    public var windowNanoseconds: UInt64 = 0
    /// Open loop: latency from each request's actual send (wrk2's -U view, coordinated omission
    /// left in), beside `histogram`'s from its intended send time.
    public var sentHistogram = LatencyHistogram()
    /// Open loop: how late this worker wrote each request it was free to send (actual minus
    /// intended send time). Requests held back by a full pipeline wait for the server, not for
    /// us, and are left out: this is the load generator's own pacing error.
    public var sendLateness = LatencyHistogram()
    /// Open loop: time inside the window spent sending, receiving and recording (not waiting or
    /// polling and finding nothing), in ns: a spinning thread's CPU is always 100%, this is not.
    public var busyNanoseconds: UInt64 = 0
    /// Open loop: the thread's own CPU time over the window, in ns: the time it ran. Busy time is
    /// judged against it, since time the thread was not running (another process had its CPU) is
    /// the machine's, not a sign that the load generator could not keep up.
    public var runningNanoseconds: UInt64 = 0
    /// Open loop: busy time over the time the thread ran when it spins (a spinning thread's CPU
    /// time is all of its running time: work or polling), over the window when it sleeps (a
    /// sleeping thread's CPU time is nearly all work, so the window is the measure of its load).
    public var busyShare: Double?
    /// Open loop, exponential arrivals: a uniform sample of the gaps between consecutive on-time
    /// sends, in units of the schedule's mean gap (GapSample).
    public var gapSample: [Double] = []
    /// The same for the schedule's own gaps (intended times): whether the draw itself is right,
    /// whatever the machine did to the sends.
    public var scheduleSample: [Double] = []
    public init() {}
}
