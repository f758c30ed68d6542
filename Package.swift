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
        .target(name: "MuxServerKit", dependencies: ["MuxCore", "MuxCLI"]),
        .target(name: "MuxLoadKit", dependencies: ["CMuxShim", "MuxCore", "MuxCLI", "MuxMetrics"]),
        .target(name: "MuxBenchKit", dependencies: ["MuxCore", "MuxCLI", "MuxMetrics"]),
        .executableTarget(name: "mux-server", dependencies: ["MuxServerKit"]),
        .executableTarget(name: "mux-load", dependencies: ["MuxLoadKit"]),
        .executableTarget(name: "mux-bench", dependencies: ["MuxBenchKit"]),
        .executableTarget(
            name: "histogram-bench", dependencies: ["MuxMetrics", "MuxTestSupport"], path: "Benchmarks/HistogramBench"),

        // Helpers shared by the test targets: child processes, blocking test clients.
        .target(name: "MuxTestSupport", dependencies: ["MuxCore"], path: "Tests/MuxTestSupport"),
        .testTarget(name: "MuxCoreTests", dependencies: ["MuxCore", "MuxTestSupport"]),
        .testTarget(name: "MuxCLITests", dependencies: ["MuxCLI"]),
        .testTarget(name: "MuxMetricsTests", dependencies: ["MuxMetrics", "MuxTestSupport"]),
        .testTarget(name: "MuxServerKitTests", dependencies: ["MuxServerKit", "MuxCore", "MuxTestSupport"]),
        .testTarget(name: "MuxLoadKitTests", dependencies: ["MuxLoadKit", "MuxCore", "MuxMetrics", "MuxTestSupport"]),
        .testTarget(name: "MuxBenchKitTests", dependencies: ["MuxBenchKit", "MuxMetrics", "MuxTestSupport"]),
    ]
)
