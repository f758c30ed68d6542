// A latency histogram laid out exactly like HdrHistogram's `Histogram(1, 3_600_000_000_000, 3)`:
// nanosecond values, 2048 sub-buckets per bucket (3 significant decimal digits: every value is
// kept within 1/1024 < 0.1% of itself), 32 buckets reaching one hour. One fixed counts array
// (33,792 × 8 bytes) is allocated at init; recording is an index computed from
// leadingZeroBitCount and one increment, so a load generator can record every response.
// Because the layout is HdrHistogram's, its percentile, mean and .hgrm semantics carry over
// unchanged (PercentileDistribution.swift writes the text form).

/// The counts array, shared between copies of a `LatencyHistogram` until one of them writes
/// (copy-on-write). It is only ever mutated through a uniquely referenced box, so handing a
/// histogram to another thread is safe: hence `@unchecked Sendable`.
@usableFromInline
final class HistogramCounts: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutablePointer<UInt64>

    @usableFromInline
    init() {
        slots = .allocate(capacity: LatencyHistogram.countsLength)
        slots.initialize(repeating: 0, count: LatencyHistogram.countsLength)
    }

    @usableFromInline
    init(copying other: HistogramCounts) {
        slots = .allocate(capacity: LatencyHistogram.countsLength)
        slots.initialize(from: other.slots, count: LatencyHistogram.countsLength)
    }

    deinit { slots.deallocate() }
}

public struct LatencyHistogram: Sendable, Equatable {
    // The layout. Computed (not stored) statics so inlined code sees constants, not lazy globals.

    /// The largest value kept as itself (one hour); larger ones are clamped to it and counted.
    @inlinable public static var highestTrackableValue: UInt64 { 3_600_000_000_000 }
    /// Sub-buckets per bucket: 2 × 10³ rounded up to a power of two, as HdrHistogram does.
    @inlinable public static var subBucketCount: Int { 2048 }
    /// Buckets needed so that subBucketCount << (bucketCount - 1) exceeds highestTrackableValue.
    @inlinable public static var bucketCount: Int { 32 }
    /// Bucket 0 has 2048 slots, every later bucket 1024 (its lower half overlaps the previous one).
    @inlinable static var countsLength: Int { (bucketCount + 1) * (subBucketCount / 2) }

    @usableFromInline var counts: HistogramCounts
    @usableFromInline var totalCount: UInt64 = 0
    @usableFromInline var clampedTotal: UInt64 = 0
    // Exact extremes of what was recorded (after clamping); minimum is UInt64.max while empty.
    @usableFromInline var minimum: UInt64 = .max
    @usableFromInline var maximum: UInt64 = 0

    public init() { counts = HistogramCounts() }

    // MARK: Recording

    /// Records one value in nanoseconds. O(1), no allocation (unless this copy shares its counts
    /// with another copy and must detach first).
    @inlinable
    public mutating func record(_ nanoseconds: UInt64) {
        add(nanoseconds, times: 1)
    }

    /// Records `count` occurrences of one value (e.g. from a pre-aggregated source).
    @inlinable
    public mutating func record(_ nanoseconds: UInt64, count: UInt64) {
        // A zero count must not move min/max.
        if count > 0 { add(nanoseconds, times: count) }
    }

    @inlinable @inline(__always)
    mutating func add(_ nanoseconds: UInt64, times: UInt64) {
        // Clamping and its count compile to a compare and conditional moves, not a branch.
        let clamped = nanoseconds > Self.highestTrackableValue
        let value = clamped ? Self.highestTrackableValue : nanoseconds
        clampedTotal &+= clamped ? times : 0
        if !isKnownUniquelyReferenced(&counts) { counts = HistogramCounts(copying: counts) }
        counts.slots[Self.countsIndex(for: value)] &+= times
        totalCount &+= times
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
    }

    /// HdrHistogram's index math with unit magnitude 0: the bucket is how far the value's top bit
    /// lies above the 2048-slot range, the sub-bucket its top 11 bits. Never out of range for a
    /// value ≤ highestTrackableValue (bucket ≤ 31, so index ≤ 31 × 1024 + 2047).
    @inlinable @inline(__always)
    static func countsIndex(for value: UInt64) -> Int {
        // 53 = 64 bits − 11 bits of sub-bucket index; `| 2047` puts small values in bucket 0.
        let bucket = 53 &- (value | 2047).leadingZeroBitCount
        return (bucket &<< 10) &+ Int(truncatingIfNeeded: value &>> UInt64(truncatingIfNeeded: bucket))
    }

    /// Adds every count of `other` (e.g. per-thread histograms after join).
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        if !isKnownUniquelyReferenced(&counts) { counts = HistogramCounts(copying: counts) }
        let mine = counts.slots, theirs = other.counts.slots
        for index in 0..<Self.countsLength { mine[index] &+= theirs[index] }
        totalCount &+= other.totalCount
        clampedTotal &+= other.clampedTotal
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// Empties the histogram, keeping its allocation when it is not shared.
    public mutating func reset() {
        if isKnownUniquelyReferenced(&counts) {
            counts.slots.update(repeating: 0, count: Self.countsLength)
        } else {
            counts = HistogramCounts()
        }
        totalCount = 0
        clampedTotal = 0
        minimum = .max
        maximum = 0
    }

