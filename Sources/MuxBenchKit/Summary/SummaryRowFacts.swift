// The typed columns of results/NAME-summary.csv and the one way each is read back: a point's
// status, whether a row is a matrix point or a rate search's own row, and how the search ended.
// Charts, checks and tables ask these functions; none reads the human `reason` text.

/// The summary's `status` column: `ok` (measured rows), `skipped` (never ran, or a search with no
/// answer), `failed` (a run failed).
public enum PointStatus: String, Sendable, CaseIterable {
    case ok, skipped, failed

    /// A point with no measured row takes its outcome's status.
    public init(_ outcome: PointOutcome.Status) {
        switch outcome {
        case .skipped: self = .skipped
        case .failed: self = .failed
        }
    }
}

/// The summary's `row_kind` column: a point of the sweep's matrix, or a rate search's answer
/// (or its lack of one) on a row of its own.
public enum SummaryRowKind: String, Sendable, CaseIterable {
    case point, search
}

/// The summary's `search_outcome` column (empty on point rows).
public enum SearchOutcome: String, Sendable, CaseIterable {
    /// A rate was sustained and confirmed over a full window: `max_sustainable_rps`.
    case answered
    /// Nothing was sustained (down to the search's floor, or every confirmation missed).
    case none
    /// A probe's run failed (a process died), so the search stopped.
    case failed
}

public enum SummaryRows {
    /// The row's status; nil when the column is empty or holds no known value.
    public static func status(of row: [String: String]) -> PointStatus? {
        row["status"].flatMap(PointStatus.init(rawValue:))
    }

    /// Whether the row was measured (status `ok`).
    public static func isOK(_ row: [String: String]) -> Bool { status(of: row) == .ok }

    /// The row's kind. Summaries written before `row_kind` existed (no such column) are read the
    /// way they were written: a search's answer was the only row with `max_sustainable_rps`.
    public static func kind(of row: [String: String]) -> SummaryRowKind {
        guard let column = row["row_kind"] else {
            return (row["max_sustainable_rps"] ?? "").isEmpty ? .point : .search
        }
        return SummaryRowKind(rawValue: column) ?? .point
    }

    /// Whether the row is a rate search's own row, answered or not.
    public static func isSearch(_ row: [String: String]) -> Bool { kind(of: row) == .search }

    /// A measured point of the matrix: what the throughput, latency, CPU and syscall charts draw.
    public static func isMeasuredPoint(_ row: [String: String]) -> Bool { isOK(row) && !isSearch(row) }

    /// A search's measured answer: what the max-rate chart draws.
    public static func isAnsweredSearch(_ row: [String: String]) -> Bool { isOK(row) && isSearch(row) }

    /// How the row's search ended; nil on point rows (and in summaries from before the column).
    public static func searchOutcome(of row: [String: String]) -> SearchOutcome? {
        row["search_outcome"].flatMap(SearchOutcome.init(rawValue:))
    }
}
