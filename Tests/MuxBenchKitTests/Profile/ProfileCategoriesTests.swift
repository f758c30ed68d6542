// The one table: each symbol in one category, the nearest listed frame decides, and the CSV's
// profile columns are the categories' own, at the end of the schema.
import MuxMetrics
import Testing
@testable import MuxBenchKit

@Suite struct ProfileCategoriesTests {
    func kernel(_ names: String...) -> [StackFrame] { names.map { StackFrame(symbol: $0, isKernel: true) } }

    @Test func noSymbolIsInTwoCategories() {
        var seen: [String: ProfileCategory] = [:]
        for (category, names) in ProfileCategories.symbols {
            for name in names {
                #expect(seen[name] == nil, "\(name) in \(category) and \(seen[name]!)")
                seen[name] = category
            }
        }
        #expect(ProfileCategories.symbols[.user] == nil && ProfileCategories.symbols[.other] == nil,
                "user and other are what no kernel symbol claims")
    }

    @Test func theNearestListedFrameDecidesNotTheLeafAlone() {
        // The same unlisted leaf under three paths.
        #expect(ProfileCategories.category(leafFirst: kernel("_raw_spin_unlock_irqrestore", "try_to_wake_up", "tcp_sendmsg"))
                == .wakeupSched)
        #expect(ProfileCategories.category(leafFirst: kernel("_raw_spin_unlock_irqrestore", "tcp_sendmsg_locked", "tcp_sendmsg"))
                == .tcpTx)
        #expect(ProfileCategories.category(leafFirst: kernel("_raw_spin_unlock_irqrestore", "ep_poll", "do_epoll_wait"))
                == .epoll)
        // Compiler suffixes do not hide a symbol.
        #expect(ProfileCategories.category(leafFirst: kernel("finish_task_switch.isra.0", "__schedule")) == .wakeupSched)
    }

    @Test func perItemChecksUnderEpollOrIOUringAreTheirsNotAScan() {
        #expect(ProfileCategories.category(leafFirst: kernel("tcp_poll", "sock_poll", "do_sys_poll")) == .readinessScan)
        #expect(ProfileCategories.category(leafFirst: kernel("tcp_poll", "sock_poll", "ep_item_poll", "ep_send_events", "ep_poll"))
                == .epoll)
        #expect(ProfileCategories.category(leafFirst: kernel("tcp_poll", "vfs_poll", "io_poll_check_events", "io_poll_task_func"))
                == .ioUring)
    }

    @Test func entryCodeCountsOnlyWhenNothingUnlistedLiesBelow() {
        #expect(ProfileCategories.category(leafFirst: kernel("syscall_exit_to_user_mode", "do_syscall_64")) == .syscallEntry)
        #expect(ProfileCategories.category(leafFirst: kernel("getrusage", "__x64_sys_getrusage", "do_syscall_64")) == .other)
        #expect(ProfileCategories.category(leafFirst: kernel("hrtimer_interrupt", "sysvec_apic_timer_interrupt")) == .other)
    }

    @Test func aUserLeafIsUserWhateverIsAbove() {
        let frames = [StackFrame(symbol: "$s7MuxCore15PollMultiplexerC5event2at", isKernel: false),
                      StackFrame(symbol: "mux_server_main", isKernel: false)]
        #expect(ProfileCategories.category(leafFirst: frames) == .user)
    }

    @Test func theSchemaEndsWithTheProfileColumnsInCategoryOrder() {
        #expect(Array(ResultsSchema.columns.suffix(ProfileCategories.columns.count)) == ProfileCategories.columns)
        for category in ProfileCategory.allCases {
            #expect(ResultsSchema.summaryFigures.contains(category.column), "\(category.column) summarised per point")
        }
    }
}
