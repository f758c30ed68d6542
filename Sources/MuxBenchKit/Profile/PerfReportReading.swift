// A second reading of the same perf.data that shares nothing with our `perf script` parsing,
// folding and stack walk, only the table: `perf report --sort parent --parent REGEX` has perf
// itself find, in each sample's call chain, the frame nearest the leaf that matches REGEX (every
// symbol of ProfileCategories), and prints each such frame's share of the samples; summed by the
// table's categories. User-space leaves come from `perf report --sort sym` (`[.]` lines).
// By design it lacks two of the fold's rules, so those readings may differ: per-item readiness
// checks under epoll or io_uring (ownsReadinessChecksBelow) read as `readiness_scan` here, and a
// call the table does not list under the entry code reads as `syscall_entry` here, `other` there.
public struct PerfReportReading: Sendable {
    /// Percent of the samples per category.
    public private(set) var percent: [ProfileCategory: Double] = [:]

    /// `perf report` arguments for the nearest listed frame of each sample.
    static var parentArguments: [String] {
        let names = ProfileCategories.symbols.values.flatMap { $0 }.sorted()
        // Kernel symbols may carry compiler suffixes (`finish_task_switch.isra.0`).
        let regex = "^(" + names.joined(separator: "|") + ")(\\..*)?$"
        return ["report", "--no-children", "--sort", "parent", "--parent", regex, "--stdio", "-g", "none", "--percent-limit", "0"]
    }

    /// `perf report` arguments for each sample's leaf symbol.
    static let leafArguments = ["report", "--no-children", "--sort", "sym", "--stdio", "-g", "none", "--percent-limit", "0"]

    /// Reads `    39.15%  sock_poll` lines of the parent report (`[other]`: no listed frame) and the
    /// `[.]` lines of the leaf report (`     0.58%  [.] $s12MuxServerKit…`).
    public init(parentReport: String, leafReport: String) {
        var unmatched = 0.0
        for (percentText, rest) in Self.lines(parentReport) {
            guard let value = Double(percentText) else { continue }
            let symbol = rest.trimmingCharacters(in: .whitespaces)
            if symbol == "[other]" { unmatched += value; continue }
            guard let category = ProfileCategories.category(ofKernelSymbol: symbol) else { unmatched += value; continue }
            percent[category, default: 0] += value
        }
        var user = 0.0
        for (percentText, rest) in Self.lines(leafReport) where rest.hasPrefix("[.]") {
            user += Double(percentText) ?? 0
        }
        percent[.user] = user
        percent[.other] = max(0, unmatched - user)
    }

    /// (percent without `%`, the rest) of each `NN.NN%  rest` line.
    private static func lines(_ text: String) -> [(Substring, String)] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let trimmed = line.drop { $0 == " " }
            guard let percentEnd = trimmed.firstIndex(of: "%") else { return nil }
            let rest = trimmed[trimmed.index(after: percentEnd)...].drop { $0 == " " }
            return (trimmed[..<percentEnd], String(rest))
        }
    }

    public func percent(_ category: ProfileCategory) -> Double { percent[category] ?? 0 }
}
