// "Bytes in → bytes out" for echo, HTTP and redis's inline PING, with no I/O in it: the readiness loop and the
// completion loop both hand it what arrived on a connection and send what it returns, so the
// protocols are written once whatever the I/O model. Hot path: no allocation (replies are
// assembled in scratch memory owned here; partial requests carry over in the caller's buffer).
import MuxCore

final class ProtocolResponder {
    let wireProtocol: WireProtocol
    /// The most bytes `respond` is handed at once.
    let readSize: Int
    private let replyScratch: UnsafeMutableRawPointer
    private let replyScratchSize: Int

    /// Reply bytes (valid until the next `respond`), and whether the connection closes after them.
    struct Reply {
        var bytes: UnsafeRawPointer?
        var count: Int
        var closeAfterReply: Bool
    }

    init(wireProtocol: WireProtocol, readSize: Int) {
        self.wireProtocol = wireProtocol
        self.readSize = readSize
        // The replies to every request one read can hold (≥ minimumRequestBytes each) fit, with a
        // carried partial request and a closing error reply.
        let http = (readSize / HTTPResponses.minimumRequestBytes + 1) * HTTPResponses.maximumLength
        let redis = ((readSize + RedisInline.maximumLine) / RedisInline.minimumRequestBytes + 1) * RedisInline.pong.utf8CodeUnitCount
            + RedisInline.unknownCommand.utf8CodeUnitCount
        replyScratchSize = max(http, redis)
        replyScratch = .allocate(byteCount: replyScratchSize, alignment: 16)
    }

    deinit { replyScratch.deallocate() }

    /// `count` bytes (at most `readSize`) arrived on a connection whose unparsed input is `input`.
    /// Echo replies with the bytes themselves; HTTP and redis with every complete request's
    /// reply, in order.
    @inline(__always)
    func respond(to bytes: UnsafeMutableRawPointer, count: Int, input: inout ByteBuffer,
                 statistics: inout ServerStatistics) -> Reply {
        switch wireProtocol {
        case .echo:
            statistics.requests &+= 1
            return Reply(bytes: UnsafeRawPointer(bytes), count: count, closeAfterReply: false)
        case .http:
            return answerRequests(bytes, count, input: &input) { answerHTTP($0, statistics: &statistics) }
        case .redis:
            return answerRequests(bytes, count, input: &input) { answerRedis($0, statistics: &statistics) }
        }
    }

    /// What one parse of the buffered bytes did: bytes consumed, reply bytes written to the
    /// reply scratch, and whether the connection closes after them.
    private struct Parsed {
        var consumed = 0
        var replyLength = 0
        var closeAfterReply = false
    }

    /// Hands `parse` every byte buffered on the connection (what was carried over and what just
    /// arrived); the bytes it leaves unconsumed are kept in `input` for the next read.
    @inline(__always)
    private func answerRequests(_ bytes: UnsafeMutableRawPointer, _ count: Int, input: inout ByteBuffer,
                                parse: (UnsafeRawBufferPointer) -> Parsed) -> Reply {
        let pending: UnsafeRawBufferPointer
        let carried = !input.isEmpty
        if carried {
            input.append(bytes, count: count)
            pending = input.readableBytes
        } else {
            pending = UnsafeRawBufferPointer(start: bytes, count: count)
        }
        let parsed = parse(pending)
        if carried {
            input.consume(parsed.consumed)
        } else if parsed.consumed < pending.count {
            input.append(pending.baseAddress! + parsed.consumed, count: pending.count - parsed.consumed)
        }
        return Reply(bytes: UnsafeRawPointer(replyScratch), count: parsed.replyLength, closeAfterReply: parsed.closeAfterReply)
    }

    /// Every complete HTTP request's reply, in order, in the reply scratch.
    @inline(__always)
    private func answerHTTP(_ pending: UnsafeRawBufferPointer, statistics: inout ServerStatistics) -> Parsed {
        var replyLength = 0
        var consumed = 0
        var closeAfterReply = false
        parsing: while consumed < pending.count {
            let rest = UnsafeRawBufferPointer(rebasing: pending[consumed...])
            switch HTTPRequestParser.parse(rest) {
            case .incomplete:
                break parsing
            case let .request(length, keepAlive):
                statistics.requests &+= 1
                consumed += length
                replyLength += HTTPResponses.write(keepAlive ? .okKeepAlive : .okClose, to: replyScratch + replyLength)
                if !keepAlive {
                    closeAfterReply = true
                    consumed = pending.count  // nothing after a closing request is answered
                    break parsing
                }
            case .malformed:
                statistics.badRequests &+= 1
                replyLength += HTTPResponses.write(.badRequest, to: replyScratch + replyLength)
                closeAfterReply = true
                consumed = pending.count
                break parsing
            }
        }
        return Parsed(consumed: consumed, replyLength: replyLength, closeAfterReply: closeAfterReply)
    }

    /// `+PONG` for every complete inline PING, in order; an unknown command gets redis's error
    /// and closes the connection (nothing after it is answered).
    @inline(__always)
    private func answerRedis(_ pending: UnsafeRawBufferPointer, statistics: inout ServerStatistics) -> Parsed {
        var parsed = Parsed()
        parsing: while parsed.consumed < pending.count {
            switch RedisInline.parse(UnsafeRawBufferPointer(rebasing: pending[parsed.consumed...])) {
            case .incomplete:
                break parsing
            case let .empty(length):
                parsed.consumed += length
            case let .ping(length):
                statistics.requests &+= 1
                parsed.consumed += length
                parsed.replyLength += copy(RedisInline.pong, at: parsed.replyLength)
            case .malformed:
                statistics.badRequests &+= 1
                parsed.replyLength += copy(RedisInline.unknownCommand, at: parsed.replyLength)
                parsed.closeAfterReply = true
                parsed.consumed = pending.count
                break parsing
            }
        }
        return parsed
    }

    @inline(__always)
    private func copy(_ reply: StaticString, at offset: Int) -> Int {
        (replyScratch + offset).copyMemory(from: reply.utf8Start, byteCount: reply.utf8CodeUnitCount)
        return reply.utf8CodeUnitCount
    }
}
