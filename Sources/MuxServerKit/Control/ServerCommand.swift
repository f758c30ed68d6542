// `mux-server`: flags → configuration → the loop specialised for the chosen backend.
import CMuxShim
import MuxCLI
import MuxCore
import MuxMessages
#if canImport(Glibc)
import Glibc
#endif

public enum ServerCommand {
    public static let parser = ArgumentParser(
        program: "mux-server",
        summary: """
        One single-threaded event loop over the chosen multiplexer, serving echo or HTTP on loopback.
        Prints a JSON ready line with the port once listening; SIGUSR1 prints the syscall and request
        counters as a JSON line; SIGINT/SIGTERM print them once more and exit 0. With --control stdin,
        a line `snapshot` on stdin does what SIGUSR1 does and stdin's end what SIGTERM does.
        """,
        usage: "mux-server --backend \(Backend.names.joined(separator: "|")) [options]",
        options: [
            OptionSpec("backend", short: "b", value: "NAME", default: "epoll-lt",
                       help: "multiplexer: \(Backend.nameList)"),
            OptionSpec("host", value: "ADDR", default: "127.0.0.1", help: "IPv4 address to listen on"),
            OptionSpec("port", short: "p", value: "N", default: "0", help: "TCP port (0: any free port)"),
            OptionSpec("protocol", value: "NAME", default: "echo", help: "echo, http or redis (inline PING → +PONG)"),
            OptionSpec("max-events", value: "N", default: "1024", help: "epoll_wait batch size"),
            OptionSpec("write-mode", value: "MODE", default: "immediate",
                       help: "immediate, or on-writable (switch interest to writable per reply, as the classic tutorials do; readiness backends only)"),
            OptionSpec("max-connections", value: "N", default: "unlimited",
                       help: "close connections beyond N at once (counted as rejected)"),
            OptionSpec("idle-timeout", value: "DURATION", default: "none", help: "close connections silent this long"),
            OptionSpec("send-buffer", value: "BYTES", default: "kernel autotuning",
                       help: "SO_SNDBUF of accepted sockets"),
            OptionSpec("output-limit", value: "BYTES", default: "256KiB",
                       help: "pending output per connection above which its reading pauses"),
            OptionSpec("ring-entries", value: "N", default: "4096",
                       help: "io-uring: submission queue entries (the completion queue gets 16x)"),
            OptionSpec("ring-buffers", value: "N", default: "1024",
                       help: "io-uring: provided receive buffers of 8 KiB (a power of two)"),
            OptionSpec("control", value: "CHANNEL", default: "signals",
                       help: "signals, or stdin: also a counters line per 'snapshot' line on stdin, and exit at its end (for a server started through ssh or ip netns exec)"),
        ])

    /// Parses flags into a configuration; bad input throws the one-line usage error.
    public static func configuration(from arguments: [String]) throws(UsageError) -> ServerConfiguration? {
        let parsed = try parser.parse(arguments)
        if parsed.helpRequested { return nil }
        let backendName = try parsed.choice("backend", Backend.names) ?? Backend.epollLT.rawValue
        var configuration = ServerConfiguration(backend: Backend(rawValue: backendName)!)
        if let host = parsed.string("host") {
            guard (try? SocketAddress(host: host, port: 0)) != nil else {
                throw UsageError(program: parser.program, message: "--host: expected an IPv4 address such as 127.0.0.1, got '\(host)'")
            }
            configuration.host = host
        }
        if let port = try parsed.integer(NumberRules.serverPort) { configuration.port = UInt16(port) }
        if let name = try parsed.choice("protocol", WireProtocol.allCases.map(\.rawValue)) {
            configuration.wireProtocol = WireProtocol(rawValue: name)!
        }
        if let n = try parsed.integer(NumberRules.maxEvents) { configuration.maxEvents = n }
        if let mode = try parsed.choice("write-mode", WriteMode.allCases.map(\.rawValue)) {
            configuration.writeMode = WriteMode(rawValue: mode)!
            if configuration.writeMode == .onWritable, let refusal = configuration.backend.onWritableRefusal {
                throw UsageError(program: parser.program, message: "--write-mode: \(refusal)")
            }
        }
        if let n = try parsed.integer(NumberRules.maxConnections) { configuration.maxConnections = n }
        if let t = try parsed.number(NumberRules.idleTimeout) { configuration.idleTimeoutSeconds = t }
        if let n = try parsed.integer(NumberRules.sendBuffer) { configuration.sendBufferBytes = Int32(n) }
        if let n = try parsed.integer(NumberRules.outputLimit) { configuration.outputHighWater = n }
        if let n = try parsed.integer(NumberRules.ringEntries) { configuration.ringEntries = UInt32(n) }
        if let n = try parsed.integer(NumberRules.ringBuffers) {
            guard n & (n - 1) == 0 else {
                throw UsageError(program: parser.program, message: "--ring-buffers: expected a power of two, got '\(n)'")
            }
            configuration.ringBuffers = UInt32(n)
        }
        if let channel = try parsed.choice("control", ControlChannel.allCases.map(\.rawValue)) {
            configuration.control = ControlChannel(rawValue: channel)!
        }
        return configuration
    }

