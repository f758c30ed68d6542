// The listener and the signalfd both server loops start with: one owner that closes each of them
// once, and a start that fails leaves nothing open. Built on a thread of their own (the start
// blocks SIGUSR1/SIGINT/SIGTERM in the calling thread).
import Foundation
import MuxCore
@testable import MuxServerKit
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServerDescriptorsTests {
    @Test func listensUntilDroppedThenBothDescriptorsAreClosedOnce() throws {
        let (port, closesWhileOpen, closesAfterDrop) = try ServerLoopSyscallTests.onThreadOfItsOwn {
            let syscalls = Syscalls()
            let descriptors = try ServerDescriptors(configuration: ServerConfiguration(backend: .poll), syscalls: syscalls)
            let port = descriptors.port
            try TestClient(port: port).close()   // connected: the listener is listening
            let closesWhileOpen = syscalls.counters.close
            _ = consume descriptors
            return (port, closesWhileOpen, syscalls.counters.close)
        }
        #expect(port != 0)
        #expect(closesWhileOpen == 0)
        #expect(closesAfterDrop == 2, "the listener and the signalfd, each closed once")
        #expect(throws: TestFailure.self, "nothing listens on \(port) any more") { try TestClient(port: port) }
    }

    @Test func aBusyPortFailsTheStartAndLeavesNothingOpen() throws {
        let (error, counters) = try ServerLoopSyscallTests.onThreadOfItsOwn {
            let other = Syscalls()
            let busy = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0), syscalls: other)
            defer { other.close(busy.fd) }
            var configuration = ServerConfiguration(backend: .poll)
            configuration.port = busy.port
            let syscalls = Syscalls()
            do {
                _ = try ServerDescriptors(configuration: configuration, syscalls: syscalls)
                return (nil as SyscallError?, syscalls.counters)
            } catch let error as SyscallError {
                return (error, syscalls.counters)
            }
        }
        #expect(error?.code == EADDRINUSE, "\(String(describing: error))")
        #expect(error?.call.hasPrefix("bind") == true, "mux-server names a busy port from the call: \(String(describing: error))")
        // signalfd and socket were opened (sigprocmask, signalfd, socket, setsockopt, bind): both closed.
        #expect(counters.other == 5 && counters.close == 2, "\(counters)")
    }
}
