// "Bytes in → bytes out" for echo and HTTP, with no I/O in it: the readiness loop and the
// completion loop both hand it what arrived on a connection and send what it returns, so the
// protocols are written once whatever the I/O model. Hot path: no allocation (replies are
// assembled in scratch memory owned here; partial HTTP requests carry over in the caller's buffer).
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
        // The replies to every request one read can hold (≥ minimumRequestBytes each) fit.
        replyScratchSize = (readSize / HTTPResponses.minimumRequestBytes + 1) * HTTPResponses.maximumLength
        replyScratch = .allocate(byteCount: replyScratchSize, alignment: 16)
    }

    deinit { replyScratch.deallocate() }

    /// `count` bytes (at most `readSize`) arrived on a connection whose unparsed input is `input`.
    /// Echo replies with the bytes themselves; HTTP with every complete request's reply, in order.
    @inline(__always)
    func respond(to bytes: UnsafeMutableRawPointer, count: Int, input: inout ByteBuffer,
                 statistics: inout ServerStatistics) -> Reply {
        switch wireProtocol {
        case .echo:
            statistics.requests &+= 1
            return Reply(bytes: UnsafeRawPointer(bytes), count: count, closeAfterReply: false)
        case .http:
            return answerHTTP(bytes, count, input: &input, statistics: &statistics)
        }
    }

    /// Parses every complete request now buffered and assembles their replies, in order, in the
    /// reply scratch. Unparsed bytes are kept in `input`.
    private func answerHTTP(_ bytes: UnsafeMutableRawPointer, _ count: Int, input: inout ByteBuffer,
                            statistics: inout ServerStatistics) -> Reply {
        var pending: UnsafeRawBufferPointer
        let carried = !input.isEmpty
        if carried {
            input.append(bytes, count: count)
            pending = input.readableBytes
        } else {
            pending = UnsafeRawBufferPointer(start: bytes, count: count)
        }
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
        if carried {
            input.consume(consumed)
        } else if consumed < pending.count {
            input.append(pending.baseAddress! + consumed, count: pending.count - consumed)
        }
        return Reply(bytes: UnsafeRawPointer(replyScratch), count: replyLength, closeAfterReply: closeAfterReply)
    }
}
