// The server's own setup goes through the counted syscall layer like its hot path: every call
// it makes is one the counters (and so `--verify-syscalls`) know about.
import Foundation
import MuxCore
import MuxServerKit
import Testing

@Suite struct ServerLoopSyscallTests {
    /// Builds a ServerLoop on a thread of its own: its init blocks SIGUSR1/SIGINT/SIGTERM in the
    /// calling thread, which must not be a test runner thread that later spawns processes.
    static func setUp(_ backend: Backend) throws -> (SyscallCounters, counted: SyscallCounters) {
        try onThreadOfItsOwn {
            let syscalls = Syscalls()
            return try backend.withMultiplexer(syscalls: syscalls, Build(backend: backend))
        }
    }

    /// Runs `body` on a new thread and hands back its result: for whatever blocks signals.
    static func onThreadOfItsOwn<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = Box<T>()
        let thread = Thread {
            defer { box.done.signal() }
            box.result = Result { try body() }
        }
        thread.start()
        box.done.wait()
        return try box.result!.get()
    }

    /// Builds the loop over whichever multiplexer the backend made; the counters before and after.
    struct Build: MultiplexerVisitor {
        let backend: Backend
        func visit<M: Multiplexer>(_ mux: M) throws -> (SyscallCounters, SyscallCounters) {
            let afterMux = mux.syscalls.counters
            let loop = try ServerLoop(configuration: ServerConfiguration(backend: backend), mux: mux)
            return (afterMux, loop.syscalls.counters)
        }
    }

    final class Box<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
        let done = DispatchSemaphore(value: 0)
    }

    /// socket, setsockopt(SO_REUSEADDR), bind, listen; sigprocmask and signalfd for the control
    /// descriptor; open("/dev/null") for the descriptor kept in reserve for EMFILE shedding.
    @Test(arguments: [Backend.poll, .epollLT])
    func setupCallsAreAllCounted(_ backend: Backend) throws {
        let (afterMux, afterLoop) = try Self.setUp(backend)
        let setup = afterLoop.subtracting(afterMux)
        #expect(setup.other == 7, "socket, setsockopt, bind, listen, sigprocmask, signalfd, open: \(setup)")
        // The listener and the control descriptor are registered: epoll_ctl twice, poll none.
        #expect(setup.ctl == (backend == .poll ? 0 : 2))
    }
}
