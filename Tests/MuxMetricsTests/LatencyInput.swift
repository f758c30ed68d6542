// Latency-shaped test input on top of the shared seeded generator.
import MuxTestSupport

extension SplitMix64 {
    /// Latency-shaped values from 1 µs to 10 s: a body below 1 ms, a shoulder to 100 ms and a
    /// 1% tail to 10 s, so high percentiles land in the histogram's large buckets.
    mutating func nextLatency() -> UInt64 {
        let pick = nextUnit()
        if pick < 0.90 { return nextLogUniform(from: 1e3, to: 1e6) }
        if pick < 0.99 { return nextLogUniform(from: 1e6, to: 1e8) }
        return nextLogUniform(from: 1e8, to: 1e10)
    }
}
