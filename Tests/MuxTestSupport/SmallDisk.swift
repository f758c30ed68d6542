// A real small filesystem for tests that need a full disk: a tmpfs of a given size mounted on a
// fresh directory (tests run as root, in CI too), unmounted and removed by `unmount()`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct SmallDisk {
    public let path: String

    /// Mounts a tmpfs of `size` (mount's syntax: `64k`); throws with mount's words when it cannot,
    /// so a test that needs a full disk fails instead of passing without one.
    public init(size: String, label: String) throws {
        path = NSTemporaryDirectory() + "mux-disk-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let (status, out, err) = try runToCompletion("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw TestFailure("mount -t tmpfs -o size=\(size) tmpfs \(path) → exit \(status): \(out)\(err)")
        }
    }

    public func unmount() {
        _ = try? runToCompletion("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Fills the disk with a file of zeros until a write fails, then frees `leaving` bytes of it
    /// (rounded by the filesystem to whole pages), so what comes next runs out of room.
    public func fill(leaving: Int) throws {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestFailure("cannot create \(filler): errno \(errno)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var size = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            size += n
        }
        guard ftruncate(fd, off_t(Swift.max(0, size - leaving))) == 0 else { throw TestFailure("cannot shrink \(filler): errno \(errno)") }
    }

    public func removeFiller() { unlink(path + "/filler") }
}
