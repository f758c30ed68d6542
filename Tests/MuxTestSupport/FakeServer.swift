// A small misbehaving echo server for tests of the load generator: blocking sockets, a thread
// per connection (fine for the ≤ 50 connections the tests open), listening on 127.0.0.1:0.
// It echoes faithfully except for the one fault its mode asks for, and stops cleanly: `stop()`
// wakes every blocked accept/read with shutdown(2) and waits for each thread to end.
import Foundation
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public final class FakeServer: @unchecked Sendable {
    public enum Mode: Sendable {
        /// A faithful echo server.
        case echo
        /// Echoes, except that no connection replies during the stall set by `stall(from:for:)`.
        case stall
        /// Flips one byte of the echoed stream, once, after `afterBytes` bytes were echoed in all.
        case corruptOneByte(afterBytes: Int)
        /// Once, after `afterBytes` bytes were echoed in all: echoes half of the next chunk it
        /// read, then closes that connection (a reply cut short).
        case closeMidReply(afterBytes: Int)
    }

    public let mode: Mode
    public let port: UInt16
    private let listenFD: Int32
    private let lock = NSLock()
    private let threads = DispatchGroup()
    // Guarded by `lock`.
    private var openFDs: Set<Int32> = []
    private var stopping = false
    private var echoedBytes = 0
    private var faultDone = false
    private var stallStart: UInt64 = .max
    private var stallEnd: UInt64 = 0
    private var longestHold: UInt64 = 0
    private var accepted = 0
    private var listenClosed = false

    public init(mode: Mode = .echo) throws {
        self.mode = mode
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && listen(fd, 512) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { let e = errno; close(fd); throw TestFailure("bind/listen: errno \(e)") }
        listenFD = fd
        port = UInt16(bigEndian: address.sin_port)
        threads.enter()
        spawn { [self] in acceptLoop(); threads.leave() }
    }

    /// `.stall` mode: from monotonic time `start` (ns) for `seconds`, nothing is replied.
    public func stall(from start: UInt64, for seconds: Double) {
        lock.withLock {
            stallStart = start
            stallEnd = start + UInt64(seconds * 1e9)
        }
    }

    /// The longest a reply was really held by the stall, in µs (the scheduler can make it longer
    /// than asked): what a test compares the latencies the load generator saw with.
    public var longestStallMicroseconds: Double { lock.withLock { Double(longestHold) / 1000 } }

    /// Connections accepted so far.
    public var acceptedConnections: Int { lock.withLock { accepted } }

    /// Whether the mode's one fault has happened.
    public var faultInjected: Bool { lock.withLock { faultDone } }

    /// Wakes and ends every thread, closes every socket; waits up to `timeout` seconds.
    @discardableResult
    public func stop(timeout: Double = 10) -> Bool {
        lock.withLock {
            stopping = true
            shutdown(listenFD, Int32(SHUT_RDWR))
            for fd in openFDs { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        let finished = threads.wait(timeout: .now() + timeout) == .success
        if finished { close(listenFD); listenClosed = true }
        return finished
    }

    // Every thread holds the server, so this runs once they have all ended (after `stop()`).
    deinit {
        if !listenClosed { close(listenFD) }
    }

    // MARK: - Threads

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 256 << 10
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // shut down by stop(), or a real failure: either way, no more connections
            }
            let admitted = lock.withLock { () -> Bool in
                guard !stopping else { return false }
                openFDs.insert(fd)
                accepted += 1
                return true
            }
            guard admitted else { close(fd); return }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            threads.enter()
            spawn { [self] in serve(fd); threads.leave() }
        }
    }

    private enum Action { case echo, corrupt(at: Int), cutShort }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { _ = openFDs.remove(fd) }
            close(fd)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            // A stall holds the reply to what was read until it is over.
            let stallUntil = lock.withLock { () -> UInt64 in
                let now = monotonicNanoseconds()
                return now >= stallStart && now < stallEnd ? stallEnd : 0
            }
            if stallUntil > 0 {
                let held = monotonicNanoseconds()
                if stallUntil > held { usleep(useconds_t((stallUntil - held) / 1000)) }
                let hold = monotonicNanoseconds() - held
                lock.withLock { longestHold = max(longestHold, hold) }
            }
            let action = lock.withLock { () -> Action in
                defer { echoedBytes += n }
                guard !faultDone else { return .echo }
                switch mode {
                case .echo, .stall:
                    return .echo
                case let .corruptOneByte(after) where echoedBytes + n > after:
                    faultDone = true
                    return .corrupt(at: max(0, after - echoedBytes))
                case let .closeMidReply(after) where echoedBytes >= after && n >= 2:
                    faultDone = true
                    return .cutShort
                default:
                    return .echo
                }
            }
            var count = n
            switch action {
            case .echo: break
            case let .corrupt(index): buffer[index] ^= 0x5A
            case .cutShort: count = n / 2
            }
            guard writeAll(fd, buffer, count) else { return }
            if case .cutShort = action { return }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            // MSG_NOSIGNAL: a client that has gone must not SIGPIPE the test process.
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}
