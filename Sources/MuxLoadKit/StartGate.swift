// `mux-load --wait-for-go`: the load generator's side of the start handshake
// (MuxMessages/StartHandshake.swift). It waits, bounded, for the collector's go line on stdin,
// and afterwards treats stdin closing as the collector being gone: a load generator on another
// host must not keep loading a server nobody measures.
import Foundation
import MuxCLI
import MuxCore
import MuxMessages
#if canImport(Glibc)
import Glibc
#endif

enum StartGate {
    /// Longest wait for the go line: the collector sends it once every load generator has
    /// connected, which for 10,000s of connections on several hosts can take a while.
    static let goTimeoutSeconds = 300.0

    /// Reads stdin up to the first line, which must be a go line; returns its delay in ns.
    static func awaitGo(timeoutSeconds: Double) throws(LoadError) -> UInt64 {
        let deadline = monotonicNanoseconds() + UInt64(timeoutSeconds * 1e9)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let now = monotonicNanoseconds()
            guard now < deadline else { throw .noGo("no go line on stdin within \(Int(timeoutSeconds)) s") }
            var pfd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .noGo("poll on stdin: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { continue }
            // One byte at a time: nothing after the go line is taken from stdin (the hang-up
            // watch below reads on).
            let n = read(STDIN_FILENO, &byte, 1)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .noGo("read on stdin: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .noGo("stdin closed before the go line") }
            if byte == UInt8(ascii: "\n") {
                let text = String(decoding: line, as: UTF8.self)
                guard let go = GoMessage.decode(line: text) else {
                    throw .noGo("expected {\"type\":\"go\",\"delay_ns\":N} on stdin, got '\(text.prefix(80))'")
                }
                return go.delayNs
            }
            if line.count < 4096 { line.append(byte) }
        }
    }

    /// From now on, stdin reaching its end (the collector, or the ssh session carrying it, is
    /// gone) ends this process at once.
    static func endWhenStdinCloses() {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = read(STDIN_FILENO, &buffer, buffer.count)
                if n > 0 || (n < 0 && errno == EINTR) { continue }
                printError("mux-load: stdin closed: the collector is gone; stopping")
                _exit(ExitCode.failure.rawValue)
            }
        }
        thread.stackSize = 1 << 18
        thread.start()
    }
}
