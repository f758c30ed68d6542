// Several load hosts' result lines as one: counts and CPU times added, throughputs added (each
// host's over its own window), and every distribution merged bucket by bucket from the lossless
// histograms each line carries, so the merged percentiles are those of one histogram that had
// recorded every host's samples, never an average of percentiles. What judges the client is
// merged so that one host that could not keep up shows: the largest busy share, and the
// arrival-fit figures of the host that fit worst (each test with its own sample's critical value).
import MuxMessages
import MuxMetrics

public struct MergedLoadResult: Sendable {
    /// The merged line, as one mux-load would have written it (with merged histograms).
    public var message: ResultMessage
    public var latency: LatencyHistogram
}

public enum LoadResultMerge {
    /// Merges `results` (at least one, each with histograms); the error names the result by its
    /// position (1-based, the host's number).
    public static func merge(_ results: [ResultMessage]) throws(LoadHostError) -> MergedLoadResult {
        guard let first = results.first else { throw LoadHostError("no results to merge") }
        var latency = LatencyHistogram()
        var sent: LatencyHistogram?
        var lateness: LatencyHistogram?
        var hiccup: LatencyHistogram?
        var merged = first
        merged.connections = 0; merged.active = 0; merged.threads = 0
        merged.requests = 0; merged.totalRequests = 0; merged.sent = 0; merged.errors = 0
        merged.throughput = 0; merged.errorsByKind = [:]
        merged.cpuUserMicroseconds = 0; merged.cpuSystemMicroseconds = 0
        merged.unfinished = 0; merged.windowSeconds = 0
        merged.rateTarget = nil
        merged.cpus = nil; merged.bootID = nil; merged.hiccupCPU = nil
        // The seed stays the first host's: the point's own (LoadHostGroup derives the others' from it).
        merged.busyShare = results.compactMap(\.busyShare).max()
        merged.pacing = distinct(results.map(\.pacing))
        merged.arrivals = distinct(results.map(\.arrivals))
        let gapFit = worstFit(results) { ($0.gapKS, $0.gapKSCritical) }
        merged.gapKS = gapFit?.gapKS; merged.gapKSCritical = gapFit?.gapKSCritical
        merged.gapSampleCount = gapFit?.gapSampleCount
        let scheduleFit = worstFit(results) { ($0.scheduleKS, $0.scheduleKSCritical) }
        merged.scheduleKS = scheduleFit?.scheduleKS; merged.scheduleKSCritical = scheduleFit?.scheduleKSCritical
        for (index, result) in results.enumerated() {
            func read(_ buckets: HistogramBuckets) throws(LoadHostError) -> LatencyHistogram {
                do { return try LatencyHistogram(buckets: buckets) } catch {
                    throw LoadHostError("result \(index + 1): \(error)")
                }
            }
            guard let histograms = result.histograms else {
                throw LoadHostError("result \(index + 1) has no histograms (its mux-load ran without --histograms, or is older)")
            }
            latency.merge(try read(histograms.latency))
            // Each optional view merged only when every host has it (all open loop, or all closed).
            func add(_ buckets: HistogramBuckets?, into total: inout LatencyHistogram?) throws(LoadHostError) {
                guard let buckets, index == 0 || total != nil else { total = nil; return }
                var sum = total ?? LatencyHistogram()
                sum.merge(try read(buckets))
                total = sum
            }
            try add(histograms.latencySent, into: &sent)
            try add(histograms.sendLateness, into: &lateness)
            try add(histograms.hiccup, into: &hiccup)
            merged.connections += result.connections
            merged.active += result.active
            merged.threads += result.threads
            merged.requests += result.requests
            merged.totalRequests += result.totalRequests
            merged.sent += result.sent
            merged.errors += result.errors
            merged.throughput += result.throughput
            merged.errorsByKind.merge(result.errorsByKind, uniquingKeysWith: +)
            merged.cpuUserMicroseconds += result.cpuUserMicroseconds
            merged.cpuSystemMicroseconds += result.cpuSystemMicroseconds
            merged.unfinished += result.unfinished
            merged.windowSeconds = max(merged.windowSeconds, result.windowSeconds)
            if let rate = result.rateTarget { merged.rateTarget = (merged.rateTarget ?? 0) + rate }
        }
        merged.latency = ResultMessage.Latency(histogram: latency)
        merged.latencySent = sent.map { ResultMessage.Latency(histogram: $0) }
        merged.sendLateness = lateness.map { ResultMessage.Latency(histogram: $0) }
        merged.hiccup = hiccup.map { ResultMessage.Latency(histogram: $0) }
        merged.hiccupScheduling = distinct(results.map(\.hiccupScheduling))
        merged.histograms = ResultMessage.Histograms(latency: latency.buckets, latencySent: sent?.buckets,
                                                     sendLateness: lateness?.buckets, hiccup: hiccup?.buckets)
        return MergedLoadResult(message: merged, latency: latency)
    }

    /// The result whose Kolmogorov–Smirnov distance (`figures`: D and its critical value) exceeds
    /// its own critical value the most, or falls short of it the least: the merged check then
    /// fails when any host's gaps did not fit. The largest D alone would not do: the critical
    /// value shrinks with the sample, so a small D over many gaps can fail where a larger one
    /// over few passes.
    static func worstFit(_ results: [ResultMessage],
                         _ figures: (ResultMessage) -> (d: Double?, critical: Double?)) -> ResultMessage? {
        var worst: (result: ResultMessage, margin: Double)?
        for result in results {
            guard case let (d?, critical?) = figures(result) else { continue }
            if worst.map({ d - critical > $0.margin }) ?? true { worst = (result, d - critical) }
        }
        return worst?.result
    }

    /// The hosts' values, each once in the hosts' order, joined with `/` (`spin/sleep`: hosts that
    /// waited differently); nil when none has one.
    static func distinct(_ values: [String?]) -> String? {
        var seen: [String] = []
        for case let value? in values where !seen.contains(value) { seen.append(value) }
        return seen.isEmpty ? nil : seen.joined(separator: "/")
    }
}
