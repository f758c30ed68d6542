// `mux-server --control stdin`: counters on request and a clean end for a server the collector
// cannot signal, one started through `ssh`, `ip netns exec` or `kubectl exec` (a signal would
// reach the launcher, not the server). A line `snapshot` on stdin prints a counters line as
// SIGUSR1 does; end of file (the collector or the ssh session went away) ends the server as
// SIGTERM does; any other line gets one line on stderr and is ignored.
//
// One thread reads stdin and turns each command into that very signal, sent to this process.
// Both loops (readiness and completion) already take SIGUSR1/SIGTERM through their signalfd, so
// neither gains a descriptor or a branch, and between commands the thread sleeps in read(2).
// Its reads are not in the counters (they are not the loop's); its CPU time, microseconds per
// snapshot, is in the process's getrusage with everything else.
import CMuxShim
import MuxCLI
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

enum StdinControl {
    static let snapshotCommand = "snapshot"
    /// Longer lines are refused whole (a command is one short word).
    static let lineLimit = 256

    /// Starts the reader thread. Call it once the loop has blocked its signals: the thread
    /// inherits that mask, so the signals it sends wait for the loop's signalfd.
    static func start() throws(SyscallError) {
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { _ in
            StdinControl.readCommands()
            return nil
        }, nil)
        guard rc == 0 else { throw SyscallError("pthread_create(stdin control)", rc) }
        pthread_detach(thread)
    }

    /// Obeys stdin's lines until its end, then asks the loop to end.
    private static func readCommands() {
        var line: [UInt8] = []
        line.reserveCapacity(lineLimit)
        var overlong = false
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                // A stdin shared with a non-blocking descriptor: wait for it instead of spinning.
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    var pfd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                    _ = poll(&pfd, 1, -1)
                    continue
                }
                break
            }
            if n == 0 { break }
            for byte in chunk[0..<n] {
                if byte == UInt8(ascii: "\n") {
                    if overlong { complain("a line longer than \(lineLimit) bytes") } else { obey(line) }
                    line.removeAll(keepingCapacity: true)
                    overlong = false
                } else if line.count < lineLimit {
                    line.append(byte)
                } else {
                    overlong = true
                }
            }
        }
        // End of file (or stdin unreadable): whoever controlled this server is gone.
        signalSelf(SIGTERM, once: false)
    }

    private static func obey(_ line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        if words.isEmpty { return }
        if words.count == 1, words[0] == snapshotCommand {
            signalSelf(SIGUSR1, once: true)
        } else {
            let shown = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            complain("unknown command '\(shown)' (expected '\(snapshotCommand)')")
        }
    }

    /// Sends `signal` to this process. With `once`, after the previous one has been taken:
    /// pending signals do not queue, and every `snapshot` line is owed its own counters line.
    private static func signalSelf(_ signal: Int32, once: Bool) {
        var pending = sigset_t()
        while once, sigpending(&pending) == 0, sigismember(&pending, signal) == 1 { usleep(200) }
        kill(getpid(), signal)
    }

    private static func complain(_ what: String) {
        printError("mux-server: --control stdin: \(what); ignored")
    }
}
