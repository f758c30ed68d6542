/// The connections in a lingering close, oldest first. Each deadline is now + a constant, so the
/// queue is in deadline order and only its head can be due: popping is O(1), and the array is
/// reused (emptied, or compacted once the consumed head is large) instead of reallocated.
/// Entries carry the connection's generation, so a deadline cannot close a later connection
/// that reused the fd. Both server loops keep one.
struct LingeringCloses {
    private var entries: [(fd: Int32, generation: UInt32, deadline: UInt64)] = []
    private var head = 0

    var isEmpty: Bool { head == entries.count }

    /// The earliest deadline; 0 when none is queued.
    var nextDeadline: UInt64 { head < entries.count ? entries[head].deadline : 0 }

    mutating func push(fd: Int32, generation: UInt32, now: UInt64) {
        entries.append((fd, generation, now + LingeringClose.nanoseconds))
    }

    /// The next entry whose deadline has passed, or nil when none is due; the caller closes it
    /// if its slot still holds that generation, draining. At nil, the consumed head is dropped.
    mutating func nextDue(now: UInt64) -> (fd: Int32, generation: UInt32)? {
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
