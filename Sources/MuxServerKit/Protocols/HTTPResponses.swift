// The server's fixed HTTP replies, copied from static memory: nothing formatted per request.

public enum HTTPResponses {
    public enum Kind {
        case okKeepAlive, okClose, badRequest
    }

    static let okKeepAlive: StaticString =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\nHello, world!"
    static let okClose: StaticString =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, world!"
    static let badRequest: StaticString =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\nBad Request\n"

    /// The shortest request the parser accepts ("A / HTTP/1.1\r\n\r\n"): sizes the reply scratch.
    static let minimumRequestBytes = 16
    /// No reply is longer than this.
    static let maximumLength = 128

    static func bytes(_ kind: Kind) -> StaticString {
        switch kind {
        case .okKeepAlive: return okKeepAlive
        case .okClose: return okClose
        case .badRequest: return badRequest
        }
    }

    /// Copies the reply to `destination`; returns its length.
    @inline(__always)
    static func write(_ kind: Kind, to destination: UnsafeMutableRawPointer) -> Int {
        let reply = bytes(kind)
        destination.copyMemory(from: reply.utf8Start, byteCount: reply.utf8CodeUnitCount)
        return reply.utf8CodeUnitCount
    }
}
