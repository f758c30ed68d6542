// The CPU model for a row's metadata (`cpu_model`), from /proc/cpuinfo.

/// The first `model name` of /proc/cpuinfo, nil where there is none (some architectures).
public func cpuModelName() -> String? {
    guard let cpuinfo = readProcFile("/proc/cpuinfo"),
          let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
          let value = line.split(separator: ":", maxSplits: 1).last else { return nil }
    return String(value.trimmingBlanks())
}