    /// The whole program; returns its exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        let configuration: ServerConfiguration
        switch invocation(help: parser.help(), { () throws(UsageError) in try Self.configuration(from: arguments) }) {
        case let .run(parsed): configuration = parsed
        case let .exit(status): return status
        }
        // io_uring refused (sysctl, seccomp, old kernel): one line naming errno and the sysctl.
        if let reason = configuration.backend.unavailableReason {
            printError("mux-server: --backend \(configuration.backend.rawValue): \(reason)")
            return ExitCode.failure.rawValue
        }
        signal(SIGPIPE, SIG_IGN)
        let fileLimit = raiseFileLimit()
        let syscalls = Syscalls()
        do {
            switch configuration.backend.traits.model {
            case .readiness:
                // The one choice of multiplexer type is Backend's; the loop is specialised for it.
                try configuration.backend.withMultiplexer(
                    syscalls: syscalls, maxEvents: configuration.maxEvents,
                    ReadinessServe(configuration: configuration, fileLimit: fileLimit))
            case .completion:
                let loop = try CompletionServerLoop(configuration: configuration, syscalls: syscalls,
                                                    submissionEntries: configuration.ringEntries,
                                                    completionEntries: configuration.ringEntries * 16,
                                                    bufferCount: configuration.ringBuffers,
                                                    bufferSize: configuration.ringBufferBytes)
                try startControl(configuration)
                announce(configuration, port: loop.port, fileLimit: fileLimit)
                try loop.run { line in loop.emit(line, to: STDOUT_FILENO) }
            }
        } catch let error as SyscallError where error.call.hasPrefix("bind") {
            printError("mux-server: cannot listen on \(configuration.host):\(configuration.port): \(error.name) (\(String(cString: strerror(error.code))))")
            return ExitCode.failure.rawValue
        } catch {
            printError("mux-server: \(error)")
            return ExitCode.failure.rawValue
        }
        return ExitCode.success.rawValue
    }

    /// Runs the readiness loop over whichever multiplexer `Backend.withMultiplexer` made.
    private struct ReadinessServe: MultiplexerVisitor {
        let configuration: ServerConfiguration
        let fileLimit: Int
        func visit<M: Multiplexer>(_ mux: M) throws { try ServerCommand.serve(configuration, mux, fileLimit) }
    }

    fileprivate static func serve<M: Multiplexer>(_ configuration: ServerConfiguration, _ mux: M, _ fileLimit: Int) throws {
        let loop = try ServerLoop(configuration: configuration, mux: mux)
        try startControl(configuration)
        announce(configuration, port: loop.port, fileLimit: fileLimit)
        // Counter lines go through the counted write, so kernel-side counts (perf) agree.
        try loop.run { line in loop.emit(line, to: STDOUT_FILENO) }
    }

    /// With `--control stdin`, the thread that reads commands there; after the loop exists, so
    /// that its signals are blocked and go to the loop's signalfd.
    private static func startControl(_ configuration: ServerConfiguration) throws {
        if configuration.control == .stdin { try StdinControl.start() }
    }

    /// The ready line: listening, on this port.
    private static func announce(_ configuration: ServerConfiguration, port: UInt16, fileLimit: Int) {
        printLine(ReadyMessage(backend: configuration.backend.rawValue, host: configuration.host, port: Int(port),
                               pid: getpid(), wireProtocol: configuration.wireProtocol.rawValue,
                               writeMode: configuration.writeMode.rawValue, maxEvents: configuration.maxEvents,
                               fdLimit: fileLimit).jsonLine())
    }
}
