// perf script text → folded stacks → categories, on the committed sample (PerfScriptSample.swift).
import Testing
@testable import MuxBenchKit

@Suite struct FoldedStacksTests {
    let stacks = FoldedStacks(perfScript: perfScriptSample)

    @Test func everySampleIsFoldedOnceAndEqualStacksAdd() {
        #expect(stacks.sampleCount == 11)
        // The three identical sock_poll samples are one line with count 3.
        let pollLine = stacks.counts.filter { $0.key.hasSuffix("do_sys_poll_[k];sock_poll_[k]") }
        #expect(pollLine.count == 1 && pollLine.first?.value == 3, "\(stacks.text)")
    }

    @Test func linesReadRootFirstWithTheCommAndKernelFramesMarked() throws {
        let line = try #require(stacks.counts.keys.first { $0.hasSuffix("_copy_from_user_[k]") })
        #expect(line.hasPrefix("mux-server;"), "\(line)")
        let frames = line.split(separator: ";")
        #expect(frames.suffix(6) == ["__poll", "entry_SYSCALL_64_after_hwframe_[k]", "do_syscall_64_[k]",
                                     "__x64_sys_poll_[k]", "do_sys_poll_[k]", "_copy_from_user_[k]"], "\(frames)")
        // User frames have no marker and no dso.
        #expect(!line.contains("(/usr/lib"), "\(line)")
    }

    @Test func theFoldedTextReadsBackTheSame() {
        #expect(FoldedStacks(folded: stacks.text) == stacks)
        #expect(stacks.text.split(separator: "\n").allSatisfy { Int($0.split(separator: " ").last ?? "") != nil })
    }

    @Test func samplesFallIntoTheirPathsCategories() {
        let fold = CategoryFold(stacks)
        #expect(fold.total == 11)
        let expected: [ProfileCategory: Int] = [
            .readinessScan: 4,  // sock_poll ×3 and fdget under do_sys_poll
            .copyUser: 1,       // _copy_from_user under do_sys_poll: the copy, not the scan
            .wakeupSched: 2,    // finish_task_switch; a spin unlock under sock_def_readable (waking the client)
            .syscallEntry: 1,   // a sample in do_syscall_64 itself
            .epoll: 1,          // tcp_poll under ep_item_poll: epoll's check of one ready item, not a scan
            .user: 1,
            .other: 1,          // getrusage: a call the table does not list is not entry cost
        ]
        for category in ProfileCategory.allCases {
            #expect((fold.samples[category] ?? 0) == (expected[category] ?? 0), "\(category): \(fold.samples)")
        }
        let columns = fold.columns
        #expect(columns["prof_samples"] == "11")
        #expect(columns["prof_readiness_scan_pct"] == "36.36", "\(columns)")
        #expect(Set(columns.keys) == Set(ProfileCategories.columns))
    }

    @Test func nothingSampledLeavesTheColumnsEmptyNotZero() {
        let columns = CategoryFold(FoldedStacks(perfScript: "")).columns
        #expect(columns.values.allSatisfy { $0.isEmpty }, "\(columns)")
    }
}
