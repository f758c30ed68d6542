// swift-tools-version:6.0
// MuxBench depends on the Swift toolchain alone: no package dependencies, by design.
import PackageDescription

let package = Package(
    name: "MuxBench",
    products: [
        .executable(name: "mux-server", targets: ["mux-server"]),
        .executable(name: "mux-load", targets: ["mux-load"]),
        .executable(name: "mux-bench", targets: ["mux-bench"]),
    ],
    targets: [
        // <sys/epoll.h>, FD_SET & co. and other macros Glibc's Swift module does not export.
        .target(name: "CMuxShim"),
        .target(name: "MuxCore", dependencies: ["CMuxShim"]),
        .target(name: "MuxCLI"),
        .target(name: "MuxMetrics"),
        // The JSON lines between the executables (ready, counters, connected, result): one
        // Codable type per message, shared by the writer and the reader.
        .target(name: "MuxMessages", dependencies: ["MuxCore", "MuxMetrics"]),
        .target(name: "MuxServerKit", dependencies: ["MuxCore", "MuxCLI", "MuxMessages"]),
        .target(name: "MuxLoadKit", dependencies: ["CMuxShim", "MuxCore", "MuxCLI", "MuxMetrics", "MuxMessages"]),
        // /proc read for the collector and the tests alike: one parser of /proc/PID/stat.
        .target(name: "MuxProcStats"),
        .target(name: "MuxBenchKit", dependencies: ["MuxCore", "MuxCLI", "MuxMetrics", "MuxMessages", "MuxProcStats"]),
        .executableTarget(name: "mux-server", dependencies: ["MuxServerKit"]),
        .executableTarget(name: "mux-load", dependencies: ["MuxLoadKit"]),
        .executableTarget(name: "mux-bench", dependencies: ["MuxBenchKit"]),
        .executableTarget(
            name: "histogram-bench", dependencies: ["MuxMetrics", "MuxTestSupport"], path: "Benchmarks/HistogramBench"),

        // Helpers shared by the test targets: child processes, blocking test clients, the lock
        // that keeps process-heavy tests apart, and (in C) the descriptor limit raised at load time.
        .target(name: "CMuxTestSupport", path: "Tests/CMuxTestSupport"),
        .target(name: "MuxTestSupport", dependencies: ["MuxCore", "MuxProcStats", "CMuxTestSupport"], path: "Tests/MuxTestSupport"),
        .testTarget(name: "MuxCoreTests", dependencies: ["MuxCore", "MuxTestSupport"]),
        .testTarget(name: "MuxCLITests", dependencies: ["MuxCLI"]),
        .testTarget(name: "MuxMessagesTests", dependencies: ["MuxMessages", "MuxCore", "MuxMetrics"]),
        .testTarget(name: "MuxMetricsTests", dependencies: ["MuxMetrics", "MuxTestSupport"]),
        .testTarget(name: "MuxServerKitTests", dependencies: ["MuxServerKit", "MuxCore", "MuxTestSupport"]),
        .testTarget(name: "MuxLoadKitTests", dependencies: ["MuxLoadKit", "MuxCore", "MuxMetrics", "MuxTestSupport"]),
        .testTarget(name: "MuxBenchKitTests", dependencies: ["MuxBenchKit", "MuxCLI", "MuxMessages", "MuxMetrics", "MuxProcStats", "MuxTestSupport"]),
        .testTarget(name: "MuxProcStatsTests", dependencies: ["MuxProcStats", "MuxTestSupport"]),
    ]
)
