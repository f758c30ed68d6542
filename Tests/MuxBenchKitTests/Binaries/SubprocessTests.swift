import Foundation
import MuxCore
import MuxProcStats
import MuxTestSupport
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

/// Whatever ends mux-bench, its children go too: ending a child ends its process group, and a
/// mux-bench that is killed outright (SIGKILL) leaves no server, load generator or server worker.
extension BenchProcessSuites {
    @Suite struct SubprocessTests {
        /// Ends `pid` if a test left it behind, after checking the PID still names `name`.
        static func endIfStill(_ pid: Int32, named name: String) {
            guard let now = processEntry(pid), now.name == name, now.state != "Z" else { return }
            kill(pid, SIGKILL)
        }

        /// A shell's background children used to outlive the shell's end: the group goes with it.
        @Test func stopEndsTheChildsWholeProcessGroup() throws {
            let shell = try Subprocess(name: "sh", executable: "/bin/sh", arguments: ["-c", "sleep 30 & sleep 30 & wait"])
            #expect(waitUntil(timeout: 10, { ServerProcessTree.processes(root: shell.pid).count == 3 }))
            let sleeps = ServerProcessTree.processes(root: shell.pid).dropFirst()
            defer { for pid in sleeps { Self.endIfStill(pid, named: "sleep") } }
            shell.stop(grace: 1)
            for pid in sleeps { #expect(waitForProcessGone(pid, timeout: 5), "sleep \(pid) ended with its shell") }
        }

        @Test func anExecutableThatCannotStartIsATypedError() {
            #expect(throws: SyscallError.self) {
                _ = try Subprocess(name: "none", executable: "/nonexistent/mux-none", arguments: [])
            }
        }

        /// SIGKILL cannot be caught: mux-bench ends nothing itself, yet its server and load
        /// generator must not run on (the load here would for 30 s, the server for ever).
        @Test func aKilledCollectorLeavesNoServerOrLoadRunning() throws {
            let run = try RunInProgress(["--backend", "epoll-lt", "--duration", "30s"])
            let (bench, server, load) = (run.bench, run.server, run.load)
            defer { run.cleanUp() }
            kill(bench.pid, SIGKILL)
            let serverGone = waitForProcessGone(server.pid, timeout: 5)
            let loadGone = waitForProcessGone(load.pid, timeout: 5)
            // Survivors first: they hold the descriptor by which Foundation sees mux-bench end.
            endLeftover(server)
            endLeftover(load)
            _ = bench.wait(timeout: 10)
            #expect(serverGone, "mux-server \(server.pid) is gone")
            #expect(loadGone, "mux-load \(load.pid) is gone")
        }

        /// nginx's worker is mux-bench's grandchild: a death signal reaches only the master, and
        /// the worker would serve on. The guard kills the master's whole group.
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"), "nginx is not installed"))
        func aKilledCollectorLeavesNoNginxWorkerRunning() throws {
            let dir = try makeTemporaryDirectory("killed-nginx")
            defer { removeDirectory(dir) }
            let bench = try ChildProcess("mux-bench", ["run", "--server-command", "nginx -p {dir} -c {dir}/nginx.conf -g 'daemon off;'",
                                                       "--server-name", "nginx", "--protocol", "http", "--connections", "20",
                                                       "--active", "5", "--warmup", "200ms", "--duration", "30s", "--out", "\(dir)/n.csv"])
            let load = try #require(waitForChildProcess(of: bench.pid, named: "mux-load", timeout: 30), "mux-load started: \(bench.standardError())")
            let master = try #require(childProcesses(of: bench.pid).first { $0.name == "nginx" && $0.state != "Z" }, "nginx started")
            let workers = childProcesses(of: master.pid).filter { $0.name == "nginx" && $0.state != "Z" }
            defer {
                for process in [master, load] + workers { Self.endIfStill(process.pid, named: process.name) }
            }
            #expect(!workers.isEmpty, "nginx runs a worker")
            kill(bench.pid, SIGKILL)
            let survivors = ([master, load] + workers).filter { !waitForProcessGone($0.pid, timeout: 5) }
            for process in survivors { Self.endIfStill(process.pid, named: process.name) }
            _ = bench.wait(timeout: 10)
            #expect(survivors.isEmpty, "still running after mux-bench was killed: \(survivors)")
        }

        /// SIGTERM: the run ends its children, keeps what it measured and says who ended it.
        @Test func aTerminatedRunSaysByWhatAndEndsItsChildren() throws {
            let run = try RunInProgress(["--backend", "poll", "--duration", "30s"])
            let (server, load) = (run.server, run.load)
            defer { run.cleanUp() }
            run.bench.signal(SIGTERM)
            let (status, stderr) = run.finish(timeout: 20)
            #expect(status == 130, "\(stderr)")
            #expect(stderr.contains("mux-bench run: interrupted by SIGTERM"), "\(stderr)")
            #expect(waitForProcessGone(server.pid, timeout: 5), "mux-server \(server.pid) is gone")
            #expect(waitForProcessGone(load.pid, timeout: 5), "mux-load \(load.pid) is gone")
        }
    }
}
