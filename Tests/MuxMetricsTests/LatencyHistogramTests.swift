import MuxTestSupport
import Testing
@testable import MuxMetrics

/// One million latency-shaped values, recorded, and the same values sorted for exact answers.
/// Built once: recording and sorting a million values is the slow part of these tests.
private let sample: (values: [UInt64], sorted: [UInt64], histogram: LatencyHistogram) = {
    var generator = SplitMix64(seed: 0x4D75_7842_656E_6368)
    let values = (0..<1_000_000).map { _ in generator.nextLatency() }
    var histogram = LatencyHistogram()
    for value in values { histogram.record(value) }
    return (values, values.sorted(), histogram)
}()

private func relativeError(_ measured: Double, _ exact: Double) -> Double {
    abs(measured - exact) / exact
}

@Suite struct LatencyHistogramTests {
    @Test(arguments: [500_000, 900_000, 990_000, 999_000, 999_900] as [UInt64])
    func percentileIsWithinATenthOfAPercentOfTheExactOne(partsPerMillion: UInt64) {
        let count = UInt64(sample.sorted.count)
        // The exact percentile: the value at rank ceil(p × count), in integers so it is exact.
        let rank = (partsPerMillion * count + 999_999) / 1_000_000
        let exact = sample.sorted[Int(rank) - 1]
        let measured = sample.histogram.value(atPercentile: Double(partsPerMillion) / 10_000)
        // HdrHistogram reports the highest value of the exact value's slot: never below it.
        #expect(measured >= exact)
        #expect(relativeError(Double(measured), Double(exact)) <= 0.001)
    }

    @Test func countMinMaxAreExact() {
        #expect(sample.histogram.count == UInt64(sample.values.count))
        #expect(sample.histogram.min == sample.sorted.first)
        #expect(sample.histogram.max == sample.sorted.last)
        #expect(sample.histogram.value(atPercentile: 100) == sample.sorted.last)
        #expect(sample.histogram.value(atPercentile: 0) == sample.sorted.first)
        #expect(sample.histogram.clampedCount == 0)
    }

    @Test func meanAndStandardDeviationAreClose() {
        let n = Double(sample.values.count)
        let mean = sample.values.reduce(0.0) { $0 + Double($1) } / n
        let variance = sample.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        #expect(relativeError(sample.histogram.mean, mean) <= 0.001)
        #expect(relativeError(sample.histogram.standardDeviation, variance.squareRoot()) <= 0.001)
    }

    @Test func summaryIsInMicroseconds() {
        let summary = sample.histogram.summary()
        let histogram = sample.histogram
        #expect(summary.count == histogram.count)
        #expect(summary.p50 == Double(histogram.value(atPercentile: 50)) / 1000)
        #expect(summary.p90 == Double(histogram.value(atPercentile: 90)) / 1000)
        #expect(summary.p99 == Double(histogram.value(atPercentile: 99)) / 1000)
        #expect(summary.p999 == Double(histogram.value(atPercentile: 99.9)) / 1000)
        #expect(summary.p9999 == Double(histogram.value(atPercentile: 99.99)) / 1000)
        #expect(summary.max == Double(histogram.max) / 1000)
        #expect(summary.mean == histogram.mean / 1000)
        #expect(summary.stddev == histogram.standardDeviation / 1000)
        #expect(summary.p50 <= summary.p90 && summary.p90 <= summary.p99 && summary.p99 <= summary.p999)
        #expect(summary.p999 <= summary.p9999 && summary.p9999 <= summary.max)
    }

    @Test func mergingTwoHalvesEqualsRecordingEverything() {
        var first = LatencyHistogram(), second = LatencyHistogram()
        let middle = sample.values.count / 2
        for value in sample.values[..<middle] { first.record(value) }
        for value in sample.values[middle...] { second.record(value) }
        #expect(first != sample.histogram)
        first.merge(second)
        #expect(first == sample.histogram)
    }

    @Test func perThreadHistogramsMergeAfterJoin() async {
        let slices = 4
        let sliceLength = sample.values.count / slices
        let merged = await withTaskGroup(of: LatencyHistogram.self) { group in
            for slice in 0..<slices {
                let values = Array(sample.values[slice * sliceLength..<(slice + 1) * sliceLength])
                group.addTask {
                    var own = LatencyHistogram()
                    for value in values { own.record(value) }
                    return own
                }
            }
            var total = LatencyHistogram()
            for await partial in group { total.merge(partial) }
            return total
        }
        #expect(merged == sample.histogram)
    }

