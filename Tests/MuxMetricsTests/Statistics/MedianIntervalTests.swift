import Testing
@testable import MuxMetrics

/// Coverages worked by hand: [x(k), x(n+1−k)] misses the median only when ≥ n−k+1 values fall on
/// one side, so coverage = 1 − 2·Σ_{i<k} C(n,i)/2ⁿ.
@Suite struct MedianIntervalTests {
    @Test func five_values_cannot_reach_95_percent_min_to_max_covers_93_75() throws {
        let interval = try #require(MedianInterval([5, 1, 4, 2, 3]))
        #expect(interval.median == 3)
        #expect(interval.low == 1 && interval.high == 5)
        #expect(interval.coverage == 1 - 2.0 / 32)        // 0.9375
        #expect(!interval.reachesConfidence)
        #expect(interval.count == 5)
    }

    @Test func six_values_reach_95_percent_with_min_to_max() throws {
        let interval = try #require(MedianInterval([6, 2, 5, 1, 4, 3]))
        #expect(interval.median == 3.5)
        #expect(interval.low == 1 && interval.high == 6)
        #expect(interval.coverage == 1 - 2.0 / 64)        // 0.96875
        #expect(interval.reachesConfidence)
        #expect(MedianInterval.minimumCount(confidence: 0.95) == 6)
    }

    /// n = 10: k = 2 covers 1 − 2·11/1024 = 0.9785; k = 3 only 1 − 2·56/1024 = 0.8906.
    @Test func ten_values_drop_one_from_each_end() throws {
        let interval = try #require(MedianInterval((1...10).map(Double.init).reversed()))
        #expect(interval.low == 2 && interval.high == 9)
        #expect(interval.coverage == 1 - 2 * 11.0 / 1024)
        #expect(interval.median == 5.5)
    }

    /// n = 20: the textbook 95% interval of the median is [x(6), x(15)] (coverage 95.86%).
    @Test func twenty_values_use_the_sixth_and_fifteenth() throws {
        let interval = try #require(MedianInterval((1...20).map { Double($0 * 10) }))
        #expect(interval.low == 60 && interval.high == 150)
        #expect(abs(interval.coverage - 0.958610535) < 1e-8)
    }

    @Test func one_value_and_none() throws {
        let one = try #require(MedianInterval([7]))
        #expect(one.median == 7 && one.low == 7 && one.high == 7 && one.coverage == 0)
        #expect(MedianInterval([]) == nil)
    }
}
