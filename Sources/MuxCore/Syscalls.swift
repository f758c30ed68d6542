// The only place MuxBench calls raw syscalls on the hot path, and the only place a counter is
// bumped (`counters` is read-only outside). Each wrapper:
//   - bumps one plain counter by kind (no lock, no syscall: the loop is single-threaded),
//   - retries EINTR,
//   - returns EAGAIN as a value (`.wouldBlock`), never as an error,
//   - turns any other errno into a typed `SyscallError`.
import CMuxShim
#if canImport(Glibc)
import Glibc
#endif

/// Calls by kind, as Sources/README.md (How syscalls are counted) counts them, plus the
/// sub-counts that explain them.
public struct SyscallCounters: Equatable, Sendable {
    public var wait: UInt64 = 0        // select / poll / epoll_wait
    public var ctl: UInt64 = 0         // epoll_ctl
    public var accept: UInt64 = 0
    public var read: UInt64 = 0
    public var write: UInt64 = 0
    public var close: UInt64 = 0
    public var other: UInt64 = 0       // socket, setsockopt, signalfd reads, ...
    public var readEAGAIN: UInt64 = 0  // reads that found nothing: wasted wake-ups
    public var readEOF: UInt64 = 0     // reads that returned 0
    public var writeEAGAIN: UInt64 = 0
    public var acceptEAGAIN: UInt64 = 0
    public var events: UInt64 = 0      // ready events returned by all wait calls
    // io_uring's work instead of syscalls (0 for the other backends): every io_uring_enter
    // counts as a `wait`; these say what it carried.
    public var sqes: UInt64 = 0        // submission queue entries the kernel consumed
    public var cqes: UInt64 = 0        // completion queue entries reaped

    public init() {}

    public var total: UInt64 { wait + ctl + accept + read + write + close + other }

    /// `self - earlier`, field by field: the calls made over a window.
    public func subtracting(_ earlier: SyscallCounters) -> SyscallCounters {
        var d = SyscallCounters()
        d.wait = wait &- earlier.wait
        d.ctl = ctl &- earlier.ctl
        d.accept = accept &- earlier.accept
        d.read = read &- earlier.read
        d.write = write &- earlier.write
        d.close = close &- earlier.close
        d.other = other &- earlier.other
        d.readEAGAIN = readEAGAIN &- earlier.readEAGAIN
        d.readEOF = readEOF &- earlier.readEOF
        d.writeEAGAIN = writeEAGAIN &- earlier.writeEAGAIN
        d.acceptEAGAIN = acceptEAGAIN &- earlier.acceptEAGAIN
        d.events = events &- earlier.events
        d.sqes = sqes &- earlier.sqes
        d.cqes = cqes &- earlier.cqes
        return d
    }

    /// Name → value pairs in a fixed order, for JSON lines and CSV columns.
    public var fields: [(String, UInt64)] {
        [("wait", wait), ("ctl", ctl), ("accept", accept), ("read", read), ("write", write),
         ("close", close), ("other", other), ("read_eagain", readEAGAIN), ("read_eof", readEOF),
         ("write_eagain", writeEAGAIN), ("accept_eagain", acceptEAGAIN), ("events", events),
         ("sqes", sqes), ("cqes", cqes)]
    }
}

/// A failed syscall: which call, and errno with its readable name.
public struct SyscallError: Error, Equatable, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32

    public init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }

    public var name: String { String(cString: mux_errno_name(code)) }
    public var description: String { "\(call): \(name) (\(String(cString: strerror(code))))" }

    /// The peer went away: ECONNRESET, EPIPE and friends end that connection quietly.
    public var isPeerGone: Bool {
        code == ECONNRESET || code == EPIPE || code == ECONNABORTED || code == ETIMEDOUT
            || code == EHOSTUNREACH || code == ENOTCONN
    }

    /// The process or system is out of descriptors.
    public var isDescriptorExhaustion: Bool { code == EMFILE || code == ENFILE }
}

/// A read or write that may find the socket not ready.
public enum IOResult: Equatable, Sendable {
    case transferred(Int)
    case endOfFile
    case wouldBlock
}

public enum AcceptResult: Equatable, Sendable {
    case accepted(Int32)
    case wouldBlock
}

/// One per event loop (not thread-safe by design: a loop is single-threaded).
public final class Syscalls {
    public private(set) var counters = SyscallCounters()

