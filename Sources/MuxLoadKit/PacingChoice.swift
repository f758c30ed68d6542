// Which pacing an open-loop run gets (Pacing). A spinning thread takes a whole CPU: it is safe only
// when each load thread can have a CPU of its own, none of them the server's. mux-load cannot see
// where the server runs, so left to itself it keeps one of its CPUs for a server on this machine;
// the collector, which pins both, says `--pacing` outright.

struct PacingChoice: Equatable {
    var pacing: Pacing
    /// Why the run sleeps although spinning was asked for or is the usual default (for stderr).
    var note: String?

    static func choose(requested: Pacing?, threads: Int, allowedCPUs: [Int]?) -> PacingChoice {
        let cpus = allowedCPUs ?? []
        let list = cpus.isEmpty ? "unknown" : cpus.map(String.init).joined(separator: ",")
        switch requested {
        case .sleep:
            return PacingChoice(pacing: .sleep, note: nil)
        case .spin:
            guard threads <= cpus.count else {
                return PacingChoice(pacing: .sleep, note: "mux-load: --pacing spin: \(threads) load thread(s) but \(cpus.count) CPU(s) "
                    + "to run on (\(list)): spinning threads would take each other's CPU; pacing sleep instead")
            }
            return PacingChoice(pacing: .spin, note: nil)
        case nil:
            guard threads + 1 <= cpus.count else {
                return PacingChoice(pacing: .sleep, note: "mux-load: pacing sleep: \(threads) spinning load thread(s) and a server "
                    + "on this machine need \(threads + 1) CPUs, this process may use \(cpus.count) (\(list)); "
                    + "--pacing spin when the server has CPUs of its own")
            }
            return PacingChoice(pacing: .spin, note: nil)
        }
    }
}
