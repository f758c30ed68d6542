// A child process for tests: the built executables (mux-server, mux-load, mux-bench) run as
// real processes, their stdout read line by line with timeouts, stopped by PID.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where SwiftPM put the executables: beside the test bundle (.build/debug).
public func productsDirectory() -> String {
    if let override = ProcessInfo.processInfo.environment["MUX_BIN_DIR"] { return override }
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = (exe as NSString).deletingLastPathComponent
    // The test runner may live inside a .xctest bundle directory.
    while directory.hasSuffix(".xctest") || directory.contains(".xctest/") {
        directory = (directory as NSString).deletingLastPathComponent
    }
    return directory
}

/// A built product by name; an absolute path (a launcher such as /usr/bin/prlimit) as it is.
public func executablePath(_ name: String) -> String { name.hasPrefix("/") ? name : productsDirectory() + "/" + name }

public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    // With `input`: a socket pair, the child's end as its stdin (owned by the FileHandle) and
    // ours, written with MSG_NOSIGNAL so a child that died cannot SIGPIPE the test process.
    private let childInput: FileHandle?
    private let inputFD: Int32        // owned: our end, else -1
    private var buffered = Data()
    private var stderrData = Data()

    /// With `input`, the child's stdin is a socket this object writes (`writeInput`, `closeInput`);
    /// otherwise it inherits the test process's. The child's environment is `environment` (else
    /// the test process's) with MUX_BENCH_SKIP_BUILD set: under `swift test` SwiftPM holds the build
    /// folder, so a mux-bench child measures the binaries as built and names the stale ones.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                input: Bool = false) throws {
        if input {
            var pair: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                throw TestFailure("socketpair: errno \(errno)")
            }
            inputFD = pair[0]
            childInput = FileHandle(fileDescriptor: pair[1], closeOnDealloc: true)
        } else {
            inputFD = -1
            childInput = nil
        }
        process.executableURL = URL(fileURLWithPath: executablePath(executable))
        process.arguments = arguments
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        var childEnvironment = environment ?? ProcessInfo.processInfo.environment
        childEnvironment["MUX_BENCH_SKIP_BUILD"] = "1"
        process.environment = childEnvironment
        if let childInput { process.standardInput = childInput }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// The next stdout line, or nil at EOF / after `timeout` seconds.
    public func readLine(timeout: Double = 10) -> String? {
        let fd = stdoutPipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered.removeSubrange(buffered.startIndex...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining * 1000, 1000)) + 1)
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return nil }
            buffered.append(contentsOf: chunk[0..<n])
        }
    }

    /// The next stdout line parsed as a JSON object whose "type" is `type` (other lines skipped).
    public func readJSON(type: String? = nil, timeout: Double = 10) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        while let line = readLine(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if type == nil || object["type"] as? String == type { return object }
        }
        return nil
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Writes `text` to the child's stdin (`input` only); false when it cannot be written.
    @discardableResult
    public func writeInput(_ text: String) -> Bool {
        guard inputFD >= 0 else { return false }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(inputFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Closes the child's stdin (`input` only): it reads end of file.
    public func closeInput() {
        if inputFD >= 0 { shutdown(inputFD, Int32(SHUT_WR)) }
    }

    /// Waits for exit (killing after `timeout`), returns the exit status.
    @discardableResult
    public func wait(timeout: Double = 20) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Reads stderr as it comes until it contains `text`; false after `timeout` seconds or at EOF
    /// (the child exited). What was read stays part of `standardError()`.
    public func waitForStandardError(containing text: String, timeout: Double = 10) -> Bool {
        let fd = stderrPipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if String(decoding: stderrData, as: UTF8.self).contains(text) { return true }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining * 1000, 100)) + 1)
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return false }
            stderrData.append(contentsOf: chunk[0..<n])
        }
    }

    /// Everything the child wrote on stderr (read after it exits).
    public func standardError() -> String {
        stderrData.append(stderrPipe.fileHandleForReading.readDataToEndOfFile())
        return String(decoding: stderrData, as: UTF8.self)
    }

    /// The rest of stdout after exit.
    public func remainingOutput() -> String {
        let rest = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: buffered + rest, as: UTF8.self)
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
        if inputFD >= 0 { Glibc.close(inputFD) }
    }
}

/// Runs an executable to completion; returns (status, stdout, stderr).
public func runToCompletion(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(executable, arguments)
    var out = ""
    while let line = child.readLine(timeout: timeout) { out += line + "\n" }
    let status = child.wait(timeout: timeout)
    return (status, out + child.remainingOutput(), child.standardError())
}
