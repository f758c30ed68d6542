// The backends, by the names users type, with the traits everything else derives from: every
// list, help text, skip rule, colour and chart legend reads them here. Adding a backend is one
// new file (the implementation) plus one case below: its traits row and its line in
// `withMultiplexer`, both in this file.
import CMuxShim

/// How a backend tells the loop about I/O.
public enum IOModel: String, CaseIterable, Sendable {
    /// "This descriptor is ready": the loop then calls read/write itself (the `Multiplexer` protocol).
    case readiness
    /// "This operation finished": the kernel did the read/write (its own server loop).
    case completion
}

/// What a backend is, beyond its name.
public struct BackendTraits: Sendable, Equatable {
    /// A readiness report is given once per change: readers drain to EAGAIN.
    public var isEdgeTriggered: Bool
    /// Highest descriptor + 1 it can watch (select's FD_SETSIZE), nil when unlimited.
    public var descriptorLimit: Int?
    /// What that limit is called, for messages ("FD_SETSIZE").
    public var descriptorLimitName: String? = nil
    public var model: IOModel
    /// Each wait costs time proportional to every watched descriptor, ready or not (select, poll):
    /// the backends the readiness-only ones are expected to beat at many idle connections.
    public var waitScansEveryDescriptor: Bool
    /// Needs io_uring (io_uring_setup may be refused: sysctl, seccomp, old kernel).
    public var usesIOUring: Bool
    /// Chart colour, fixed per backend so a sweep without some backends keeps the others' colours.
    public var colour: String
    /// Chart point type (gnuplot's numbering), fixed per backend like the colour.
    public var pointType: Int
    /// One line for help texts.
    public var summary: String
}

/// The backends in display order (help texts, sweeps, chart legends).
public enum Backend: String, CaseIterable, Sendable {
    case select
    case poll
    case epollLT = "epoll-lt"
    case epollET = "epoll-et"
    case ioUringPoll = "io-uring-poll"
    case ioUring = "io-uring"

    public var traits: BackendTraits {
        switch self {
        case .select:
            return BackendTraits(isEdgeTriggered: false, descriptorLimit: Int(MUX_FD_SETSIZE), descriptorLimitName: "FD_SETSIZE",
                                 model: .readiness, waitScansEveryDescriptor: true, usesIOUring: false, colour: "#d62728", pointType: 5,
                                 summary: "select(2), descriptors below FD_SETSIZE only")
        case .poll:
            return BackendTraits(isEdgeTriggered: false, descriptorLimit: nil, model: .readiness,
                                 waitScansEveryDescriptor: true, usesIOUring: false, colour: "#ff7f0e", pointType: 7,
                                 summary: "poll(2)")
        case .epollLT:
            return BackendTraits(isEdgeTriggered: false, descriptorLimit: nil, model: .readiness,
                                 waitScansEveryDescriptor: false, usesIOUring: false, colour: "#1f77b4", pointType: 9,
                                 summary: "epoll, level-triggered")
        case .epollET:
            return BackendTraits(isEdgeTriggered: true, descriptorLimit: nil, model: .readiness,
                                 waitScansEveryDescriptor: false, usesIOUring: false, colour: "#2ca02c", pointType: 11,
                                 summary: "epoll, edge-triggered")
        case .ioUringPoll:
            return BackendTraits(isEdgeTriggered: true, descriptorLimit: nil, model: .readiness,
                                 waitScansEveryDescriptor: false, usesIOUring: true, colour: "#9467bd", pointType: 13,
                                 summary: "io_uring multishot poll (readiness), plain read/write")
        case .ioUring:
            return BackendTraits(isEdgeTriggered: true, descriptorLimit: nil, model: .completion,
                                 waitScansEveryDescriptor: false, usesIOUring: true, colour: "#8c564b", pointType: 15,
                                 summary: "io_uring completions: multishot accept and recv, send")
        }
    }

