// Folded stacks summed into ProfileCategories' categories: the row's profile columns.

public struct CategoryFold: Equatable, Sendable {
    public private(set) var samples: [ProfileCategory: Int] = [:]
    public private(set) var total = 0

    public init(_ stacks: FoldedStacks) {
        for (frames, count) in stacks.stacksLeafFirst {
            samples[ProfileCategories.category(leafFirst: frames), default: 0] += count
            total += count
        }
    }

    /// A category's share of all samples, in percent (0 when there are none).
    public func percent(_ category: ProfileCategory) -> Double {
        total > 0 ? Double(samples[category] ?? 0) * 100 / Double(total) : 0
    }

    /// `prof_samples` and each `prof_<category>_pct`; all empty when nothing was sampled, since
    /// shares of zero samples are not zero.
    public var columns: [String: String] {
        var row: [String: String] = ["prof_samples": total > 0 ? "\(total)" : ""]
        for category in ProfileCategory.allCases {
            row[category.column] = total > 0 ? formatCompactNumber((percent(category) * 100).rounded() / 100) : ""
        }
        return row
    }

    /// The columns of a point measured without a profile (or where perf could not run): empty.
    public static let emptyColumns: [String: String] =
        Dictionary(uniqueKeysWithValues: ProfileCategories.columns.map { ($0, "") })
}
