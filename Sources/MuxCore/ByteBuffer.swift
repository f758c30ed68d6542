// A growable byte buffer with a read cursor, allocated once and reused: the per-connection
// input and pending-output store. Growth happens per connection (rarely), never per request
// once a connection's buffer has reached its working size.

public struct ByteBuffer {
    public private(set) var storage: UnsafeMutableRawPointer?
    public private(set) var capacity = 0
    public private(set) var readIndex = 0
    public private(set) var writeIndex = 0

    public init() {}

    public var count: Int { writeIndex - readIndex }
    public var isEmpty: Bool { writeIndex == readIndex }
    public var readPointer: UnsafeRawPointer { UnsafeRawPointer(storage!) + readIndex }
    public var readableBytes: UnsafeRawBufferPointer {
        guard let storage else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: storage + readIndex, count: count)
    }

    /// Makes room for `extra` more bytes at the end, compacting first and growing if needed.
    public mutating func reserve(_ extra: Int) {
        if writeIndex + extra <= capacity { return }
        if readIndex > 0 {
            if count > 0 { storage!.copyMemory(from: storage! + readIndex, byteCount: count) }
            writeIndex -= readIndex
            readIndex = 0
            if writeIndex + extra <= capacity { return }
        }
        var newCapacity = max(capacity, 4096)
        while newCapacity < writeIndex + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let storage {
            grown.copyMemory(from: storage, byteCount: writeIndex)
            storage.deallocate()
        }
        storage = grown
        capacity = newCapacity
    }

    public mutating func append(_ bytes: UnsafeRawPointer, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (storage! + writeIndex).copyMemory(from: bytes, byteCount: n)
        writeIndex += n
    }

    /// Space at the end to read into; follow with `commit`.
    public mutating func writableSpace(atLeast n: Int) -> UnsafeMutableRawBufferPointer {
        reserve(n)
        return UnsafeMutableRawBufferPointer(start: storage! + writeIndex, count: capacity - writeIndex)
    }

    public mutating func commit(_ n: Int) { writeIndex += n }

    public mutating func consume(_ n: Int) {
        readIndex += n
        if readIndex == writeIndex { readIndex = 0; writeIndex = 0 }
    }

    public mutating func clear() { readIndex = 0; writeIndex = 0 }

    /// Frees the storage; the owner calls this exactly once, when it is done with the buffer.
    public mutating func deallocate() {
        storage?.deallocate()
        storage = nil
        capacity = 0
        clear()
    }
}
