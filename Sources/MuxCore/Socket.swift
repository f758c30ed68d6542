// Listening and connecting TCP sockets over IPv4 loopback. The caller owns every descriptor
// these return and closes it exactly once.
#if canImport(Glibc)
import Glibc
#endif

public enum AddressError: Error, Equatable, CustomStringConvertible {
    case invalidHost(String)
    public var description: String {
        switch self {
        case let .invalidHost(h): return "'\(h)' is not an IPv4 address (use e.g. 127.0.0.1)"
        }
    }
}

/// An IPv4 address and port, ready for bind/connect.
public struct SocketAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    fileprivate var address: in_addr

    public init(host: String, port: UInt16) throws(AddressError) {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var parsed = in_addr()
        guard inet_pton(AF_INET, literal, &parsed) == 1 else { throw .invalidHost(host) }
        self.host = literal
        self.port = port
        self.address = parsed
    }

    public var description: String { "\(host):\(port)" }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool { a.host == b.host && a.port == b.port }

    fileprivate func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = sockaddr_in()
        storage.sin_family = sa_family_t(AF_INET)
        storage.sin_port = port.bigEndian
        storage.sin_addr = address
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

public enum Socket {
    /// A non-blocking listening socket on `address` (port 0: ephemeral). Returns it and the port
    /// actually bound.
    public static func listen(on address: SocketAddress, backlog: Int32 = 4096,
                              syscalls: Syscalls) throws(SyscallError) -> (fd: Int32, port: UInt16) {
        let fd = try syscalls.other("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var one: Int32 = 1
            try syscalls.other("setsockopt(SO_REUSEADDR)") {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            try syscalls.other("bind \(address)") { address.withSockaddr { bind(fd, $0, $1) } }
            try syscalls.other("listen") { Glibc.listen(fd, backlog) }
            return (fd, try localPort(of: fd))
        } catch {
            syscalls.close(fd)
            throw error
        }
    }

    /// The port a socket is bound to.
    public static func localPort(of fd: Int32) throws(SyscallError) -> UInt16 {
        var storage = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw SyscallError("getsockname", errno) }
        return UInt16(bigEndian: storage.sin_port)
    }

    /// Starts a non-blocking connect from `source` (optional local address, any port) to
    /// `address`. Returns the socket; completion is signalled by writability (see `pendingError`).
    /// Throws with the syscall named: "socket" (EMFILE: the fd limit), "bind" (EADDRINUSE /
    /// EADDRNOTAVAIL: ports exhausted), "connect".
    public static func connect(to address: SocketAddress, from source: SocketAddress? = nil,
                               syscalls: Syscalls) throws(SyscallError) -> Int32 {
        let fd = try syscalls.other("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(SyscallError) {
            if let source {
                // Lets the kernel pick the port at connect time from the 4-tuple, so every
                // source address has its own ephemeral range.
                var one: Int32 = 1
                try syscalls.other("setsockopt(IP_BIND_ADDRESS_NO_PORT)") {
                    setsockopt(fd, Int32(IPPROTO_IP), 24 /* IP_BIND_ADDRESS_NO_PORT */, &one, socklen_t(MemoryLayout<Int32>.size))
                }
                try syscalls.other("bind") { source.withSockaddr { bind(fd, $0, $1) } }
            }
            while true {
                let rc = syscalls.counted(.other) { address.withSockaddr { Glibc.connect(fd, $0, $1) } }
                if rc == 0 || errno == EINPROGRESS { break }
                if errno == EINTR { continue }
                throw SyscallError("connect", errno)
            }
            return fd
        } catch {
            syscalls.close(fd)
            throw error
        }
    }

    /// SO_ERROR: 0 once a non-blocking connect has succeeded, else its errno.
    public static func pendingError(of fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Small request/reply exchanges must not wait for Nagle's algorithm.
    public static func setNoDelay(_ fd: Int32, syscalls: Syscalls) throws(SyscallError) {
        var one: Int32 = 1
        try syscalls.other("setsockopt(TCP_NODELAY)") {
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    public static func setSendBuffer(_ fd: Int32, bytes: Int32, syscalls: Syscalls) throws(SyscallError) {
        var size = bytes
        try syscalls.other("setsockopt(SO_SNDBUF)") {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0): how tests simulate a peer reset.
    public static func setLingerZero(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }
}
