// One run of a server MuxBench did not write (nginx, redis-server): a scratch directory with its
// config files, its command started in the foreground, the wait until its port accepts, its
// whole process tree pinned to the server's CPU, and what the collector measures of it: CPU time
// and context switches of the tree (/proc) and its syscalls by kind (perf tracepoints). It has
// no counters of its own, so columns only mux-server can fill (read_eagain, events per wait,
// io_uring's) stay empty, and without perf so do the syscall columns.
import Foundation
import MuxCore
import MuxMetrics
import MuxProcStats
#if canImport(Glibc)
import Glibc
#endif

final class ExternalServerRun {
    enum StartFailure: Error {
        case failed(String)
        case interrupted
    }

    let definition: ExternalServer
    /// The root of the server's process tree (`/bin/sh -c 'exec COMMAND'`, so the command itself).
    let process: Subprocess
    let port: UInt16
    /// The run's scratch directory ({dir}); owned, removed by `deinit`.
    let directory: String
    private var counter: SyscallVerifier?
    private var profile: WindowProfile?
    private var startStats: ProcessStats?
    private(set) var notes: [String] = []
    /// Where the tree could run once pinned (the row's server_cpus).
    private(set) var cpus = ""

    /// Starts the server and returns once its port accepts connections and its process tree has
    /// settled, pinned to `cpus` when given.
    init(_ definition: ExternalServer, pinTo cpus: [Int]?) throws(StartFailure) {
        self.definition = definition
        var template = Array("\(NSTemporaryDirectory())mux-server-\(definition.name)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw .failed("cannot create a scratch directory for \(definition.name): \(String(cString: strerror(errno)))")
        }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        do {
            port = try Self.freePort()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw .failed("no free port for \(definition.name): \(error)")
        }
        let user = getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "root"
        let command = definition.commandLine(port: port, directory: directory, user: user)
        do {
            try Self.copyTemplates(of: definition.name, to: directory, port: port, user: user)
            // exec: the shell becomes the server, so its PID is the tree's root and SIGTERM reaches
            // it. Its stdout joins its stderr (redis logs a failed bind on stdout): one pipe, read
            // for the reason when it fails.
            process = try Subprocess(name: definition.name, executable: "/bin/sh", arguments: ["-c", "exec 1>&2; exec " + command])
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw .failed("cannot start \(definition.name) (\(definition.origin)): \(error)")
        }
        // Pinned at once, so the processes it forks inherit the CPU; again once it has settled.
        if let cpus { _ = try? CPUPlan.pin(process.pid, to: cpus) }
        try awaitAccepting(command: command)
        settle()
        if let cpus {
            for thread in ServerProcessTree.allThreads(root: process.pid) { _ = try? CPUPlan.pin(thread, to: cpus) }
        }
        self.cpus = (try? CPUPlan.affinity(of: process.pid)).map(formatCPUList) ?? ""
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port nobody listens on now (bound once by us, then released for the server).
    private static func freePort() throws -> UInt16 {
        let syscalls = Syscalls()
        let (fd, port) = try Socket.listen(on: try SocketAddress(host: "127.0.0.1", port: 0), syscalls: syscalls)
        syscalls.close(fd)
        return port
    }

    /// Copies every file of the server's templates directory into `directory`, placeholders filled.
    private static func copyTemplates(of name: String, to directory: String, port: UInt16, user: String) throws {
        guard let source = ExternalServer.templatesDirectory(of: name) else { return }
        for file in try FileManager.default.contentsOfDirectory(atPath: source).sorted() {
            let text = try String(contentsOfFile: "\(source)/\(file)", encoding: .utf8)
            try ExternalServer.fill(text, port: port, directory: directory, user: user)
                .write(toFile: "\(directory)/\(file)", atomically: false, encoding: .utf8)
        }
    }

    /// Connects to the port every 10 ms until it accepts; fails when the server exits first or
    /// its start timeout passes.
    private func awaitAccepting(command: String) throws(StartFailure) {
        let deadline = monotonicNanoseconds() + UInt64(definition.startTimeout * 1e9)
        let address: SocketAddress
        do { address = try SocketAddress(host: "127.0.0.1", port: port) } catch { throw .failed("\(error)") }
        while true {
            if Interruption.requested { throw .interrupted }
            if !process.isRunning {
                let said = process.lastErrorLine()
                throw .failed("\(definition.name) (\(definition.origin)) exited before accepting on port \(port) "
                    + "(\(Subprocess.describe(status: process.stop()))): \(said.isEmpty ? "it said nothing on stderr" : said)")
            }
            if Self.accepts(address) { return }
            if monotonicNanoseconds() >= deadline {
                throw .failed("\(definition.name) (\(definition.origin)) did not accept on port \(port) within "
                    + "\(formatCompactNumber(definition.startTimeout)) s (command: \(command))")
            }
            usleep(10_000)
        }
    }

    /// Whether a connect to `address` succeeds now (on loopback it completes or is refused
    /// almost at once; 100 ms at most).
    private static func accepts(_ address: SocketAddress) -> Bool {
        guard let fd = try? Socket.connect(to: address, syscalls: Syscalls()) else { return false }
        defer { close(fd) }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, 100) == 1 else { return false }
        return Socket.pendingError(of: fd) == 0
    }