    // MARK: Reading

    /// Values recorded, clamped ones included.
    public var count: UInt64 { totalCount }
    /// Values that exceeded highestTrackableValue and were recorded as it.
    public var clampedCount: UInt64 { clampedTotal }
    /// The smallest value recorded, exactly; 0 when empty.
    public var min: UInt64 { totalCount == 0 ? 0 : minimum }
    /// The largest value recorded (after clamping), exactly; 0 when empty.
    public var max: UInt64 { maximum }

    /// The count held in counts slot `index` (for iteration in this module).
    func count(atIndex index: Int) -> UInt64 { counts.slots[index] }

    /// HdrHistogram's mean: each slot weighted at the middle of its value range. 0 when empty.
    public var mean: Double {
        guard totalCount > 0 else { return 0 }
        var total = 0.0
        for index in 0..<Self.countsLength where counts.slots[index] > 0 {
            total += Double(Self.medianEquivalentValue(atIndex: index)) * Double(counts.slots[index])
        }
        return total / Double(totalCount)
    }

    /// HdrHistogram's (population) standard deviation, from the same slot midpoints. 0 when empty.
    public var standardDeviation: Double {
        guard totalCount > 0 else { return 0 }
        let mean = self.mean
        var total = 0.0
        for index in 0..<Self.countsLength where counts.slots[index] > 0 {
            let deviation = Double(Self.medianEquivalentValue(atIndex: index)) - mean
            total += deviation * deviation * Double(counts.slots[index])
        }
        return (total / Double(totalCount)).squareRoot()
    }

    /// The value at `percentile` (0...100) with HdrHistogram's semantics: the highest value
    /// equivalent to the slot where the cumulative count first reaches ceil(p/100 × count),
    /// clamped to the recorded maximum (so p100 is the exact max). p ≤ 0 gives the exact
    /// minimum. 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0, !percentile.isNaN else { return 0 }
        guard percentile > 0 else { return minimum }
        // One ulp off, as HdrHistogram does, so that e.g. 99.9% of 10⁶ is 999000, not 999001.
        let requested = Swift.min(percentile.nextDown, 100)
        let rank = Swift.max(UInt64((requested / 100 * Double(totalCount)).rounded(.up)), 1)
        var cumulative: UInt64 = 0
        for index in 0..<Self.countsLength {
            cumulative &+= counts.slots[index]
            if cumulative >= rank { return Swift.min(Self.highestEquivalentValue(atIndex: index), maximum) }
        }
        return maximum
    }

    /// The figures the CSVs and summaries carry, in microseconds.
    public func summary() -> LatencySummary {
        func microseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
        return LatencySummary(
            count: totalCount,
            mean: mean / 1000,
            stddev: standardDeviation / 1000,
            p50: microseconds(value(atPercentile: 50)),
            p90: microseconds(value(atPercentile: 90)),
            p99: microseconds(value(atPercentile: 99)),
            p999: microseconds(value(atPercentile: 99.9)),
            p9999: microseconds(value(atPercentile: 99.99)),
            max: microseconds(max))
    }

    // MARK: Slot values (HdrHistogram's valueFromIndex and friends)

    /// The lowest value counted in slot `index`.
    static func lowestEquivalentValue(atIndex index: Int) -> UInt64 {
        let bucket = (index >> 10) - 1
        // Slots 0..<2048 are bucket 0 at unit width; later slots hold sub-buckets 1024..<2048.
        guard bucket > 0 else { return UInt64(index) }
        return UInt64((index & 1023) + 1024) << UInt64(bucket)
    }

    /// The width of slot `index`'s value range: 1 in bucket 0, doubling with each bucket.
    static func equivalentRangeSize(atIndex index: Int) -> UInt64 {
        1 << UInt64(Swift.max((index >> 10) - 1, 0))
    }

    /// The highest value counted in slot `index`: what HdrHistogram reports for it.
    static func highestEquivalentValue(atIndex index: Int) -> UInt64 {
        lowestEquivalentValue(atIndex: index) + equivalentRangeSize(atIndex: index) - 1
    }

    /// The middle of slot `index`'s range: what HdrHistogram's mean weighs it at.
    static func medianEquivalentValue(atIndex index: Int) -> UInt64 {
        lowestEquivalentValue(atIndex: index) + equivalentRangeSize(atIndex: index) / 2
    }

    // MARK: Equatable

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        guard lhs.totalCount == rhs.totalCount, lhs.clampedTotal == rhs.clampedTotal,
              lhs.minimum == rhs.minimum, lhs.maximum == rhs.maximum else { return false }
        if lhs.counts === rhs.counts { return true }
        let left = lhs.counts.slots, right = rhs.counts.slots
        for index in 0..<countsLength where left[index] != right[index] { return false }
        return true
    }
}

/// One run's latency figures in microseconds, as the results CSVs carry them.
public struct LatencySummary: Sendable, Equatable, Codable {
    public var count: UInt64
    public var mean: Double
    public var stddev: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var p9999: Double
    public var max: Double

    public init(
        count: UInt64, mean: Double, stddev: Double, p50: Double, p90: Double, p99: Double,
        p999: Double, p9999: Double, max: Double
    ) {
        self.count = count
        self.mean = mean
        self.stddev = stddev
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.p9999 = p9999
        self.max = max
    }
}
