// A fixed-size uniform sample of one load thread's send gaps (reservoir sampling, Vitter's
// algorithm R), for the check that exponential arrivals really went out as a Poisson process.
// Allocated once before the run: recording a gap on the hot path is a draw and a store.
import MuxCore

struct GapSample {
    static let capacity = 2000
    private let storage: UnsafeMutablePointer<Double>
    /// Gaps offered so far (the sample holds min(seen, capacity) of them).
    private(set) var seen = 0
    private var random: SplitMix64

    init(seed: UInt64) {
        storage = .allocate(capacity: Self.capacity)
        random = SplitMix64(seed: seed)
    }

    /// Its own stream for the reservoir's draws (one per load thread); before any gap is offered.
    mutating func reseed(_ seed: UInt64) { random = SplitMix64(seed: seed) }

    /// One gap, in units of the schedule's mean gap.
    @inline(__always)
    mutating func offer(_ gap: Double) {
        if seen < Self.capacity {
            storage[seen] = gap
        } else {
            let slot = Int(random.next() % UInt64(seen + 1))
            if slot < Self.capacity { storage[slot] = gap }
        }
        seen += 1
    }

    /// The sample, copied out once at the end of the run.
    var values: [Double] { Array(UnsafeBufferPointer(start: storage, count: min(seen, Self.capacity))) }

    func deallocate() { storage.deallocate() }
}
