// A LatencyHistogram as plain data, for the JSON line that carries it between processes: every
// non-empty slot with its count, the exact extremes and the clamped count. Lossless: the histogram
// read back is equal to the one written (every bucket), so histograms from several load
// generators merge exactly (bucket-wise add) instead of averaging their percentiles.

/// Every non-empty slot of a `LatencyHistogram` and what the slots alone cannot say.
public struct HistogramBuckets: Codable, Equatable, Sendable {
    /// Names the slot layout, so a reader never adds counts of slots that mean other values.
    public static let currentLayout = "hdr-ns-1-3600000000000-3"

    public var layout: String
    public var count: UInt64
    public var clamped: UInt64
    /// The exact extremes recorded; both 0 when empty.
    public var min: UInt64
    public var max: UInt64
    /// `[slot index, count]` pairs, ascending index, counts above 0.
    public var slots: [[UInt64]]

    public init(layout: String = HistogramBuckets.currentLayout, count: UInt64, clamped: UInt64, min: UInt64,
                max: UInt64, slots: [[UInt64]]) {
        self.layout = layout
        self.count = count
        self.clamped = clamped
        self.min = min
        self.max = max
        self.slots = slots
    }
}

/// Why a `HistogramBuckets` cannot be a histogram (a different layout, or data that contradicts itself).
public struct HistogramBucketsError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { "histogram buckets: \(message)" }
}

extension LatencyHistogram {
    /// Every non-empty slot: what `init(buckets:)` turns back into an equal histogram.
    public var buckets: HistogramBuckets {
        var slots: [[UInt64]] = []
        if totalCount > 0 {
            for index in 0..<Self.countsLength where counts.slots[index] > 0 {
                slots.append([UInt64(index), counts.slots[index]])
            }
        }
        return HistogramBuckets(count: totalCount, clamped: clampedTotal, min: min, max: max, slots: slots)
    }

    /// The histogram `buckets` describes, checked: the layout is this one, slots ascend and lie
    /// inside it, the counts add up, and the extremes fall in the first and last slot.
    public init(buckets: HistogramBuckets) throws(HistogramBucketsError) {
        func bad(_ message: String) -> HistogramBucketsError { HistogramBucketsError(message: message) }
        guard buckets.layout == HistogramBuckets.currentLayout else {
            throw bad("layout '\(buckets.layout)', expected '\(HistogramBuckets.currentLayout)'")
        }
        self.init()
        var previous = -1
        var total: UInt64 = 0
        for pair in buckets.slots {
            guard pair.count == 2 else { throw bad("a slot is not [index, count]: \(pair)") }
            guard pair[0] < UInt64(Self.countsLength), Int(pair[0]) > previous else {
                throw bad("slot index \(pair[0]) out of order or beyond \(Self.countsLength - 1)")
            }
            guard pair[1] > 0 else { throw bad("slot \(pair[0]) has count 0") }
            let (sum, overflow) = total.addingReportingOverflow(pair[1])
            guard !overflow else { throw bad("counts overflow") }
            previous = Int(pair[0])
            total = sum
            counts.slots[previous] = pair[1]
        }
        guard total == buckets.count else { throw bad("slots add up to \(total), count says \(buckets.count)") }
        guard buckets.clamped <= buckets.count else { throw bad("clamped \(buckets.clamped) exceeds count \(buckets.count)") }
        if let first = buckets.slots.first, let last = buckets.slots.last {
            guard buckets.min <= buckets.max, buckets.max <= Self.highestTrackableValue,
                  Self.countsIndex(for: buckets.min) == Int(first[0]),
                  Self.countsIndex(for: buckets.max) == Int(last[0]) else {
                throw bad("min \(buckets.min) and max \(buckets.max) do not fall in the first and last slot")
            }
            minimum = buckets.min
            maximum = buckets.max
        } else {
            guard buckets.clamped == 0, buckets.min == 0, buckets.max == 0 else { throw bad("an empty histogram with extremes") }
        }
        totalCount = total
        clampedTotal = buckets.clamped
    }
}