    /// A listening socket may accept before the workers exist (nginx opens it, then forks): wait
    /// until the tree's threads stay the same for 200 ms, at most 3 s, so perf and the pinning
    /// see them all.
    private func settle() {
        let deadline = monotonicNanoseconds() + 3_000_000_000
        var last = ServerProcessTree.allThreads(root: process.pid)
        var stableSince = monotonicNanoseconds()
        while monotonicNanoseconds() < deadline, monotonicNanoseconds() - stableSince < 200_000_000 {
            usleep(20_000)
            let now = ServerProcessTree.allThreads(root: process.pid)
            if now != last { last = now; stableSince = monotonicNanoseconds() }
        }
    }

    /// perf on the tree's processes, disabled until the window starts. Its start and stop take
    /// time outside the window, said in a note; without perf the syscall columns stay empty.
    func attachCounter() {
        let started = monotonicNanoseconds()
        let (attached, reason) = SyscallVerifier.attach(to: ServerProcessTree.processes(root: process.pid),
                                                       tracepoints: SyscallVerifier.kindTracepoints())
        counter = attached
        if let reason {
            notes.append("\(definition.name)'s syscalls not counted (columns left empty): \(reason)")
        } else {
            notes.append("perf attached to \(definition.name) in \(seconds(since: started)) s")
        }
    }

    /// The tree's processes profiled over the window (WindowProfile), perf itself on `perfCPUs`.
    func attachProfile(foldedPath: String, serverCPUs: [Int]?, perfCPUs: [Int]?) {
        profile = WindowProfile.attach(to: ServerProcessTree.processes(root: process.pid), serverName: definition.name,
                                       serverCPUs: serverCPUs, perfCPUs: perfCPUs, foldedPath: foldedPath, notes: &notes)
    }

    /// After the window: the profile's columns into `row` (empty without one).
    func finishProfile(into row: inout [String: String]) {
        profile?.finish(into: &row, notes: &notes)
        profile = nil
    }

    /// At the window's start: the tree's CPU and switches, perf switched on. false if the server is gone.
    func beginWindow() -> Bool {
        startStats = ServerProcessTree.stats(root: process.pid)
        if let counter, !counter.enable() { notes.append("perf did not acknowledge enable") }
        profile?.beginWindow(notes: &notes)
        return startStats != nil
    }

    private var endStats: ProcessStats?

    /// At the window's end: the tree's CPU and switches, perf switched off. false if the server is gone.
    func endWindow() -> Bool {
        endStats = ServerProcessTree.stats(root: process.pid)
        if let counter { _ = counter.disable() }
        profile?.endWindow(notes: &notes)
        return endStats != nil
    }

    /// The server's columns for `requests` completed in the window. perf is ended here, after the
    /// window (it writes its counts only when it exits).
    func columns(requests: Double) -> [String: String] {
        var kernel: (total: UInt64, byCall: [String: UInt64])?
        if let counter {
            let stopping = monotonicNanoseconds()
            kernel = counter.finish()
            notes.append("perf detached from \(definition.name) in \(seconds(since: stopping)) s")
            if kernel == nil { notes.append("perf wrote no counts: \(definition.name)'s syscall columns left empty") }
            self.counter = nil
        }
        let cpu = (endStats ?? ProcessStats()).subtracting(startStats ?? ProcessStats())
        return Self.columns(cpu: cpu, kernel: kernel, requests: requests)
    }

    /// The server's columns of a row: CPU from /proc (clock ticks), syscalls from perf (empty
    /// without), and the figures only mux-server can count left empty, never zero.
    static func columns(cpu: ProcessStats, kernel: (total: UInt64, byCall: [String: UInt64])?,
                        requests: Double) -> [String: String] {
        var row: [String: String] = [
            "server_user_s": formatCompactNumber(cpu.userSeconds),
            "server_sys_s": formatCompactNumber(cpu.systemSeconds),
            "server_cpu_us_per_req": requests > 0 ? formatCompactNumber((cpu.userSeconds + cpu.systemSeconds) * 1e6 / requests) : "",
            "ctx_vol": "\(cpu.voluntarySwitches)", "ctx_invol": "\(cpu.involuntarySwitches)",
            "read_eagain": "", "events_per_wait": "", "sqe_per_req": "", "cqe_per_req": "", "cqes_per_enter": "",
        ]
        let counts = kernel.map { SyscallVerifier.counters(from: $0) }
        for kind in SyscallKind.allCases {
            row[kind.column] = counts.map { "\($0[kind])" } ?? ""
        }
        row["sc_per_req"] = counts.flatMap { requests > 0 ? formatCompactNumber(Double($0.total) / requests) : nil } ?? ""
        return row
    }

    private func seconds(since start: UInt64) -> String {
        formatCompactNumber((Double(monotonicNanoseconds() - start) / 1e9 * 100).rounded() / 100)
    }
}
