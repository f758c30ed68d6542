// A point that produced no measured row: skipped before it ran (select beyond its fd limit) or
// failed while running (a process died, a timeout). The summary keeps it so no point vanishes.

public struct PointOutcome: Equatable, Sendable {
    public enum Status: String, Sendable {
        case skipped, failed
    }

    /// Values of `ResultsSchema.pointParameters`; `point` is the key the summary groups by.
    public var parameters: [String: String]
    public var status: Status
    public var reason: String
    /// Set on a rate search's own outcome: how it ended without an answer (`none`, `failed`).
    public var search: SearchOutcome?

    public init(parameters: [String: String], status: Status, reason: String, search: SearchOutcome? = nil) {
        self.parameters = parameters
        self.status = status
        self.reason = reason
        self.search = search
    }

    public init(point: SweepPoint, status: Status, reason: String) {
        self.init(parameters: point.rowParameters, status: status, reason: reason)
    }

    public var pointID: String { parameters["point"] ?? "" }
}
