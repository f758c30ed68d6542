// Redis's inline protocol, as much of it as MuxBench needs to stand beside redis-server: a line
// `PING` (any case, `\r\n` or `\n`) is answered `+PONG\r\n`, as redis answers it; an empty line
// is skipped, as redis skips it; anything else gets redis's kind of error and the connection
// closes (mux-server is no key-value store). Replies come from static memory.

enum RedisInline {
    static let pong: StaticString = "+PONG\r\n"
    static let unknownCommand: StaticString = "-ERR unknown command: mux-server answers only PING\r\n"
    /// The shortest request ("PING\n") and the longest line looked at: a longer one is not PING.
    static let minimumRequestBytes = 5
    static let maximumLine = 64

    enum Parse: Equatable {
        case incomplete
        /// A `PING` line of `length` bytes, its line end included.
        case ping(length: Int)
        /// An empty line: consumed, no reply.
        case empty(length: Int)
        case malformed
    }

    /// The first line of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        let limit = min(bytes.count, maximumLine)
        var end = 0
        while end < limit, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        guard end < limit else { return bytes.count >= maximumLine ? .malformed : .incomplete }
        let length = end + 1
        var content = end
        if content > 0, bytes[content - 1] == UInt8(ascii: "\r") { content -= 1 }
        if content == 0 { return .empty(length: length) }
        guard content == 4 else { return .malformed }
        let ping: StaticString = "PING"
        for i in 0..<4 where bytes[i] | 0x20 != ping.utf8Start[i] | 0x20 { return .malformed }
        return .ping(length: length)
    }
}
