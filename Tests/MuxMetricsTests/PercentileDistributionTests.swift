import MuxTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MuxMetrics

@Suite struct PercentileDistributionTests {
    /// Worked by hand from HdrHistogram's PercentileIterator and Java's format strings: levels
    /// 0, 10, …, 50, then 5-point ticks to 75, then 2.5; 3000 ns sits in a 2-ns-wide slot, so it
    /// is reported as 3001 and weighed at 3001 in the mean.
    @Test func matchesHdrHistogramByteForByte() {
        var histogram = LatencyHistogram()
        for value in [500, 1_000, 1_500, 3_000] as [UInt64] { histogram.record(value) }
        let expected = """
                   Value     Percentile TotalCount 1/(1-Percentile)

                   0.500 0.000000000000          1           1.00
                   0.500 0.100000000000          1           1.11
                   0.500 0.200000000000          1           1.25
                   1.000 0.300000000000          2           1.43
                   1.000 0.400000000000          2           1.67
                   1.000 0.500000000000          2           2.00
                   1.500 0.550000000000          3           2.22
                   1.500 0.600000000000          3           2.50
                   1.500 0.650000000000          3           2.86
                   1.500 0.700000000000          3           3.33
                   1.500 0.750000000000          3           4.00
                   3.001 0.775000000000          4           4.44
                   3.001 1.000000000000          4
            #[Mean    =        1.500, StdDeviation   =        0.936]
            #[Max     =        3.001, Total count    =            4]
            #[Buckets =           32, SubBuckets     =         2048]

            """
        #expect(histogram.percentileDistribution() == expected)
    }

    @Test func aSingleValueGivesTwoRows() {
        var histogram = LatencyHistogram()
        histogram.record(1_000)
        let expected = """
                   Value     Percentile TotalCount 1/(1-Percentile)

                   1.000 0.000000000000          1           1.00
                   1.000 1.000000000000          1
            #[Mean    =        1.000, StdDeviation   =        0.000]
            #[Max     =        1.000, Total count    =            1]
            #[Buckets =           32, SubBuckets     =         2048]

            """
        #expect(histogram.percentileDistribution() == expected)
    }

    @Test func valuesAreScaledByTheOutputUnit() {
        var histogram = LatencyHistogram()
        histogram.record(1_500_000)
        let rows = try? LatencyHistogram.parsePercentileDistribution(histogram.percentileDistribution(unit: .milliseconds))
        // 1.5 ms lies in a 1024-ns-wide slot [1499136, 1500159]: HdrHistogram reports its top.
        #expect(rows?.last == PercentileRow(value: 1.500, percentile: 1, totalCount: 1))
        let nanoseconds = histogram.percentileDistribution(unit: .nanoseconds)
        #expect(nanoseconds.contains(" 1500159.000 1.000000000000          1\n"))
    }

    @Test func aMillionValuesRoundTripThroughTheText() throws {
        var generator = SplitMix64(seed: 42)
        var histogram = LatencyHistogram()
        for _ in 0..<1_000_000 { histogram.record(generator.nextLatency()) }
        let rows = try LatencyHistogram.parsePercentileDistribution(histogram.percentileDistribution())
        #expect(rows.count > 50)
        #expect(rows.last?.totalCount == histogram.count)
        #expect(rows.last?.percentile == 1)
        #expect(rows.first?.percentile == 0)
        for (earlier, later) in zip(rows, rows.dropFirst()) {
            #expect(earlier.value <= later.value)
            #expect(earlier.percentile <= later.percentile)
            #expect(earlier.totalCount <= later.totalCount)
        }
        #expect(rows.allSatisfy { (0...1).contains($0.percentile) })
        // Each row's value is the histogram's value at that percentile (up to the max clamp).
        for row in rows where row.percentile > 0 && row.percentile < 1 {
            let reported = Double(histogram.value(atPercentile: row.percentile * 100)) / 1000
            #expect(abs(reported - row.value) <= row.value * 0.001)
        }
    }

    @Test func anEmptyHistogramHasHeaderAndFooterOnly() throws {
        let text = LatencyHistogram().percentileDistribution()
        #expect(try LatencyHistogram.parsePercentileDistribution(text).isEmpty)
        #expect(text.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)\n\n#[Mean    =        0.000"))
        #expect(text.contains("#[Max     =        0.000, Total count    =            0]\n"))
    }

    @Test func parsesHdrHistogramAndWrk2Output() throws {
        let text = """
            # an .hgrm as HdrHistogram's Java writer and wrk2 --latency print it
                   Value     Percentile TotalCount 1/(1-Percentile)

                   0.046 0.000000000000          1           1.00
                   0.071 0.100000000000     100198           1.11
                1744.895 1.000000000000    1000000
            #[Mean    =        0.138, StdDeviation   =        2.612]
            #[Max     =     1744.896, Total count    =      1000000]
            #[Buckets =           22, SubBuckets     =         2048]
            """
        let rows = try LatencyHistogram.parsePercentileDistribution(text)
        #expect(rows == [
            PercentileRow(value: 0.046, percentile: 0, totalCount: 1),
            PercentileRow(value: 0.071, percentile: 0.1, totalCount: 100_198),
            PercentileRow(value: 1744.895, percentile: 1, totalCount: 1_000_000),
        ])
    }

    @Test func aMalformedRowIsReportedWithItsLine() {
        let text = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n       0.046 zero 1 1.00\n"
        #expect(throws: PercentileDistributionError.malformedRow(line: 3, text: "       0.046 zero 1 1.00")) {
            try LatencyHistogram.parsePercentileDistribution(text)
        }
    }

    @Test func writesTheFileWhole() throws {
        var histogram = LatencyHistogram()
        for value in stride(from: 1_000 as UInt64, to: 2_000_000, by: 997) { histogram.record(value) }
        let path = "/tmp/muxmetrics-test-\(getpid()).hgrm"
        defer { unlink(path) }
        try histogram.writePercentileDistribution(to: path)
        try histogram.writePercentileDistribution(to: path)  // replaces, never appends
        #expect(try readTextFile(path) == histogram.percentileDistribution())
        #expect(throws: PercentileDistributionError.self) {
            try histogram.writePercentileDistribution(to: "/nonexistent-directory/out.hgrm")
        }
    }
}
