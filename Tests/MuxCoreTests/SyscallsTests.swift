import MuxCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SyscallsTests {
    @Test func eagainIsAValueAndEveryCallIsCounted() throws {
        let syscalls = Syscalls()
        let pair = SocketPair()
        var buffer = [UInt8](repeating: 0, count: 16)
        let empty = try buffer.withUnsafeMutableBytes { try syscalls.read(pair.a, $0.baseAddress!, 16) }
        #expect(empty == .wouldBlock)
        pair.send(42)
        let got = try buffer.withUnsafeMutableBytes { try syscalls.read(pair.a, $0.baseAddress!, 16) }
        #expect(got == .transferred(1) && buffer[0] == 42)
        #expect(syscalls.counters.read == 2)
        #expect(syscalls.counters.readEAGAIN == 1)
        close(pair.b)
        let eof = try buffer.withUnsafeMutableBytes { try syscalls.read(pair.a, $0.baseAddress!, 16) }
        #expect(eof == .endOfFile)
        #expect(syscalls.counters.readEOF == 1)
    }

    @Test func errnoBecomesATypedError() throws {
        let syscalls = Syscalls()
        var byte: UInt8 = 0
        #expect(throws: SyscallError("read", EBADF)) { _ = try syscalls.read(9999, &byte, 1) }
        let error = SyscallError("read", ECONNRESET)
        #expect(error.name == "ECONNRESET")
        #expect(error.isPeerGone)
        #expect(SyscallError("accept4", EMFILE).isDescriptorExhaustion)
        #expect(syscalls.counters.read == 1)
    }

    /// A kernel without epoll_pwait2 (< 5.11) answers ENOSYS: that call and the epoll_wait
    /// after it are two calls, both counted; later waits go straight to epoll_wait (one each).
    @Test func epollPwait2FallbackCountsEveryCallMade() throws {
        let syscalls = Syscalls(epollWaitNanoseconds: { _, _, _, _ in errno = ENOSYS; return -1 })
        let mux = try EpollMultiplexer(syscalls: syscalls, edgeTriggered: false, maxEvents: 8)
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        pair.send()
        let before = syscalls.counters.wait
        #expect(try mux.wait(timeoutNanoseconds: 100_000_000) == 1, "the fallback still waits and reports")
        #expect(syscalls.counters.wait == before + 2, "epoll_pwait2 (ENOSYS) and epoll_wait")
        #expect(try mux.wait(timeoutNanoseconds: 100_000_000) == 1)
        #expect(syscalls.counters.wait == before + 3, "pwait2 is known missing: one epoll_wait")
        #expect(syscalls.counters.events == 2)
    }

    /// Where epoll_pwait2 exists (this kernel), one wait is one call.
    @Test func epollPwait2IsOneCall() throws {
        let syscalls = Syscalls()
        let mux = try EpollMultiplexer(syscalls: syscalls, edgeTriggered: false, maxEvents: 8)
        let pair = SocketPair()
        try mux.register(fd: pair.a, interest: .read)
        pair.send()
        #expect(try mux.wait(timeoutNanoseconds: 100_000_000) == 1)
        #expect(syscalls.counters.wait == 1)
    }

    @Test func countersSubtractOverAWindow() {
        var start = SyscallCounters()
        start.read = 10
        start.write = 3
        var end = start
        end.read = 25
        end.write = 4
        end.wait = 2
        let window = end.subtracting(start)
        #expect(window.read == 15 && window.write == 1 && window.wait == 2)
        #expect(window.total == 18)
    }

    @Test func listenOnEphemeralPortAndConnect() throws {
        let syscalls = Syscalls()
        let address = try SocketAddress(host: "127.0.0.1", port: 0)
        let listener = try Socket.listen(on: address, syscalls: syscalls)
        defer { syscalls.close(listener.fd) }
        #expect(listener.port != 0)
        let client = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: listener.port), syscalls: syscalls)
        defer { syscalls.close(client) }
        var pfd = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
        #expect(poll(&pfd, 1, 1000) == 1)
        #expect(Socket.pendingError(of: client) == 0)
        usleep(10_000)
        guard case let .accepted(server) = try syscalls.accept(listener.fd) else {
            Issue.record("no connection to accept")
            return
        }
        syscalls.close(server)
        #expect(try syscalls.accept(listener.fd) == .wouldBlock)
    }

    @Test func badHostIsRefused() {
        #expect(throws: AddressError.invalidHost("0.0.0.0.0")) { _ = try SocketAddress(host: "0.0.0.0.0", port: 1) }
    }
}
