// Where this mux-load runs, for a collector that merges several of them: the CPUs it may use and
// the kernel it runs on. Load generators in network namespaces or containers of one machine share
// that machine's CPUs; the kernel's boot id says which ones do, whatever launched them.
import CMuxShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum RunningPlace {
    /// The CPUs this process may run on, as the kernel reports them; nil if it will not say.
    static func allowedCPUs() -> [Int]? {
        var cpus = [Int32](repeating: 0, count: 4096)
        let count = mux_affinity_of(0, &cpus, Int32(cpus.count))
        guard count >= 0 else { return nil }
        return cpus.prefix(Int(count)).map(Int.init)
    }

    /// /proc/sys/kernel/random/boot_id: one value per running kernel; nil where unreadable.
    static func bootID() -> String? {
        let fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &bytes, bytes.count)
        guard n > 0 else { return nil }
        let text = String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
