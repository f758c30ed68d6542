// A seeded generator for the tests: the same "random" latencies on every run, so a failure
// can be reproduced.
#if canImport(Glibc)
import Glibc
#endif

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// Log-uniform in [low, high) nanoseconds: every decade equally likely, like latencies.
    mutating func nextLogUniform(from low: Double, to high: Double) -> UInt64 {
        UInt64(exp(log(low) + nextUnit() * (log(high) - log(low))))
    }

    /// Latency-shaped values from 1 µs to 10 s: a body below 1 ms, a shoulder to 100 ms and a
    /// 1% tail to 10 s, so high percentiles land in the histogram's large buckets.
    mutating func nextLatency() -> UInt64 {
        let pick = nextUnit()
        if pick < 0.90 { return nextLogUniform(from: 1e3, to: 1e6) }
        if pick < 0.99 { return nextLogUniform(from: 1e6, to: 1e8) }
        return nextLogUniform(from: 1e8, to: 1e10)
    }
}
