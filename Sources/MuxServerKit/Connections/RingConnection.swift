import MuxCore

/// One client connection of the completion loop, in a table indexed by fd. Like `Connection`,
/// the object and its buffers stay in their slot and are reused by the next connection on the
/// fd. Output lives in two buffers: `sending` is what the one send in flight reads (the kernel
/// holds its address, so it is never appended to, moved or freed meanwhile), `output` collects
/// replies produced meanwhile; they swap when the send completes.
final class RingConnection {
    var fd: Int32 = -1
    var isOpen = false
    /// Bumped at each open and carried in every request's user_data (24 bits), so a completion
    /// of an earlier connection on this fd is recognised and dropped.
    var generation: UInt32 = 0
    var input = ByteBuffer()
    var output = ByteBuffer()
    var sending = ByteBuffer()
    /// One send at a time: two in flight on one socket may complete out of order.
    var sendInFlight = false
    /// A multishot recv is armed (until a completion without F_MORE).
    var receiving = false
    /// Output is over the high-water mark: the recv was cancelled until it drains.
    var readingPaused = false
    var closeAfterFlush = false
    /// Reply sent and our side shut down: input is dropped until EOF, a limit or a deadline.
    var draining = false
    var drainedBytes = 0
    var lastActivity: UInt64 = 0

    var pendingOutput: Int { output.count + sending.count }

    func open(fd: Int32, now: UInt64) {
        self.fd = fd
        isOpen = true
        generation = (generation &+ 1) & 0xFF_FFFF
        input.clear()
        output.clear()
        sending.clear()
        sendInFlight = false
        receiving = false
        readingPaused = false
        closeAfterFlush = false
        draining = false
        drainedBytes = 0
        lastActivity = now
    }

    deinit {
        input.deallocate()
        output.deallocate()
        sending.deallocate()
    }
}
