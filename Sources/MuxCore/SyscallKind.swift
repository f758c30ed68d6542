// The kinds the counting layer files every syscall under, each carrying what belongs to it: its
// counter in SyscallCounters, its column in a raw results row, and the kernel's calls of that
// kind as perf's syscalls:sys_enter_* tracepoints name them (what --verify-syscalls and an
// external server's counts add up). One list: the verifier, the columns and the counters
// message all read it here (Sources/README.md, How syscalls are counted).

public enum SyscallKind: String, CaseIterable, Sendable {
    case wait, ctl, accept, read, write, close, other

    /// The kernel's calls of this kind, by tracepoint name: glibc's select enters as `pselect6`,
    /// every io_uring_enter is a wait. `other` names none: it is every call no kind names.
    public var kernelCalls: [String] {
        switch self {
        case .wait: return ["select", "pselect6", "poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "io_uring_enter"]
        case .ctl: return ["epoll_ctl"]
        case .accept: return ["accept", "accept4"]
        case .read: return ["read", "readv", "pread64", "recvfrom", "recvmsg", "recvmmsg"]
        case .write: return ["write", "writev", "pwrite64", "sendto", "sendmsg", "sendmmsg", "sendfile64"]
        case .close: return ["close"]
        case .other: return []
        }
    }

    /// The kind of the kernel call `name` (a tracepoint name without `sys_enter_`): `other` when
    /// no kind names it.
    public init(kernelCall name: String) {
        self = Self.byKernelCall[name] ?? .other
    }

    private static let byKernelCall: [String: SyscallKind] =
        Dictionary(uniqueKeysWithValues: allCases.flatMap { kind in kind.kernelCalls.map { ($0, kind) } })

    /// Its column in a raw results row (ResultsSchema.columns): `sc_wait`, `sc_ctl`, ...
    public var column: String { "sc_" + rawValue }
}

extension SyscallCounters {
    /// The count of one kind.
    public subscript(kind: SyscallKind) -> UInt64 {
        @inline(__always) get {
            switch kind {
            case .wait: return wait
            case .ctl: return ctl
            case .accept: return accept
            case .read: return read
            case .write: return write
            case .close: return close
            case .other: return other
            }
        }
        @inline(__always) set {
            switch kind {
            case .wait: wait = newValue
            case .ctl: ctl = newValue
            case .accept: accept = newValue
            case .read: read = newValue
            case .write: write = newValue
            case .close: close = newValue
            case .other: other = newValue
            }
        }
    }
}
