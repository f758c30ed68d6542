import Foundation
@testable import MuxLoadKit
import MuxTestSupport
import Testing

/// Spinning only where every load thread has a CPU of its own; otherwise sleeping, with a line
/// that says why. The pacing a run really used is in its result line.
@Suite struct PacingChoiceTests {
    @Test func spin_needs_a_cpu_per_thread_and_by_default_one_more_for_the_server() {
        #expect(PacingChoice.choose(requested: .spin, threads: 1, allowedCPUs: [1]) == PacingChoice(pacing: .spin, note: nil))
        #expect(PacingChoice.choose(requested: nil, threads: 1, allowedCPUs: [0, 1]) == PacingChoice(pacing: .spin, note: nil))
        #expect(PacingChoice.choose(requested: nil, threads: 1, allowedCPUs: [1]).pacing == .sleep)
        #expect(PacingChoice.choose(requested: .sleep, threads: 1, allowedCPUs: [0, 1, 2, 3]) == PacingChoice(pacing: .sleep, note: nil))
    }

    @Test func spin_with_more_threads_than_cpus_is_downgraded_with_a_line() throws {
        let choice = PacingChoice.choose(requested: .spin, threads: 3, allowedCPUs: [0, 1])
        #expect(choice.pacing == .sleep)
        let note = try #require(choice.note)
        #expect(note.hasPrefix("mux-load: --pacing spin: 3 load thread(s) but 2 CPU(s)"), "\(note)")
        #expect(note.contains("pacing sleep instead"))
    }
}

extension LoadProcessSuites {
    @Suite struct PacingRunTests {
        @Test func the_pacing_used_is_in_the_result_line() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            defer { _ = try? server.stop() }
            for pacing in ["spin", "sleep"] {
                let run = try runLoad(["--port", "\(server.port)", "--connections", "10", "--rate", "2000", "--pacing", pacing,
                                       "--warmup", "100ms", "--duration", "500ms"])
                #expect(run.status == 0 && run.errors == 0, "\(run.diagnosis)")
                #expect(run.result?["pacing"] as? String == pacing, "\(run.diagnosis)")
                #expect(run.result?["arrivals"] as? String == "constant", "\(run.diagnosis)")
                let busy = numeric(run.result?["busy_share"]) ?? -1
                #expect(busy > 0 && busy < 0.9, "2,000 req/s keeps one thread far from busy: \(run.diagnosis)")
            }
            let closed = try runLoad(["--port", "\(server.port)", "--connections", "4", "--warmup", "100ms", "--duration", "300ms"])
            #expect(closed.result?["pacing"] == nil, "closed loop has no pacing: \(closed.diagnosis)")
        }

        @Test func spin_with_more_threads_than_its_cpus_runs_sleeping_and_says_so() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            defer { _ = try? server.stop() }
            let arguments = ["-c", "0", executablePath("mux-load"), "--port", "\(server.port)", "--connections", "10",
                             "--threads", "2", "--rate", "2000", "--pacing", "spin", "--warmup", "100ms", "--duration", "500ms"]
            let (status, stdout, stderr) = try runToCompletion("/usr/bin/taskset", arguments)
            let run = LoadRun(arguments: arguments, status: status, stdout: stdout, stderr: stderr)
            #expect(run.status == 0 && run.errors == 0, "\(run.diagnosis)")
            #expect(run.result?["pacing"] as? String == "sleep", "\(run.diagnosis)")
            #expect(run.stderr.contains("mux-load: --pacing spin: 2 load thread(s) but 1 CPU(s) to run on (0)"), "\(run.stderr)")
        }
    }
}
