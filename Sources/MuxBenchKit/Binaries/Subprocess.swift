// A child process of the collector: started, read line by line with deadlines, watched for
// death, and always ended (by its PID, then its process group) before the collector moves on.
// It dies with the collector however that ends (spawn.c: death signal, guard).
import CMuxShim
import Foundation
import MuxCore
import MuxMessages
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

final class Subprocess {
    let name: String
    let pid: Int32
    private let stdoutFD: Int32      // owned: read end of the child's stdout
    private let stderrFD: Int32      // owned: read end of the child's stderr
    private let stdinFD: Int32       // owned: our end of the child's stdin socket (`input`), else -1
    private var exitStatus: Int32?
    private var reaped = false
    private var pending: [UInt8] = []
    private var stderrText: [UInt8] = []

    /// mux_spawn (CMuxShim/spawn.c): its own process group, held by the guard, killed if the
    /// collector dies; an empty signal mask and default dispositions: a child must not inherit
    /// a mask in which SIGINT/SIGTERM are blocked (perf would never write its counts).
    /// An `executable` without a slash is looked up in PATH (a launcher such as ssh). With
    /// `input`, the child's stdin is a socket that `send(line:)` writes to (a socket, not a pipe:
    /// writing to a child that died must not raise SIGPIPE here); otherwise /dev/null.
    init(name: String, executable: String, arguments: [String], input: Bool = false) throws {
        self.name = name
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var inSocket: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { throw SyscallError("pipe2", errno) }
        guard pipe(&err) == 0 else {
            close(out[0]); close(out[1])
            throw SyscallError("pipe2", errno)
        }
        if input {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &inSocket) == 0 else {
                let code = errno
                close(out[0]); close(out[1]); close(err[0]); close(err[1])
                throw SyscallError("socketpair", code)
            }
        }
        // The read ends stay in this process only.
        _ = fcntl(out[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(err[0], F_SETFD, FD_CLOEXEC)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        let child = mux_spawn(executable, argv, environ, input ? inSocket[1] : -1, out[1], err[1])
        close(out[1])
        close(err[1])
        if input { close(inSocket[1]) }
        guard child > 0 else {
            close(out[0]); close(err[0])
            if input { close(inSocket[0]) }
            throw SyscallError("spawn \(executable)", -child)
        }
        // Its group outlives it only if the collector dies first: then the guard ends the group.
        _ = mux_guard_hold(child)
        pid = child
        stdoutFD = out[0]
        stderrFD = err[0]
        stdinFD = input ? inSocket[0] : -1
        // Drain stderr as it comes, so a chatty child never blocks on a full pipe.
        Socket.setNonBlocking(stderrFD)
    }

    /// Whether the child has not exited (a stopped child is running). An exited child is left
    /// a zombie until `stop()`, so its PID, which names its process group, cannot be reused
    /// before the group's stragglers are killed.
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 {
            if errno != EINTR { return false }
        }
        guard info._sifields._sigchld.si_pid == pid else { return true }
        exitStatus = Self.waitStatus(code: info.si_code, status: info._sifields._sigchld.si_status)
        return false
    }

    /// waitid's code and status as a wait status (WIFEXITED, WTERMSIG), as `describe` reads it.
    private static func waitStatus(code: Int32, status: Int32) -> Int32 {
        switch code {
        case Int32(CLD_EXITED): return (status & 0xff) << 8
        case Int32(CLD_DUMPED): return (status & 0x7f) | 0x80
        default: return status & 0x7f
        }
    }

    /// The next stdout line, nil when `deadline` (monotonic ns) passes, the child exits, or
    /// `shouldStop` says so (checked at least every 100 ms).
    func readLine(until deadline: UInt64, shouldStop: () -> Bool = { false }) -> String? {
        let fd = stdoutFD
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let now = monotonicNanoseconds()
            if now >= deadline || shouldStop() { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let waitMs = Int32(min((deadline - now) / 1_000_000 + 1, 100))
            drainStderr()
            guard poll(&pfd, 1, waitMs) >= 0 else { continue }
            if pfd.revents == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return nil }
            pending += chunk[0..<n]
        }
    }

    /// The next stdout line that is this message (lines of other types are passed over).
    func readMessage<Message: JSONLineMessage>(_ type: Message.Type, until deadline: UInt64,
                                               shouldStop: () -> Bool = { false }) -> Message? {
        while let line = readLine(until: deadline, shouldStop: shouldStop) {
            if let message = Message.decode(line: line) { return message }
        }
        return nil
    }

    private func drainStderr() {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(stderrFD, &chunk, chunk.count)
            if n <= 0 { return }
            if stderrText.count < 1 << 20 { stderrText += chunk[0..<n] }
        }
    }

    /// Waits until stderr contains `text`; false at `deadline` (monotonic ns) or if the child exits.
    func waitForStandardError(containing text: String, until deadline: UInt64) -> Bool {
        while monotonicNanoseconds() < deadline {
            if standardError().contains(text) { return true }
            if !isRunning { return false }
            usleep(5_000)
        }
        return false
    }

    /// What the child said on stderr so far.
    func standardError() -> String {
        drainStderr()
        return String(decoding: stderrText, as: UTF8.self)
    }

    /// The last non-empty stderr line: the one-line reason a child gives when it fails.
    func lastErrorLine() -> String {
        standardError().split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Who ended the child and what it last said, for a failure reason: "killed by SIGKILL; it
    /// said nothing on stderr", "exit status 1: mux-server: ..."; a child that has not exited is
    /// "still running (state: stopped)" (slow is not dead).
    func endReason() -> String {
        let said = lastErrorLine()
        let how = isRunning ? "still running (state: \(ProcessStats.schedulingState(pid: pid) ?? "unknown"))"
                            : Self.describe(status: exitStatus ?? 0)
        return said.isEmpty ? "\(how); it said nothing on stderr" : "\(how): \(said)"
    }

    /// A wait status in words: "exit status 1", "killed by SIGKILL".
    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by \(signalName(signal))"
    }

    /// "SIGKILL"; "signal 40" for one without a name here.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// Waits up to `timeout` seconds for the child to exit by itself.
    func waitForExit(timeout: Double) -> Bool {
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        while isRunning, monotonicNanoseconds() < deadline { usleep(5_000) }
        return !isRunning
    }

    /// Writes `line` and a newline to the child's stdin (`input` only); false if it cannot take it.
    func send(line: String) -> Bool {
        guard stdinFD >= 0 else { return false }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(stdinFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Ends the child's stdin (`input` only): it reads end of file. The descriptor stays ours
    /// until deinit; only its sending side is shut.
    func closeInput() {
        if stdinFD >= 0 { _ = shutdown(stdinFD, Int32(SHUT_WR)) }
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Asks politely (SIGTERM), then insists (SIGKILL) after `grace` seconds; always reaps.
    /// Returns the raw wait status.
    @discardableResult
    func stop(grace: Double = 5) -> Int32 {
        if isRunning {
            kill(pid, SIGTERM)
            kill(pid, SIGCONT)  // a stopped (hung) child acts on its SIGTERM only once continued
            if !waitForExit(timeout: grace) { kill(pid, SIGKILL) }
        }
        if !reaped {
            // Whatever it started and left in its group (nginx's workers), while its zombie still
            // holds the group's number; then reaped, and taken back from the guard.
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            if exitStatus == nil { exitStatus = status }
            reaped = true
            mux_guard_release(pid)
        }
        drainStderr()
        return exitStatus ?? 0
    }

    deinit {
        stop(grace: 0)
        close(stdoutFD)
        close(stderrFD)
        if stdinFD >= 0 { close(stdinFD) }
    }
}
