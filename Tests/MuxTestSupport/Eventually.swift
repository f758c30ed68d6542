// Waiting for something to become true, instead of sleeping a guessed time and then asserting:
// on a busy 2-core machine any fixed sleep is sometimes too short, and always slower than needed.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks `condition` every `interval` seconds until it holds (true) or `timeout` seconds pass
/// (false, after one last check).
@discardableResult
public func waitUntil(timeout: Double = 10, interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(useconds_t(interval * 1e6))
    }
}

extension ServerProcess {
    /// Counter snapshots until one satisfies `condition` or `timeout` passes; the last snapshot
    /// either way, for the assertion (and its message) that follows.
    public func counters(until condition: ([String: Int]) -> Bool, timeout: Double = 10) throws -> [String: Int] {
        var counters = try counters()
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(counters), Date() < deadline {
            usleep(20_000)
            counters = try self.counters()
        }
        return counters
    }
}
