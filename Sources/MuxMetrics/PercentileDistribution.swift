// The .hgrm text form: HdrHistogram's `outputPercentileDistribution` (the Java original, which
// wrk2 --latency and HdrHistogram's plotter read), character for character. Rows come from
// HdrHistogram's percentile iterator: 5 ticks per half distance to 100% (0, 10, …, 50, 55, …,
// 75, 77.5, …), one row each time the cumulative count reaches the next tick, so a slot can
// give several rows. As in HdrHistogram, row values and the footer's Max are the highest value
// of their slot (within 0.1% above what was recorded), not clamped like `value(atPercentile:)`.
#if canImport(Glibc)
import Glibc
#endif

/// The unit values are printed in; the raw value is in nanoseconds.
public enum LatencyUnit: Double, Sendable {
    case nanoseconds = 1
    case microseconds = 1_000
    case milliseconds = 1_000_000
    case seconds = 1_000_000_000
}

/// One row of a percentile distribution: value (in the output unit), percentile (0...1), and
/// how many values were at or below it.
public struct PercentileRow: Sendable, Equatable {
    public var value: Double
    public var percentile: Double
    public var totalCount: UInt64

    public init(value: Double, percentile: Double, totalCount: UInt64) {
        self.value = value
        self.percentile = percentile
        self.totalCount = totalCount
    }
}

public enum PercentileDistributionError: Error, Equatable, CustomStringConvertible {
    case malformedRow(line: Int, text: String)
    case unwritable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .malformedRow(line, text):
            return "line \(line): expected 'value percentile totalCount [1/(1-percentile)]', found '\(text)'"
        case let .unwritable(path, code):
            return "\(path): cannot write: \(String(cString: strerror(code)))"
        }
    }
}

extension LatencyHistogram {
    /// HdrHistogram's default: 5 percentile ticks per half distance to 100%.
    public static let defaultTicksPerHalfDistance = 5

    /// The full distribution as HdrHistogram prints it (header, rows, footer), values divided
    /// by `unit` with 3 decimals (this histogram's significant digits).
    public func percentileDistribution(
        unit: LatencyUnit = .microseconds, ticksPerHalfDistance: Int = defaultTicksPerHalfDistance
    ) -> String {
        let scale = unit.rawValue
        // HdrHistogram's "%12s %14s %10s %14s\n\n" of the four column names.
        var text = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
        for step in percentileSteps(ticksPerHalfDistance: ticksPerHalfDistance) {
            let value = Double(Self.highestEquivalentValue(atIndex: step.index)) / scale
            let fraction = step.percentileLevel / 100
            if step.percentileLevel != 100 {
                text += cFormat("%12.3f %2.12f %10llu %14.2f\n", value, fraction, step.totalCount, 1 / (1 - fraction))
            } else {
                // 1/(1-1) is infinite, so HdrHistogram leaves the column out of the last row.
                text += cFormat("%12.3f %2.12f %10llu\n", value, fraction, step.totalCount)
            }
        }
        // HdrHistogram reports the max as the highest value of its slot.
        let reportedMax = count == 0 ? 0 : Self.highestEquivalentValue(atIndex: Self.countsIndex(for: max))
        text += cFormat("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / scale, standardDeviation / scale)
        text += cFormat("#[Max     = %12.3f, Total count    = %12llu]\n", Double(reportedMax) / scale, count)
        text += cFormat("#[Buckets = %12d, SubBuckets     = %12d]\n", Int32(Self.bucketCount), Int32(Self.subBucketCount))
        return text
    }

    /// Writes `percentileDistribution(unit:)` to `path`, replacing it atomically (temporary file
    /// then rename, like the CSVs), so a reader never sees half a file.
    public func writePercentileDistribution(
        to path: String, unit: LatencyUnit = .microseconds
    ) throws(PercentileDistributionError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        do {
            try appendText(percentileDistribution(unit: unit), to: temporary)
        } catch {
            if case let .unwritable(_, code) = error { throw .unwritable(path: path, errno: code) }
            throw .unwritable(path: path, errno: EIO)
        }
        guard rename(temporary, path) == 0 else { throw .unwritable(path: path, errno: errno) }
    }

    /// Reads the rows of a percentile distribution back (ours, HdrHistogram's or wrk2's):
    /// the header, blank lines and `#` footer lines are skipped.
    public static func parsePercentileDistribution(
        _ text: String
    ) throws(PercentileDistributionError) -> [PercentileRow] {
        var rows: [PercentileRow] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first, first != "Value", !first.hasPrefix("#") else { continue }
            guard fields.count == 3 || fields.count == 4,
                  let value = Double(fields[0]), let percentile = Double(fields[1]),
                  let totalCount = UInt64(fields[2])
            else { throw .malformedRow(line: offset + 1, text: String(line)) }
            rows.append(PercentileRow(value: value, percentile: percentile, totalCount: totalCount))
        }
        return rows
    }

    /// One row of HdrHistogram's percentile iteration: the slot it stopped at, the percentile
    /// level (0...100) it reached there, and the cumulative count up to that slot.
    struct PercentileStep {
        var index: Int
        var percentileLevel: Double
        var totalCount: UInt64
    }

    /// HdrHistogram's PercentileIterator: walk the slots; whenever the cumulative percentile at a
    /// non-empty slot reaches the level being iterated to, emit a row and move the level on by
    /// 100 / (ticks × 2^(halvings + 1)), where halvings = floor(log2(100 / (100 − level))); after
    /// the last value, one more row at exactly 100%.
    func percentileSteps(ticksPerHalfDistance: Int) -> [PercentileStep] {
        guard count > 0 else { return [] }
        var steps: [PercentileStep] = []
        var level = 0.0
        var cumulative: UInt64 = 0
        var index = 0
        while index < Self.countsLength && cumulative < count {
            let here = count(atIndex: index)
            cumulative += here
            // The same slot may satisfy several levels in a row: re-check it before moving on.
            while here > 0 && cumulative < count && 100 * Double(cumulative) / Double(count) >= level {
                steps.append(PercentileStep(index: index, percentileLevel: level, totalCount: cumulative))
                level = nextPercentileLevel(after: level, ticksPerHalfDistance: ticksPerHalfDistance)
            }
            if here > 0 && cumulative == count {
                // The slot holding the last value: one row at the current level (always reached,
                // the slot is at 100%), then the closing row at exactly 100%.
                steps.append(PercentileStep(index: index, percentileLevel: level, totalCount: cumulative))
                steps.append(PercentileStep(index: index, percentileLevel: 100, totalCount: cumulative))
            }
            index += 1
        }
        return steps
    }

    func nextPercentileLevel(after level: Double, ticksPerHalfDistance: Int) -> Double {
        // Java truncates log2(100 / (100 − level)) to a long; guard the level at 100 (log of ∞),
        // which HdrHistogram only reaches on the closing row.
        guard level < 100 else { return 100 }
        let halvings = Int64(log(100.0 / (100.0 - level)) / log(2.0)) + 1
        let ticks = Double(ticksPerHalfDistance) * pow(2.0, Double(halvings))
        return level + 100.0 / ticks
    }
}

/// printf-style formatting through the C library, so the rows match HdrHistogram's
/// `%12.3f %2.12f %10d %14.2f` byte for byte.
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    withVaList(arguments) { list in
        var buffer = [UInt8](repeating: 0, count: 256)
        let written = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { vsnprintf($0.baseAddress, $0.count, format, list) }
        }
        precondition(written >= 0 && written < 256, "formatted line too long: \(format)")
        return String(decoding: buffer[..<Int(written)], as: UTF8.self)
    }
}
