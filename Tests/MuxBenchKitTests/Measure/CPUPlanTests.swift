// The CPU plan comes from the CPUs actually allowed (a cpuset such as 2-3), pinning is read back
// from the kernel, and CPU lists are written and counted as taskset writes them.
import Testing
@testable import MuxBenchKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CPUPlanTests {
    @Test func insideACpusetThePlanUsesThoseCPUs() {
        #expect(CPUPlan.split(allowed: [2, 3]) == CPUPlan(server: [2], load: [3]))
        #expect(CPUPlan.split(allowed: [7, 4, 5, 9]) == CPUPlan(server: [4], load: [5, 7, 9]))
        #expect(CPUPlan.split(allowed: [0, 1]) == CPUPlan(server: [0], load: [1]))
        #expect(CPUPlan.split(allowed: [3]) == nil, "one CPU: nothing to split")
    }

    @Test func cpuListsAreWrittenAndCountedCompactly() {
        #expect(formatCPUList([0]) == "0")
        #expect(formatCPUList([3, 1, 2]) == "1-3")
        #expect(formatCPUList([0, 2, 4, 5]) == "0,2,4-5")
        #expect(countCPUList("1-3") == 3)
        #expect(countCPUList("0,2,4-5") == 4)
        #expect(countCPUList("") == nil)
        #expect(countCPUList("3-1") == nil)
    }

    /// A real child pinned to the first allowed CPU reads back as exactly that CPU, and a CPU
    /// outside the allowed set is refused with an error, not claimed.
    @Test func pinningIsReadBackAndARefusalIsAnError() throws {
        let allowed = try CPUPlan.affinity(of: 0)
        #expect(!allowed.isEmpty)
        let child = fork()
        if child == 0 { pause(); _exit(0) }
        defer { kill(child, SIGKILL); var status: Int32 = 0; waitpid(child, &status, 0) }
        #expect(try CPUPlan.pin(child, to: [allowed[0]]) == [allowed[0]])
        #expect(try CPUPlan.affinity(of: child) == [allowed[0]])
        #expect(throws: (any Error).self) { try CPUPlan.pin(child, to: [4000]) }
        #expect(try CPUPlan.affinity(of: child) == [allowed[0]], "a refused pin changes nothing")
    }
}
