// Where io_uring cannot run (issue 12 §5), made real with a seccomp filter that refuses it the
// way Docker's default profile does (Benchmarks/tools/deny-io-uring.py): the server refuses with
// one line naming errno and kernel.io_uring_disabled, exit 1; a sweep records the io_uring
// points as skipped with that reason and measures the others.
import Foundation
import MuxCore
import MuxMetrics
import MuxTestSupport
import Testing

private let denyIOURing = repositoryRoot + "/Benchmarks/tools/deny-io-uring.py"
private let python = "/usr/bin/python3"
private let canDeny = FileManager.default.isExecutableFile(atPath: python)
/// Every backend that needs io_uring, as its trait says.
private let ioUringBackends = Backend.allCases.filter(\.traits.usesIOUring).map(\.rawValue)

extension BenchProcessSuites {
    @Suite(.enabled(if: canDeny, "needs /usr/bin/python3 to install the seccomp filter"))
    struct IOURingRefusedTests {
        @Test(arguments: ioUringBackends)
        func serverRefusesWithErrnoAndTheSysctl(_ backend: String) throws {
            let result = try runToCompletion(python, [denyIOURing, executablePath("mux-server"), "--backend", backend],
                                             timeout: 10)
            #expect(result.status == 1, "\(result)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "one line: \(result.stderr)")
            #expect(lines.first?.hasPrefix("mux-server: --backend \(backend):") == true, "\(result.stderr)")
            #expect(result.stderr.contains("EPERM") && result.stderr.contains("kernel.io_uring_disabled = "), "\(result.stderr)")
            #expect(!result.stdout.contains("\"ready\""))
        }

        @Test func sweepRecordsTheIOURingPointsAsSkippedWithTheReason() throws {
            let dir = try makeTemporaryDirectory("denied")
            defer { removeDirectory(dir) }
            let file = try writeSweep(dir, "denied", shortSweep(backends: (["epoll-et"] + ioUringBackends).joined(separator: " "), connections: "20"))
            let result = try runToCompletion(python, [denyIOURing, executablePath("mux-bench"), "sweep", file,
                                                      "--results", dir, "--no-plot"], timeout: 90)
            #expect(result.status == 0, "a skipped point is not a failure: \(result)")
            let summary = try CSVTable.read(path: "\(dir)/denied-summary.csv").rows
            #expect(summary.first { $0["backend"] == "epoll-et" }?["status"] == "ok", "\(summary)")
            for backend in ioUringBackends {
                let row = try #require(summary.first { $0["backend"] == backend })
                #expect(row["status"] == "skipped", "\(row)")
                #expect(row["reason"]?.contains("EPERM") == true && row["reason"]?.contains("kernel.io_uring_disabled") == true,
                        "\(row["reason"] ?? "")")
            }
        }
    }
}
