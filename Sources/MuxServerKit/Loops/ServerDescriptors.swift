import CMuxShim
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

/// What both server loops start with: a signalfd for SIGUSR1/SIGINT/SIGTERM (blocked in the
/// calling thread first) and the listening socket (opened at once, so the port is known before the
/// loop runs). This value is their one owner: ~Copyable, so no copy can close them twice; its deinit
/// closes both through the counted layer, when the loop holding it ends or when the loop's init
/// throws after this was made. A start that fails closes what it had opened before it throws.
struct ServerDescriptors: ~Copyable {
    let listener: Int32
    let port: UInt16
    /// The signalfd: readable when one of the signals is pending.
    let control: Int32
    private let syscalls: Syscalls

    init(configuration: ServerConfiguration, syscalls: Syscalls) throws {
        let address = try SocketAddress(host: configuration.host, port: configuration.port)
        let signals: [Int32] = [SIGUSR1, SIGINT, SIGTERM]
        try syscalls.other("sigprocmask") { mux_block_signals(signals, Int32(signals.count)) }
        let signalFD = try syscalls.other("signalfd") { mux_signalfd_create(signals, Int32(signals.count)) }
        let listening: (fd: Int32, port: UInt16)
        do {
            listening = try Socket.listen(on: address, backlog: configuration.backlog, syscalls: syscalls)
        } catch {
            syscalls.close(signalFD)   // a busy port, say: nothing opened here outlives the failure
            throw error
        }
        listener = listening.fd
        port = listening.port
        control = signalFD
        self.syscalls = syscalls
    }

    deinit {
        syscalls.close(listener)
        syscalls.close(control)
    }
}
