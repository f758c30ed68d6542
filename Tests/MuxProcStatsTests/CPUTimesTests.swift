import Testing
import MuxProcStats

@Suite struct CPUTimesTests {
    // Two /proc/stat snapshots in the kernel's layout (user nice system idle iowait irq softirq
    // steal guest guest_nice), 1 s apart at 100 ticks/s.
    let before = """
        cpu  1000 0 500 8000 10 0 90 400 0 0
        cpu0 500 0 250 4000 5 0 45 200 0 0
        cpu1 500 0 250 4000 5 0 45 200 0 0
        intr 12345
        """
    let after = """
        cpu  1100 0 550 8070 10 0 100 470 0 0
        cpu0 540 0 270 4030 5 0 50 205 0 0
        cpu1 560 0 280 4040 5 0 50 265 0 0
        intr 12399
        """

    @Test func stealIsTheStolenShareOfTheNamedCPUs() throws {
        let start = CPUTimes(procStat: before), end = CPUTimes(procStat: after)
        #expect(start.perCPU.count == 2)
        // cpu0: 5 of 100 ticks stolen; cpu1: 65 of 200.
        #expect(try #require(end.stealPercent(since: start, cpus: [0])) == 5)
        #expect(try #require(end.stealPercent(since: start, cpus: [1])) == 32.5)
        #expect(try #require(end.stealPercent(since: start, cpus: [0, 1])) == 100.0 * 70 / 300)
    }

    @Test func aMissingCPUOrNoElapsedTimeGivesNoFigure() {
        let start = CPUTimes(procStat: before), end = CPUTimes(procStat: after)
        #expect(end.stealPercent(since: start, cpus: [0, 7]) == nil)
        #expect(start.stealPercent(since: start, cpus: [0]) == nil)
        #expect(CPUTimes(procStat: "cpu0 1 2 3\ngarbage\n").perCPU.isEmpty)
    }

    @Test func thisMachineHasCountersForEveryOnlineCPU() throws {
        let times = try #require(CPUTimes.now())
        #expect(!times.perCPU.isEmpty)
        #expect(times.perCPU.values.allSatisfy { $0.total > 0 && $0.steal <= $0.total })
    }
}
