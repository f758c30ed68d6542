// How the collector's open-loop mux-load waits (Sources/README.md, How a point is measured): it
// spins (busy-polls, never sleeps) when every load thread can have a CPU of its own and the
// server has another; otherwise it sleeps, and the run says why. mux-load cannot see where the
// server runs; the collector, which pins both, can, so it always says `--pacing` outright.

enum OpenLoopPacing {
    /// `pacing` for `point` given the CPUs the load generator will be pinned to (nil: no plan,
    /// the two share whatever CPUs there are), and a note when it sleeps although spin is the default.
    static func choose(point: SweepPoint, loadCPUs: [Int]?, serverElsewhere: Bool) -> (pacing: String, note: String?) {
        if let asked = point.pacing { return (asked, nil) }
        guard let cpus = loadCPUs else {
            return ("sleep", "pacing sleep: no CPU of its own for the server and the load generator "
                + "(a spinning load thread would take the server's CPU)")
        }
        let threads = min(point.threads, point.active)
        guard threads <= cpus.count else {
            return ("sleep", "pacing sleep: \(threads) load threads, \(cpus.count) CPU(s) for them (\(formatCPUList(cpus)))"
                + (serverElsewhere ? "" : " besides the server's"))
        }
        return ("spin", nil)
    }
}