    /// epoll_pwait2's C signature: what `epollWait(timeoutNanoseconds:)` calls first.
    public typealias EpollWaitNanoseconds = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int64) -> Int32
    private let epollWaitNanoseconds: EpollWaitNanoseconds
    private var epollPwait2Missing = false

    /// The real one: epoll_pwait2 (epoll_wait when the timeout is infinite).
    public static let epollPwait2: EpollWaitNanoseconds = { mux_epoll_wait_ns($0, $1, $2, $3) }

    /// `epollWaitNanoseconds` is the real epoll_pwait2 except in tests, which stand in one that
    /// fails (ENOSYS, as on kernels older than 5.11, or a broken wait).
    public init(epollWaitNanoseconds: EpollWaitNanoseconds = Syscalls.epollPwait2) {
        self.epollWaitNanoseconds = epollWaitNanoseconds
    }

    @inline(__always)
    public func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SyscallError) -> IOResult {
        while true {
            counters.read &+= 1
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .transferred(n) }
            if n == 0 { counters.readEOF &+= 1; return .endOfFile }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { counters.readEAGAIN &+= 1; return .wouldBlock }
            throw SyscallError("read", e)
        }
    }

    @inline(__always)
    public func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) throws(SyscallError) -> IOResult {
        while true {
            counters.write &+= 1
            let n = Glibc.write(fd, buffer, count)
            if n >= 0 { return .transferred(n) }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { counters.writeEAGAIN &+= 1; return .wouldBlock }
            throw SyscallError("write", e)
        }
    }

    /// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: one call, the new socket ready for the loop.
    public func accept(_ listener: Int32) throws(SyscallError) -> AcceptResult {
        while true {
            counters.accept &+= 1
            let fd = mux_accept4_nonblocking(listener)
            if fd >= 0 { return .accepted(fd) }
            let e = errno
            if e == EINTR || e == ECONNABORTED { continue }
            if e == EAGAIN || e == EWOULDBLOCK { counters.acceptEAGAIN &+= 1; return .wouldBlock }
            throw SyscallError("accept4", e)
        }
    }

    /// Reads one pending signal from a signalfd: its number, or nil when none is pending. A
    /// `read`, as the kernel files it; the sub-counts (`readEAGAIN`, `readEOF`) stay the
    /// connections' own, so finding no signal pending is not a read that found nothing there.
    public func readSignal(_ fd: Int32) throws(SyscallError) -> Int32? {
        while true {
            counters.read &+= 1
            let signal = mux_signalfd_read(fd)
            if signal > 0 { return signal }
            if signal == 0 { return nil }
            let e = errno
            if e == EINTR { continue }
            throw SyscallError("read(signalfd)", e)
        }
    }

    /// close(2) is not retried on EINTR on Linux: the descriptor is gone either way.
    public func close(_ fd: Int32) {
        counters.close &+= 1
        _ = Glibc.close(fd)
    }

    // ---- the multiplexers' own calls -----------------------------------------------------

    public func epollWait(_ epfd: Int32, _ buffer: UnsafeMutableRawPointer, _ capacity: Int32,
                          _ timeoutMs: Int32) throws(SyscallError) -> Int {
        counters.wait &+= 1
        let n = mux_epoll_wait(epfd, buffer, capacity, timeoutMs)
        if n >= 0 { counters.events &+= UInt64(n); return Int(n) }
        let e = errno
        if e == EINTR { return 0 }  // the loop comes round again; the timeout is recomputed there
        throw SyscallError("epoll_wait", e)
    }

    /// epoll_wait with a nanosecond timeout (epoll_pwait2): open-loop pacing needs better than
    /// epoll_wait's milliseconds. Falls back to whole milliseconds, rounded up, where missing.
    public func epollWait(_ epfd: Int32, _ buffer: UnsafeMutableRawPointer, _ capacity: Int32,
                          timeoutNanoseconds: Int64) throws(SyscallError) -> Int {
        var n: Int32 = -1
        if !epollPwait2Missing {
            counters.wait &+= 1
            n = epollWaitNanoseconds(epfd, buffer, capacity, timeoutNanoseconds)
        }
        if epollPwait2Missing || (n < 0 && errno == ENOSYS) {
            // The kernel said ENOSYS once: that call was made and is counted; from now on only
            // epoll_wait is called, so a wait is one syscall again.
            epollPwait2Missing = true
            counters.wait &+= 1
            let milliseconds = timeoutNanoseconds < 0 ? -1 : min((timeoutNanoseconds + 999_999) / 1_000_000, 60_000)
            n = mux_epoll_wait(epfd, buffer, capacity, Int32(milliseconds))
        }
        if n >= 0 { counters.events &+= UInt64(n); return Int(n) }
        let e = errno
        if e == EINTR { return 0 }
        throw SyscallError(epollPwait2Missing ? "epoll_wait" : "epoll_pwait2", e)
    }

    public func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ events: UInt32, _ data: UInt64) throws(SyscallError) {
        while true {
            counters.ctl &+= 1
            if mux_epoll_ctl(epfd, op, fd, events, data) == 0 { return }
            let e = errno
            if e == EINTR { continue }
            throw SyscallError("epoll_ctl", e)
        }
    }

    public func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: Int, _ timeoutMs: Int32) throws(SyscallError) -> Int {
        counters.wait &+= 1
        let n = Glibc.poll(fds, nfds_t(count), timeoutMs)
        if n >= 0 { counters.events &+= UInt64(n); return Int(n) }
        let e = errno
        if e == EINTR { return 0 }
        throw SyscallError("poll", e)
    }

    public func select(_ nfds: Int32, _ readSet: UnsafeMutablePointer<fd_set>, _ writeSet: UnsafeMutablePointer<fd_set>,
                       _ timeout: UnsafeMutablePointer<timeval>?) throws(SyscallError) -> Int {
        counters.wait &+= 1
        let n = mux_select(nfds, readSet, writeSet, nil, timeout)
        if n >= 0 { counters.events &+= UInt64(n); return Int(n) }
        let e = errno
        if e == EINTR { return 0 }
        throw SyscallError("select", e)
    }

    /// One io_uring_enter: submits what `ring` has written and waits for `waitFor` completions
    /// or the timeout (nanoseconds, -1: none). A `wait`; the SQEs it consumed are counted in
    /// `sqes`. EINTR returns 0, and so does EBUSY: completions overflowed the CQ and wait in the
    /// kernel (IORING_FEAT_NODROP); reaping what is there lets them in.
    @inline(__always)
    public func ioUringEnter(_ ring: UnsafeMutablePointer<mux_ring>, waitFor: UInt32,
                             timeoutNanoseconds: Int64) throws(SyscallError) -> Int {
        counters.wait &+= 1
        let n = mux_ring_enter(ring, waitFor, timeoutNanoseconds)
        if n >= 0 { counters.sqes &+= UInt64(n); return Int(n) }
        if n == -EINTR || n == -EBUSY { return 0 }
        throw SyscallError("io_uring_enter", -n)
    }

    /// Completions reaped from an io_uring's CQ (no syscall: they are read from shared memory).
    @inline(__always)
    public func recordReaped(completions count: Int) { counters.cqes &+= UInt64(count) }

    /// Ready events a wait delivered, where the backend finds them after the call (io_uring's
    /// CQEs turned into events) rather than as the call's result.
    @inline(__always)
    public func recordDelivered(events count: Int) { counters.events &+= UInt64(count) }

    /// A call made through another API: a C helper that makes exactly one call and reports in
    /// its own way (-errno, a struct), or getrusage inside ProcessCPUTime. Counted as one call of
    /// `kind` before it is made; its result is handed back as is, for the caller to judge.
    @inline(__always)
    public func counted<Result>(_ kind: SyscallKind, _ call: () -> Result) -> Result {
        counters[kind] &+= 1
        return call()
    }

    /// open(2) (openat in the kernel), read-only and close-on-exec: counted as `other`.
    public func openReadOnly(_ path: String) throws(SyscallError) -> Int32 {
        try other("open \(path)") { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
    }

    /// Any other call (socket, setsockopt, bind, ...): counted as `other`, errno typed.
    @discardableResult
    public func other(_ call: String, _ body: () -> Int32) throws(SyscallError) -> Int32 {
        while true {
            counters.other &+= 1
            let result = body()
            if result >= 0 { return result }
            let e = errno
            if e == EINTR { continue }
            throw SyscallError(call, e)
        }
    }
}