    @Test func copiesAreIndependent() {
        var original = LatencyHistogram()
        original.record(1_000)
        var copy = original
        copy.record(2_000)
        copy.merge(original)
        #expect(original.count == 1 && original.max == 1_000)
        #expect(copy.count == 3 && copy.max == 2_000)
        var emptied = original
        emptied.reset()
        #expect(original.count == 1)
        #expect(original.value(atPercentile: 50) == 1_000)
    }

    @Test func recordWithCountEqualsRepeatedRecords() {
        var repeated = LatencyHistogram(), counted = LatencyHistogram()
        for _ in 0..<7 { repeated.record(123_456) }
        counted.record(123_456, count: 7)
        counted.record(999_999, count: 0)
        #expect(counted == repeated)
        #expect(counted.max == 123_456)
    }

    @Test func valuesAboveTheRangeAreClampedAndCounted() {
        var histogram = LatencyHistogram()
        let top = LatencyHistogram.highestTrackableValue
        histogram.record(1_000)
        histogram.record(top)
        histogram.record(top + 1)
        histogram.record(.max, count: 2)
        #expect(histogram.count == 5)
        #expect(histogram.clampedCount == 3)
        #expect(histogram.max == top)
        #expect(histogram.value(atPercentile: 100) == top)
        #expect(histogram.value(atPercentile: 50) == top)
        #expect(histogram.value(atPercentile: 20) == 1_000)
        // Clamped values land in the top slot, not in a neighbour's memory.
        #expect(LatencyHistogram.countsIndex(for: top) < LatencyHistogram.countsLength)
    }

    @Test func anEmptyHistogramReportsZeros() {
        let empty = LatencyHistogram()
        #expect(empty.count == 0 && empty.min == 0 && empty.max == 0 && empty.clampedCount == 0)
        #expect(empty.mean == 0 && empty.standardDeviation == 0)
        for percentile in [0, 50, 99.99, 100, -1, 200, .nan] as [Double] {
            #expect(empty.value(atPercentile: percentile) == 0)
        }
        #expect(empty.summary() == LatencySummary(
            count: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0))
        var merged = LatencyHistogram()
        merged.merge(empty)
        #expect(merged == empty)
    }

    @Test func resetGivesAnEmptyHistogram() {
        var histogram = sample.histogram
        histogram.reset()
        #expect(histogram == LatencyHistogram())
        #expect(sample.histogram.count == UInt64(sample.values.count))
        histogram.record(5_000)
        #expect(histogram.min == 5_000 && histogram.max == 5_000 && histogram.count == 1)
    }

    @Test func outOfRangePercentilesAreClamped() {
        #expect(sample.histogram.value(atPercentile: 250) == sample.histogram.max)
        #expect(sample.histogram.value(atPercentile: -5) == sample.histogram.min)
    }

    @Test func valuesBelow2048NanosecondsAreExact() {
        for value in [0, 1, 999, 1_000, 1_001, 2_047] as [UInt64] {
            var histogram = LatencyHistogram()
            histogram.record(value)
            histogram.record(value)
            #expect(histogram.value(atPercentile: 50) == value)
            let index = LatencyHistogram.countsIndex(for: value)
            #expect(LatencyHistogram.highestEquivalentValue(atIndex: index) == value)
        }
    }

    /// The index math at every power-of-two edge up to the top of the range: each value's slot
    /// contains it, is at most 1/1024 of it wide, and slots follow value order.
    @Test func slotsContainTheirValuesWithinATenthOfAPercent() {
        var values: [UInt64] = []
        for shift in 0..<42 {
            let edge = UInt64(1) << UInt64(shift)
            values += [edge - 1, edge, edge + 1, edge + edge / 2]
        }
        values += [LatencyHistogram.highestTrackableValue - 1, LatencyHistogram.highestTrackableValue]
        values.sort()
        var previousIndex = -1
        for value in values where value <= LatencyHistogram.highestTrackableValue {
            let index = LatencyHistogram.countsIndex(for: value)
            let lowest = LatencyHistogram.lowestEquivalentValue(atIndex: index)
            let highest = LatencyHistogram.highestEquivalentValue(atIndex: index)
            #expect(index >= previousIndex && index < LatencyHistogram.countsLength)
            #expect(lowest <= value && value <= highest)
            if value >= 2048 { #expect(Double(highest - lowest + 1) / Double(value) <= 1.0 / 1024) }
            previousIndex = index
        }
    }
}
