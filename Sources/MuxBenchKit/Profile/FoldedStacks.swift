// Samples folded by call stack: one line per distinct stack, `comm;root;…;leaf COUNT`, kernel
// frames marked `_[k]` — the format of Brendan Gregg's stackcollapse-perf.pl (with --kernel),
// which flamegraph.pl, speedscope and inferno read. Made from `perf script` text, written beside
// the CSV, and read back for the categories.
import Foundation

public struct FoldedStacks: Equatable, Sendable {
    /// Folded stack → samples.
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    public var sampleCount: Int { counts.values.reduce(0, +) }

    /// The kernel-frame marker of the folded format.
    static let kernelSuffix = "_[k]"

    /// Kernel addresses on x86-64 and arm64 have the top bit set; perf prints them in hex.
    static func isKernelAddress(_ hex: Substring) -> Bool {
        hex.count == 16 && (hex.first.map { "89abcdef".contains($0) } ?? false)
    }

    /// Reads `perf script -F comm,tid,ip,sym,dso` text: a header line per sample (`comm tid`)
    /// followed by one tab-indented `ip symbol (dso)` line per frame, leaf first, and a blank line.
    public init(perfScript text: String) {
        var comm = ""
        var frames: [String] = []
        func flush() {
            if !comm.isEmpty, !frames.isEmpty {
                counts[([comm] + frames.reversed()).joined(separator: ";"), default: 0] += 1
            }
            comm = ""
            frames.removeAll(keepingCapacity: true)
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { flush(); continue }
            if line.first == "\t" || line.first == " " {
                guard !comm.isEmpty else { continue }
                let fields = line.drop { $0 == "\t" || $0 == " " }
                guard let space = fields.firstIndex(of: " ") else { continue }
                let address = fields[..<space]
                var symbol = fields[fields.index(after: space)...]
                // The dso in parentheses at the end is not part of the symbol.
                if symbol.hasSuffix(")"), let open = symbol.range(of: " (", options: .backwards) {
                    symbol = symbol[..<open.lowerBound]
                }
                frames.append(Self.frameText(symbol, isKernel: Self.isKernelAddress(address)))
            } else {
                flush()
                // `comm tid`: a comm may hold spaces; the tid is the last word.
                let words = line.split(separator: " ")
                comm = words.count > 1 ? Self.clean(words.dropLast().joined(separator: " ")[...]) : Self.clean(line)
            }
        }
        flush()
    }

    /// Reads the folded text back (`stack COUNT` per line); malformed lines are skipped.
    public init(folded text: String) {
        for line in text.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let count = Int(line[line.index(after: space)...]) else { continue }
            counts[String(line[..<space]), default: 0] += count
        }
    }

    /// The folded text, one stack per line, heaviest first (ties by stack) so a diff reads well.
    public var text: String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)\n" }.joined()
    }

    /// Each stack's frames leaf first (the comm left out), with its samples.
    public var stacksLeafFirst: [(frames: [StackFrame], samples: Int)] {
        counts.map { stack, samples in
            let parts = stack.split(separator: ";").dropFirst()
            let frames = parts.reversed().map { part -> StackFrame in
                part.hasSuffix(Self.kernelSuffix)
                    ? StackFrame(symbol: String(part.dropLast(Self.kernelSuffix.count)), isKernel: true)
                    : StackFrame(symbol: String(part), isKernel: false)
            }
            return (frames, samples)
        }
    }

    /// A frame as the folded format writes it: no separators inside, kernel frames marked.
    private static func frameText(_ symbol: Substring, isKernel: Bool) -> String {
        let name = clean(symbol.isEmpty ? "[unknown]" : symbol)
        return isKernel ? name + kernelSuffix : name
    }

    /// `;` separates frames and the last space the count: neither may appear inside a name.
    private static func clean(_ text: Substring) -> String {
        String(text.map { $0 == ";" ? ":" : ($0 == "\n" ? " " : $0) })
    }
}
