// Network namespaces a test makes for itself: N namespaces, each joined by a veth pair to a bridge
// in this namespace, with addresses from 198.18.0.0/15 (RFC 2544's benchmarking range) in a /24
// no interface here uses yet. Names carry this process's id so parallel test runs never collide.
// `remove()` deletes everything it made; call it in a defer, so a failing test cleans up too.
import Foundation
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

final class TestNamespaces {
    static let ipPath = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why namespaces cannot be made here, or nil.
    static var unavailableReason: String? {
        if getuid() != 0 { return "not root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)" }
        if ipPath == nil { return "no ip command (apt-get install iproute2)" }
        return nil
    }

    /// What a test skipped for want of namespaces shows.
    static var skipComment: Comment { Comment(rawValue: "network namespaces: \(unavailableReason ?? "")") }

    let names: [String]
    /// The bridge's address: where a server listens for every namespace.
    let serverAddress: String
    /// Each namespace's own address, in `names` order.
    let addresses: [String]
    private let bridge: String
    private var made: [[String]] = []   // the delete command of everything made, newest last

    /// Makes `count` namespaces; throws `TestFailure` with ip's own message when one cannot be made.
    init(count: Int) throws {
        let pid = getpid()
        bridge = "mbr\(pid)"
        names = (0..<count).map { "mxb\(pid)\(Character(UnicodeScalar(UInt8(97 + $0))))" }
        let prefix = try Self.freeSubnet(startingAt: Int(pid))
        serverAddress = "\(prefix).1"
        addresses = (0..<count).map { "\(prefix).\(10 + $0)" }
        do {
            try ip(["link", "add", bridge, "type", "bridge"], undo: ["link", "del", bridge])
            try ip(["addr", "add", "\(serverAddress)/24", "dev", bridge])
            try ip(["link", "set", bridge, "up"])
            for (index, name) in names.enumerated() {
                let letter = name.last!
                let outside = "mxv\(pid)\(letter)", inside = "mxp\(pid)\(letter)"
                try ip(["netns", "add", name], undo: ["netns", "del", name])
                try ip(["link", "add", outside, "type", "veth", "peer", "name", inside, "netns", name], undo: ["link", "del", outside])
                try ip(["link", "set", outside, "master", bridge])
                try ip(["link", "set", outside, "up"])
                try ip(["-n", name, "addr", "add", "\(addresses[index])/24", "dev", inside])
                try ip(["-n", name, "link", "set", inside, "up"])
                try ip(["-n", name, "link", "set", "lo", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes everything made, newest first (a namespace takes its end of the veth pair along).
    func remove() {
        while let undo = made.popLast() { _ = try? runToCompletion(Self.ipPath!, undo, timeout: 10) }
    }

    deinit { remove() }

    private func ip(_ arguments: [String], undo: [String]? = nil) throws {
        let (status, _, stderr) = try runToCompletion(Self.ipPath!, arguments, timeout: 10)
        guard status == 0 else { throw TestFailure("ip \(arguments.joined(separator: " ")): exit \(status): \(stderr)") }
        if let undo { made.append(undo) }
    }

    /// `198.18.N` or `198.19.N`: a /24 of the benchmarking range no address here lies in.
    private static func freeSubnet(startingAt seed: Int) throws -> String {
        let (_, used, _) = try runToCompletion(ipPath!, ["-4", "-o", "addr", "show"], timeout: 10)
        for step in 0..<512 {
            let n = (seed + step) % 512
            let prefix = "198.\(18 + n / 256).\(n % 256)"
            if !used.contains(" \(prefix).") { return prefix }
        }
        throw TestFailure("every /24 of 198.18.0.0/15 is in use here")
    }
}
