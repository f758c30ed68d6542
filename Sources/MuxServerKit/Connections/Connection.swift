import MuxCore

/// One client connection's state, kept in a table indexed by fd. The object and its buffers
/// stay in their slot after close and are reused by the next connection on that fd, so churn
/// allocates nothing once the table has warmed up.
final class Connection {
    var fd: Int32 = -1
    var isOpen = false
    /// Unparsed request bytes (HTTP) carried over between reads.
    var input = ByteBuffer()
    /// Reply bytes the socket has not taken yet.
    var output = ByteBuffer()
    var readingPaused = false
    var closeAfterFlush = false
    /// Reply sent and our side shut down (lingering close): what still arrives is read and
    /// dropped until the peer's EOF, a byte limit or a deadline, so the close is not an RST
    /// that could destroy the reply before the peer reads it.
    var draining = false
    var drainedBytes = 0
    /// Bumped at each open, so a queued linger deadline cannot close a later connection on the fd.
    var generation: UInt32 = 0
    var lastActivity: UInt64 = 0

    func open(fd: Int32, now: UInt64) {
        self.fd = fd
        isOpen = true
        input.clear()
        output.clear()
        readingPaused = false
        closeAfterFlush = false
        draining = false
        drainedBytes = 0
        generation &+= 1
        lastActivity = now
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }
}
