// The lossless wire form of a histogram: written and read back it is the same histogram (every
// bucket, the extremes, the clamped count), and histograms of parts of the samples, each sent
// through JSON and merged, give exactly the percentiles of one histogram of all the samples.
// Data that contradicts itself is refused, never merged.
import Foundation
import MuxTestSupport
import Testing
@testable import MuxMetrics

@Suite struct HistogramBucketsTests {
    /// Fixed samples: a few hand-picked values (bucket 0, slot edges, a clamped one) and 20,000
    /// seeded latency-shaped ones.
    static let samples: [UInt64] = {
        var generator = SplitMix64(seed: 0x1357_9BDF_2468_ACE0)
        let fixed: [UInt64] = [0, 1, 2047, 2048, 2049, 4095, 4096, 1_000_000, 3_600_000_000_001]
        return fixed + (0..<20_000).map { _ in generator.nextLatency() }
    }()

    static func histogram(_ values: some Sequence<UInt64>) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        for value in values { histogram.record(value) }
        return histogram
    }

    static func throughJSON(_ histogram: LatencyHistogram) throws -> LatencyHistogram {
        let data = try JSONEncoder().encode(histogram.buckets)
        return try LatencyHistogram(buckets: JSONDecoder().decode(HistogramBuckets.self, from: data))
    }

    @Test func aHistogramSurvivesItsBucketsAndJSON() throws {
        let original = Self.histogram(Self.samples)
        let read = try Self.throughJSON(original)
        #expect(read == original)
        #expect(read.count == UInt64(Self.samples.count) && read.clampedCount == 1)
        #expect(read.min == 0 && read.max == LatencyHistogram.highestTrackableValue)
        // Only non-empty slots travel.
        #expect(original.buckets.slots.allSatisfy { $0.count == 2 && $0[1] > 0 })
    }

    @Test func anEmptyHistogramSurvivesToo() throws {
        let read = try Self.throughJSON(LatencyHistogram())
        #expect(read == LatencyHistogram() && read.count == 0 && read.buckets.slots.isEmpty)
    }

    /// What the collector does with several load hosts: each host's part through JSON, merged.
    @Test(arguments: [2, 3, 7])
    func partsMergedThroughJSONEqualAllSamples(parts: Int) throws {
        let all = Self.histogram(Self.samples)
        var merged = LatencyHistogram()
        for part in 0..<parts {
            let mine = Self.samples.enumerated().filter { $0.offset % parts == part }.map(\.element)
            merged.merge(try Self.throughJSON(Self.histogram(mine)))
        }
        #expect(merged == all)
        for percentile in [0.0, 50, 90, 99, 99.9, 99.99, 100] {
            #expect(merged.value(atPercentile: percentile) == all.value(atPercentile: percentile), "p\(percentile)")
        }
        #expect(merged.summary() == all.summary())
        #expect(merged.count == UInt64(Self.samples.count) && merged.clampedCount == 1)
    }

    /// Fixed data, fixed answers: 1..1000 µs on one host, 1001..2000 µs on another.
    @Test func twoHostsOfKnownValuesGiveTheKnownPercentiles() throws {
        let first = Self.histogram((1...1000).map { UInt64($0) * 1000 })
        let second = Self.histogram((1001...2000).map { UInt64($0) * 1000 })
        var merged = try Self.throughJSON(first)
        merged.merge(try Self.throughJSON(second))
        #expect(merged.count == 2000 && merged.min == 1_000 && merged.max == 2_000_000)
        // Rank 1000 of 2000 is 1,000,000 ns; HdrHistogram reports its slot's highest value.
        let p50 = merged.value(atPercentile: 50)
        #expect(p50 >= 1_000_000 && p50 < 1_000_000 + 1_000_000 / 1024)
        let p99 = merged.value(atPercentile: 99)
        #expect(p99 >= 1_980_000 && p99 < 1_980_000 + 1_980_000 / 1024)
    }

    @Test func contradictoryBucketsAreRefused() {
        let good = Self.histogram([1_000, 2_000, 3_000]).buckets
        var layout = good; layout.layout = "hdr-ns-1-1000-2"
        var count = good; count.count = 4
        var order = good; order.slots = [good.slots[1], good.slots[0], good.slots[2]]
        var zero = good; zero.slots[0][1] = 0; zero.count -= 1
        var extremes = good; extremes.max = 10_000
        var shape = good; shape.slots[0] = [good.slots[0][0]]
        var beyond = good; beyond.slots[2][0] = 1 << 40
        var clamped = good; clamped.clamped = 5
        for (name, bad) in [("layout", layout), ("count", count), ("order", order), ("zero", zero),
                            ("extremes", extremes), ("shape", shape), ("beyond", beyond), ("clamped", clamped)] {
            #expect(throws: HistogramBucketsError.self, "\(name)") { try LatencyHistogram(buckets: bad) }
        }
        #expect((try? LatencyHistogram(buckets: good)) == Self.histogram([1_000, 2_000, 3_000]))
    }
}
