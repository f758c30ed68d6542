// A seeded generator for tests, benchmarks and the sweep's shuffled order: the same "random" values
// on every run, so a failure can be reproduced, two benchmark runs record the same input, and a
// recorded sweep seed gives the same order again. Its sequence is part of that contract.
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test input.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// Log-uniform in [low, high): every decade equally likely, like latencies.
    public mutating func nextLogUniform(from low: Double, to high: Double) -> UInt64 {
        UInt64(exp(log(low) + nextUnit() * (log(high) - log(low))))
    }
}
