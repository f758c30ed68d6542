// Times LatencyHistogram.record: the load generator records every response, so recording must
// stay far below a request's cost. Values are drawn before the clock starts, so only recording
// is timed. Prints `record: X.XX ns/op over N values`; exits 1 above the 50 ns budget.
#if canImport(Glibc)
import Glibc
#endif
import MuxMetrics
import MuxTestSupport

let valueCount = 50_000_000
let budgetNanosecondsPerRecord = 50.0

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

// Log-uniform latencies from 1 µs to 10 s, so every bucket of the histogram is exercised
// (the worst case for the cache, not just one hot bucket).
var generator = SplitMix64(seed: 0x5EED)
var values = [UInt64](repeating: 0, count: valueCount)
for index in values.indices { values[index] = generator.nextLogUniform(from: 1e3, to: 1e10) }

/// The timed part, in a function so the histogram is a local (as in a load-generator worker),
/// not a top-level global that every access must go through memory for.
func timeRecording(_ values: [UInt64]) -> (histogram: LatencyHistogram, elapsed: UInt64) {
    var histogram = LatencyHistogram()
    let start = monotonicNanoseconds()
    values.withUnsafeBufferPointer { buffer in
        for value in buffer { histogram.record(value) }
    }
    return (histogram, monotonicNanoseconds() - start)
}

let (histogram, elapsed) = timeRecording(values)

let perRecord = Double(elapsed) / Double(valueCount)
print("record: \(String(format2: perRecord)) ns/op over \(valueCount) values")
// Reading the result keeps the recording loop from being optimised away.
print("count \(histogram.count), p50 \(histogram.value(atPercentile: 50)) ns, max \(histogram.max) ns")
if perRecord > budgetNanosecondsPerRecord {
    let message = "histogram-bench: \(String(format2: perRecord)) ns/op exceeds the \(budgetNanosecondsPerRecord) ns budget\n"
    _ = message.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    exit(1)
}

extension String {
    /// Two decimals, without Foundation.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