    public static var names: [String] { allCases.map(\.rawValue) }
    /// The backends that implement `Multiplexer` (the readiness server loop).
    public static var multiplexed: [Backend] { allCases.filter { $0.traits.model == .readiness } }
    /// The backends a test or sweep can run here: io_uring ones only where io_uring_setup succeeds.
    public static var runnableHere: [Backend] { allCases.filter { $0.unavailableReason == nil } }

    /// The words that stand for a set of backends where a list of names is taken (a sweep's
    /// `backends` line): `all`, and each I/O model's name (`readiness`, `completion`).
    public static var groupNames: [String] { ["all"] + IOModel.allCases.map(\.rawValue) }

    /// The backends a group word stands for, in display order, or nil when `word` is no group.
    /// Derived from the cases and their traits, so a new backend joins its groups by itself.
    public static func group(named word: String) -> [Backend]? {
        if word == "all" { return allCases }
        guard let model = IOModel(rawValue: word) else { return nil }
        return allCases.filter { $0.traits.model == model }
    }

    /// "select, poll, epoll-lt, …": the list help texts and errors print.
    public static var nameList: String { names.joined(separator: ", ") }

    /// Why this backend cannot run on this machine (io_uring refused: errno and the sysctl), or nil.
    public var unavailableReason: String? {
        traits.usesIOUring ? IOURing.unavailableReason : nil
    }

    /// Why the server's on-writable write mode does not apply to this backend, or nil: every
    /// entry point (server flag, run flag, sweep file) refuses the pair with these words, so no
    /// row says on-writable for a run that did otherwise.
    public var onWritableRefusal: String? {
        traits.model == .completion
            ? "\(rawValue) is a completion backend: it submits each reply and never waits for writability, so the write mode on-writable does not apply (use immediate)"
            : nil
    }
}

/// Receives a backend's multiplexer as its concrete type, so generic code over it (the server
/// loop) is compiled once per backend rather than through an existential.
public protocol MultiplexerVisitor {
    associatedtype Result
    func visit<M: Multiplexer>(_ mux: M) throws -> Result
}

extension Backend {
    /// Creates this readiness backend's multiplexer and hands it to `visitor`: the choice of type
    /// is made here and nowhere else. Inlinable, so a caller's visitor is specialised per backend.
    /// A completion backend has no `Multiplexer` (it runs its own loop): asking for one throws.
    @inlinable
    public func withMultiplexer<V: MultiplexerVisitor>(syscalls: Syscalls, maxEvents: Int = 1024,
                                                      _ visitor: V) throws -> V.Result {
        switch self {
        case .select: return try visitor.visit(SelectMultiplexer(syscalls: syscalls))
        case .poll: return try visitor.visit(PollMultiplexer(syscalls: syscalls))
        case .epollLT: return try visitor.visit(EpollMultiplexer(syscalls: syscalls, edgeTriggered: false, maxEvents: maxEvents))
        case .epollET: return try visitor.visit(EpollMultiplexer(syscalls: syscalls, edgeTriggered: true, maxEvents: maxEvents))
        case .ioUringPoll: return try visitor.visit(IOURingPollMultiplexer(syscalls: syscalls, maxEvents: maxEvents))
        case .ioUring: throw MultiplexerError.completionBackend(self)
        }
    }
}

/// The multiplexer as an existential, for code that does not need it specialised (tests, tools).
private struct ExistentialMultiplexer: MultiplexerVisitor {
    func visit<M: Multiplexer>(_ mux: M) -> any Multiplexer { mux }
}

/// Creates the readiness backend named `backend` (see `Backend.withMultiplexer`).
public func makeMultiplexer(_ backend: Backend, syscalls: Syscalls, maxEvents: Int = 1024) throws -> any Multiplexer {
    try backend.withMultiplexer(syscalls: syscalls, maxEvents: maxEvents, ExistentialMultiplexer())
}
