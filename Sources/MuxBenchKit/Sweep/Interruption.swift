// Ctrl-C / SIGTERM during a run or sweep: a flag the collector polls (at least every 100 ms),
// so it can end its children, flush what it measured and say how to resume.
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let interruptionFlag = Atomic<Int32>(0)

public enum Interruption {
    public static func install() {
        // The signal's number, so the run can say who ended it.
        signal(SIGINT) { number in interruptionFlag.store(number, ordering: .relaxed) }
        signal(SIGTERM) { number in interruptionFlag.store(number, ordering: .relaxed) }
        // The signal mask is inherited: a mux-bench spawned from a thread that blocks signals
        // (a dispatch worker, some CI runners) would never see Ctrl-C or SIGTERM at all.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    public static var requested: Bool { interruptionFlag.load(ordering: .relaxed) != 0 }

    /// "by SIGTERM": who interrupted the run, for its last words.
    public static var cause: String {
        let number = interruptionFlag.load(ordering: .relaxed)
        return number == 0 ? "" : "by \(Subprocess.signalName(number))"
    }
}
