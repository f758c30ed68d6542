// --verify-syscalls compares every kind, not only the total: a disagreement in one kind that the
// total hides is reported, and glibc's select (pselect6) counts as a wait.
import MuxCore
import Testing
@testable import MuxBenchKit

@Suite struct SyscallVerifierTests {
    func counters(wait: UInt64, read: UInt64, write: UInt64, other: UInt64 = 0) -> SyscallCounters {
        var c = SyscallCounters()
        c.wait = wait; c.read = read; c.write = write; c.other = other
        return c
    }

    func verdicts(_ notes: [String]) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for note in notes {
            let kind = String(note.dropFirst("syscalls ".count).prefix { $0 != ":" })
            result[kind] = note.contains(": agree")
        }
        return result
    }

    @Test func eachKindIsComparedAndReported() {
        let ours = counters(wait: 1000, read: 2000, write: 1000, other: 2)
        let kernel: (total: UInt64, byCall: [String: UInt64]) =
            (4002, ["pselect6": 1000, "read": 2000, "write": 1000, "getrusage": 2])
        let notes = SyscallVerifier.compare(server: ours, low: ours, high: ours, kernel: kernel)
        #expect(notes.count == 8, "wait ctl accept read write close other total: \(notes)")
        #expect(verdicts(notes).values.allSatisfy { $0 }, "\(notes)")
    }

    @Test func aKindThatDisagreesIsReportedEvenWhenTheTotalAgrees() {
        let ours = counters(wait: 1000, read: 2000, write: 1000)
        // Same total, but 100 of the server's "reads" were writes as far as the kernel saw.
        let kernel: (total: UInt64, byCall: [String: UInt64]) = (4000, ["epoll_wait": 1000, "read": 1900, "write": 1100])
        let v = verdicts(SyscallVerifier.compare(server: ours, low: ours, high: ours, kernel: kernel))
        #expect(v["total"] == true)
        #expect(v["wait"] == true)
        #expect(v["read"] == false && v["write"] == false)
    }

    @Test func tracepointsMapToTheCountingLayersKinds() {
        #expect(SyscallVerifier.kind(ofTracepoint: "pselect6") == "wait")
        #expect(SyscallVerifier.kind(ofTracepoint: "epoll_pwait2") == "wait")
        #expect(SyscallVerifier.kind(ofTracepoint: "accept4") == "accept")
        #expect(SyscallVerifier.kind(ofTracepoint: "epoll_ctl") == "ctl")
        #expect(SyscallVerifier.kind(ofTracepoint: "close") == "close")
        #expect(SyscallVerifier.kind(ofTracepoint: "openat") == "other")
    }
}
