// Generated tables inside a Markdown file: every block from `<!-- mux-bench report SWEEP TABLE -->`
// to `<!-- end report -->` holds what `mux-bench report SWEEP TABLE` prints. `--update` rewrites
// the blocks and leaves every other byte as it was; `--check` names the first block that differs.
import Foundation

/// One marked block: the sweep and table its start marker names, and where it is.
struct ReportBlock: Equatable {
    var sweep: String
    var table: String
    /// 0-based indices into the file's lines: the start marker and the end marker.
    var startLine: Int
    var endLine: Int
}

enum ReportBlocks {
    static let startPrefix = "<!-- mux-bench report "
    static let markerSuffix = " -->"
    static let endMarker = "<!-- end report -->"

    /// The start marker of a block.
    static func startMarker(sweep: String, table: String) -> String { "\(startPrefix)\(sweep) \(table)\(markerSuffix)" }

    /// The file's lines, split on the byte `\n` only (a `\r\n` is one Character to Swift, so
    /// String's own splitting would not cut there), so joining them again gives the same bytes.
    static func lines(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A block's generated lines, ending in `\r` like its start marker's line in a CRLF file.
    static func content(_ generated: String, like marker: String) -> [String] {
        let ending = marker.utf8.last == UInt8(ascii: "\r") ? "\r" : ""
        return lines(generated).map { $0 + ending }
    }

    /// Every marked block of `text`; a start marker without its end, a start inside a block, an
    /// end outside one or a marker that does not name SWEEP TABLE is an error at `path:line`.
    static func blocks(in text: String, path: String) throws(ReportError) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        var open: ReportBlock?
        for (index, fullLine) in lines(text).enumerated() {
            // A CRLF file's lines end in `\r`; its markers are the same markers.
            let line = fullLine.utf8.last == UInt8(ascii: "\r") ? String(fullLine.utf8.dropLast())! : fullLine
            if line.hasPrefix(startPrefix) {
                if let open { throw ReportError("\(path):\(index + 1): a report block starts inside the one from line \(open.startLine + 1)") }
                let words = line.dropFirst(startPrefix.count).split(separator: " ")
                guard line.hasSuffix(markerSuffix), words.count == 3, words[2] == "-->" else {
                    throw ReportError("\(path):\(index + 1): expected '\(startPrefix)SWEEP TABLE\(markerSuffix)'")
                }
                open = ReportBlock(sweep: String(words[0]), table: String(words[1]), startLine: index, endLine: -1)
            } else if line == endMarker {
                guard var block = open else { throw ReportError("\(path):\(index + 1): '\(endMarker)' without a block to end") }
                block.endLine = index
                blocks.append(block)
                open = nil
            }
        }
        if let open { throw ReportError("\(path):\(open.startLine + 1): report block '\(open.sweep) \(open.table)' has no '\(endMarker)'") }
        return blocks
    }

    /// `text` with every block's content replaced by `generate(sweep, table)`; nothing else changes.
    static func updated(_ text: String, path: String,
                        generate: (String, String) throws(ReportError) -> String) throws(ReportError) -> String {
        var source = lines(text)
        // From the last block up, so earlier blocks' line numbers stay valid.
        for block in try blocks(in: text, path: path).reversed() {
            let content = content(try generate(block.sweep, block.table), like: source[block.startLine])
            source.replaceSubrange((block.startLine + 1)..<block.endLine, with: content)
        }
        return source.joined(separator: "\n")
    }

    /// The first block whose content differs from what `generate` makes: `path:line` and its name.
    static func firstStale(_ text: String, path: String,
                           generate: (String, String) throws(ReportError) -> String) throws(ReportError) -> String? {
        let source = lines(text)
        for block in try blocks(in: text, path: path) {
            let content = Array(source[(block.startLine + 1)..<block.endLine])
            if content != ReportBlocks.content(try generate(block.sweep, block.table), like: source[block.startLine]) {
                return "\(path):\(block.startLine + 1): block '\(block.sweep) \(block.table)' differs from the CSVs"
            }
        }
        return nil
    }

    /// Replaces `path` by `text` atomically: a temporary file beside it, then rename(2), so a
    /// reader never sees half a file and a failed write leaves the old one whole.
    static func write(_ text: String, to path: String) throws(ReportError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ReportError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}
