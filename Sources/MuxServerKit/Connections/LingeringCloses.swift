import MuxCore
#if canImport(Glibc)
import Glibc
#endif

/// The connections in a lingering close, oldest first. Each deadline is now + a constant, so the
/// queue is in deadline order and only its head can be due: popping is O(1), and the array is
/// reused (emptied, or compacted once the consumed head is large) instead of reallocated.
/// Entries carry the connection's generation, so a deadline cannot close a later connection
/// that reused the fd. Both server loops keep one, and start and end each linger through it.
struct LingeringCloses {
    private var entries: [(fd: Int32, generation: UInt32, deadline: UInt64)] = []
    private var head = 0

    var isEmpty: Bool { head == entries.count }

    /// The earliest deadline; 0 when none is queued.
    var nextDeadline: UInt64 { head < entries.count ? entries[head].deadline : 0 }

    /// How `begin` went: the caller keeps reading (`started`), closes at once (`shutdownFailed`),
    /// or does nothing (`alreadyLingering`).
    enum Start { case started, alreadyLingering, shutdownFailed }

    /// The reply is out and the connection is to close: shuts down our side (the peer reads the
    /// reply, then EOF; a counted `other`), marks the connection draining with reading resumed
    /// and its unparsed input dropped, and queues its deadline. The caller then keeps reading
    /// its own way and closes at the peer's EOF, the byte limit or the deadline.
    mutating func begin<C: LingeringConnection>(_ connection: C, syscalls: Syscalls) -> Start {
        guard !connection.draining else { return .alreadyLingering }
        guard (try? syscalls.other("shutdown", { shutdown(connection.fd, Int32(SHUT_WR)) })) != nil else {
            return .shutdownFailed
        }
        connection.draining = true
        connection.drainedBytes = 0
        connection.readingPaused = false
        connection.input.clear()
        push(fd: connection.fd, generation: connection.generation, now: monotonicNanoseconds())
        return .started
    }

    /// The next connection of `table` (indexed by fd) whose deadline has passed and that is still
    /// the one that began lingering (open, draining, same generation), for the caller to close;
    /// nil when none is due. Stale entries are skipped.
    mutating func nextExpired<C: LingeringConnection>(now: UInt64, in table: [C?]) -> C? {
        while let entry = nextDue(now: now) {
            let index = Int(entry.fd)
            guard index >= 0, index < table.count, let connection = table[index] else { continue }
            if connection.isOpen, connection.draining, connection.generation == entry.generation { return connection }
        }
        return nil
    }

    private mutating func push(fd: Int32, generation: UInt32, now: UInt64) {
        entries.append((fd, generation, now + LingeringClose.nanoseconds))
    }

    /// The next entry whose deadline has passed, or nil when none is due. At nil, the consumed
    /// head is dropped.
    private mutating func nextDue(now: UInt64) -> (fd: Int32, generation: UInt32)? {
        if head < entries.count, entries[head].deadline <= now {
            let entry = entries[head]
            head += 1
            return (entry.fd, entry.generation)
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return nil
    }
}
