// When a load generator's window is a failed run rather than a measurement: errors and not one
// correct reply. A protocol mismatch (http load against an echo server) looks like this; its row
// would say 0 requests/s with nothing wrong, and the run would exit 0.
extension ResultMessage {
    /// Why the window failed, or nil when at least one request was answered (or none erred).
    public var everyRequestFailed: String? {
        guard errors > 0, requests == 0 else { return nil }
        let kinds = errorsByKind.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var reason = "every request failed, none answered in the window (\(errors) errors: \(kinds))"
        // Wrong replies or hang-ups, not silence: the server speaks another protocol than the load's.
        if ["mismatch", "status", "closed"].contains(where: { (errorsByKind[$0] ?? 0) > 0 }) {
            reason += "; the server answered with no \(wireProtocol) reply: does it speak \(wireProtocol)?"
        }
        return reason
    }
}
