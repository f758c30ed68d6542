import Foundation
import Testing
@testable import MuxBenchKit

/// Marked blocks in a Markdown file: rewritten in place, everything else kept byte for byte.
@Suite struct ReportBlocksTests {
    private let text = """
        # Results\r
        Some prose, with a trailing space \n\
        <!-- mux-bench report c10k cpu-per-request -->
        stale table
        <!-- end report -->
        between
        <!-- mux-bench report noise noise -->
        <!-- end report -->
        tail without a line end
        """

    private func generate(_ sweep: String, _ table: String) throws(ReportError) -> String {
        "| \(sweep) | \(table) |\n|---|---|"
    }

    @Test func update_rewrites_only_the_blocks_and_is_idempotent() throws {
        let updated = try ReportBlocks.updated(text, path: "R.md", generate: generate)
        #expect(updated == """
            # Results\r
            Some prose, with a trailing space \n\
            <!-- mux-bench report c10k cpu-per-request -->
            | c10k | cpu-per-request |
            |---|---|
            <!-- end report -->
            between
            <!-- mux-bench report noise noise -->
            | noise | noise |
            |---|---|
            <!-- end report -->
            tail without a line end
            """)
        #expect(try ReportBlocks.updated(updated, path: "R.md", generate: generate) == updated)
        #expect(try ReportBlocks.firstStale(updated, path: "R.md", generate: generate) == nil)
    }

    @Test func check_names_the_first_block_that_differs() throws {
        var updated = try ReportBlocks.updated(text, path: "R.md", generate: generate)
        #expect(try ReportBlocks.firstStale(text, path: "R.md", generate: generate)
            == "R.md:3: block 'c10k cpu-per-request' differs from the CSVs")
        updated = updated.replacingOccurrences(of: "| noise | noise |", with: "| noise | n0ise |")
        #expect(try ReportBlocks.firstStale(updated, path: "R.md", generate: generate)
            == "R.md:8: block 'noise noise' differs from the CSVs")
    }

    @Test func a_crlf_file_keeps_its_line_ends_inside_blocks_too() throws {
        let crlf = "intro\r\n<!-- mux-bench report noise noise -->\r\nold\r\n<!-- end report -->\r\nend\r\n"
        let updated = try ReportBlocks.updated(crlf, path: "R.md", generate: generate)
        #expect(updated == "intro\r\n<!-- mux-bench report noise noise -->\r\n| noise | noise |\r\n|---|---|\r\n<!-- end report -->\r\nend\r\n")
        #expect(try ReportBlocks.firstStale(updated, path: "R.md", generate: generate) == nil)
    }

    @Test func malformed_markers_are_refused_with_their_line() {
        #expect(throws: ReportError("R.md:2: report block 'a b' has no '<!-- end report -->'")) {
            try ReportBlocks.blocks(in: "x\n<!-- mux-bench report a b -->\ny", path: "R.md")
        }
        #expect(throws: ReportError("R.md:1: '<!-- end report -->' without a block to end")) {
            try ReportBlocks.blocks(in: "<!-- end report -->", path: "R.md")
        }
        #expect(throws: ReportError("R.md:1: expected '<!-- mux-bench report SWEEP TABLE -->'")) {
            try ReportBlocks.blocks(in: "<!-- mux-bench report c10k -->\n<!-- end report -->", path: "R.md")
        }
        #expect(throws: ReportError("R.md:2: a report block starts inside the one from line 1")) {
            try ReportBlocks.blocks(in: "<!-- mux-bench report a b -->\n<!-- mux-bench report c d -->\n<!-- end report -->", path: "R.md")
        }
    }

    /// CI fails when a committed CSV and results/README.md drift apart.
    @Test func the_committed_results_readme_matches_the_committed_csvs() throws {
        let path = ReportFixture.committed + "/README.md"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let blocks = try ReportBlocks.blocks(in: text, path: path)
        #expect(blocks.count >= ReportCatalog.sweeps.reduce(0) { $0 + $1.tables.count }, "a block per table of the catalog")
        let stale = try ReportBlocks.firstStale(text, path: path) { (sweep, table) throws(ReportError) -> String in
            try ReportCatalog.render(sweep: sweep, table: table, resultsDirectory: ReportFixture.committed)
        }
        #expect(stale == nil, "run: mux-bench report --update results/README.md")
    }
}
