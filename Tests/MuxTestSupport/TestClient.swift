// A blocking TCP client for tests, with timeouts so a broken server fails a test, not hangs it.
import Foundation
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public final class TestClient: @unchecked Sendable {
    public private(set) var fd: Int32

    /// `receiveBuffer` (set before connect, so the window stays small) makes a slow reader.
    public init(port: UInt16, timeout: Double = 10, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { let e = errno; Glibc.close(fd); throw TestFailure("connect to port \(port): errno \(e)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a server that closed on us fails this test (EPIPE), not the whole run (SIGPIPE).
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }  // a signal to this test process is no failure
            guard n > 0 else { throw TestFailure("write: errno \(errno)") }
            offset += n
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Exactly `count` bytes, or throws (timeout, EOF).
    public func receive(exactly count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, count - offset) }
            if n < 0, errno == EINTR { continue }
            if n == 0 { throw TestFailure("EOF after \(offset) of \(count) bytes") }
            if n < 0 { throw TestFailure("read: errno \(errno) after \(offset) of \(count) bytes") }
            offset += n
        }
        return bytes
    }

    /// Everything until the server closes (or the timeout).
    public func receiveUntilClose(limit: Int = 1 << 20) throws -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while all.count < limit {
            let n = read(fd, &chunk, chunk.count)
            if n < 0, errno == EINTR { continue }
            if n == 0 { return all }
            if n < 0 {
                if errno == ECONNRESET { return all }
                throw TestFailure("read: errno \(errno) after \(all.count) bytes (no close)")
            }
            all += chunk[0..<n]
        }
        return all
    }

    /// One HTTP response: head up to CRLFCRLF plus Content-Length body.
    public func receiveHTTPResponse() throws -> String {
        var head: [UInt8] = []
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
            head += try receive(exactly: 1)
        }
        let text = String(decoding: head, as: UTF8.self)
        var length = 0
        for line in text.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return text + String(decoding: try receive(exactly: length), as: UTF8.self)
    }

    /// Closes with RST (SO_LINGER 0) instead of FIN.
    public func reset() {
        Socket.setLingerZero(fd)
        close()
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}

