// When a measured window is a failed run rather than a row, for every path that makes rows
// (CountedWindow for mux-server here or on a server host, ExternalPointMeasurement for a server
// MuxBench did not write). A window in which no request completed has no latency, no CPU per
// request and no syscalls per request: written as a row, it read as a run of 0 requests/s with
// nothing wrong, and the summary, `check` and the charts took it as one.
import MuxMessages

extension ResultMessage {
    /// Why the window is a failed run, or nil when at least one request completed in it:
    /// every request failed (`everyRequestFailed`), or none completed and none failed (a server
    /// that accepts and reads but never answers).
    var windowFailure: String? {
        if let reason = everyRequestFailed { return reason }
        guard requests == 0 else { return nil }
        var details = ["0 of \(active) active connection\(active == 1 ? "" : "s") answered"]
        // Closed loop sends before the window and waits: unfinished counts only what was due in it.
        if unfinished > 0 { details.append("\(unfinished) request\(unfinished == 1 ? "" : "s") due in it unanswered at its end") }
        if let rate = rateTarget, rate * windowSeconds < 1 {
            details.append("at \(formatCompactNumber(rate)) req/s fewer than one request was due in it")
        }
        return "no request completed in the \(formatCompactNumber(windowSeconds)) s window (\(details.joined(separator: "; ")))"
    }
}
