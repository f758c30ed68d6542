/// A FIFO of timestamps (the send or intended-send times of a connection's requests in order).
/// Grows by doubling when a stall queues many requests; never shrinks, never allocates per push
/// once it has reached its working size.
struct TimeRing {
    private var storage: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int = 4) {
        self.capacity = max(1, capacity).nextPowerOfTwo
        storage = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func push(_ value: UInt64) {
        if count == capacity { grow() }
        storage[(head + count) & (capacity - 1)] = value
        count += 1
    }

    @inline(__always)
    mutating func popFirst() -> UInt64 {
        precondition(count > 0)
        let value = storage[head]
        head = (head + 1) & (capacity - 1)
        count -= 1
        return value
    }

    var first: UInt64? { count > 0 ? storage[head] : nil }

    mutating func removeAll() { head = 0; count = 0 }

    /// Each timestamp, oldest first.
    func forEach(_ body: (UInt64) -> Void) {
        for i in 0..<count { body(storage[(head + i) & (capacity - 1)]) }
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
        for i in 0..<count { bigger[i] = storage[(head + i) & (capacity - 1)] }
        storage.deallocate()
        storage = bigger
        capacity *= 2
        head = 0
    }

    /// The owner calls this once, when the connection's state is discarded.
    mutating func deallocate() { storage.deallocate() }
}

extension Int {
    var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
