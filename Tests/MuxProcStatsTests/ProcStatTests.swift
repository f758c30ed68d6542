// The one /proc/PID/stat parser, on real processes: this test process, a child stopped on
// purpose, and a child whose command name holds `) (` (an executable reached through a symlink
// so named), which a parser that splits the line on spaces or stops at the first `)` misreads.
import Foundation
import MuxProcStats
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.machineExclusive) struct ProcStatTests {
    @Test func thisProcessReadsAsItself() throws {
        let stat = try #require(ProcStat.read(pid: getpid()))
        #expect(stat.pid == getpid())
        #expect(stat.parent == getppid())
        let comm = try #require(readProcFile("/proc/self/comm"))
        #expect(stat.command + "\n" == comm)
        // The thread reading its own stat file is running.
        #expect(ProcStat.read(path: "/proc/thread-self/stat")?.state == "R")
    }

    @Test func cpuTicksAreTheFieldsThatGrowWhileThisThreadComputes() throws {
        let path = "/proc/thread-self/stat"
        let start = try #require(ProcStat.read(path: path))
        var sum: UInt64 = 0
        // Spin until the kernel charges this thread another tick (bounded; an event, not a time).
        let grew = waitUntil(timeout: 20, interval: 0) {
            for i in 0..<100_000 { sum &+= UInt64(i) ^ sum }
            guard let now = ProcStat.read(path: path) else { return false }
            return now.userTicks + now.systemTicks > start.userTicks + start.systemTicks
        }
        #expect(grew, "utime + stime never grew (checksum \(sum))")
    }

    @Test func aStoppedChildReadsStoppedWithThisProcessAsItsParent() throws {
        let child = try ChildProcess("/usr/bin/sleep", ["60"])
        defer { child.signal(SIGKILL) }
        #expect(waitUntil { ProcStat.read(pid: child.pid)?.state == "S" })
        child.signal(SIGSTOP)
        #expect(waitUntil { ProcStat.read(pid: child.pid)?.state == "T" })
        let stat = try #require(ProcStat.read(pid: child.pid))
        #expect(stat.pid == child.pid && stat.parent == getpid() && stat.command == "sleep")
        #expect(stat.stateInWords == "stopped")
        #expect(ProcessStats.schedulingState(pid: child.pid) == "stopped")
        #expect(ProcStat.all().contains(stat))
    }

    @Test func aCommandNameWithParenthesesAndSpacesIsReadWhole() throws {
        let folder = NSTemporaryDirectory() + "procstat-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = "a) (b 7) S 1 ("
        try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: "/usr/bin/sleep")
        let child = try ChildProcess(folder + "/" + name, ["60"])
        defer { child.signal(SIGKILL) }
        #expect(waitUntil { ProcStat.read(pid: child.pid)?.state == "S" })
        let stat = try #require(ProcStat.read(pid: child.pid))
        #expect(stat.command == name)
        #expect(stat.pid == child.pid && stat.parent == getpid())
        #expect(childProcesses(of: getpid()).contains { $0.pid == child.pid && $0.name == name })
    }

    @Test func aGoneProcessReadsAsNil() {
        #expect(ProcStat.read(pid: 999_999_999) == nil)
        #expect(ProcessStats.read(pid: 999_999_999) == nil)
    }

    @Test func linesOutOfTheKernelsLayoutAreRefused() {
        let fields = " S 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 0 0 0"
        #expect(ProcStat(text: "12 (x)" + fields)?.userTicks == 7)
        #expect(ProcStat(text: "12 (x)" + fields)?.systemTicks == 3)
        #expect(ProcStat(text: "12 x" + fields) == nil, "no parentheses")
        #expect(ProcStat(text: "twelve (x)" + fields) == nil, "no pid")
        #expect(ProcStat(text: "12 (x) S 1 1") == nil, "cut short")
        #expect(ProcStat(text: "") == nil)
    }
}

@Suite(.machineExclusive) struct ProcessStatsTests {
    @Test func contextSwitchesCountThisThreadsSleeps() throws {
        let directory = "/proc/thread-self"
        let start = try #require(ProcessStats.read(directory: directory))
        for _ in 0..<5 { usleep(1_000) }
        let end = try #require(ProcessStats.read(directory: directory))
        // Each sleep gives up the CPU: at least 5 voluntary switches.
        #expect(end.subtracting(start).voluntarySwitches >= 5)
    }
}
