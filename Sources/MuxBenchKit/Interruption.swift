// Ctrl-C / SIGTERM during a run or sweep: a flag the collector polls (at least every 100 ms),
// so it can end its children, flush what it measured and say how to resume.
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let interruptionFlag = Atomic<Int32>(0)

public enum Interruption {
    public static func install() {
        signal(SIGINT) { _ in interruptionFlag.store(1, ordering: .relaxed) }
        signal(SIGTERM) { _ in interruptionFlag.store(1, ordering: .relaxed) }
    }

    public static var requested: Bool { interruptionFlag.load(ordering: .relaxed) != 0 }
}
