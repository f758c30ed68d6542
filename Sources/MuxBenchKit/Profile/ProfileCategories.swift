// The one table of what a server's CPU samples are spent on (Sources/README.md, Profiles): each
// category is a list of kernel symbols, and a sample belongs to the category of the frame
// nearest its leaf that is in the table — the path that led there, not the leaf alone (a spin
// unlock under try_to_wake_up is a wake-up; under tcp_sendmsg it is TCP transmit).

/// What a sample of the server's CPU was doing. The CSV has one `prof_<rawValue>_pct` column each.
public enum ProfileCategory: String, CaseIterable, Sendable {
    /// Asking each watched descriptor whether it is ready: select's and poll's per-fd loop.
    case readinessScan = "readiness_scan"
    /// epoll's own work: waiting, handing out events, the per-item check, ctl, the wake callback.
    case epoll
    /// io_uring's own work: submission, completion, its poll machinery (not the TCP under it).
    case ioUring = "io_uring"
    /// Copies between user and kernel memory (the descriptor sets, the payload).
    case copyUser = "copy_user"
    /// Receiving: read/recv/accept, and the loopback delivery into a socket, which runs on the
    /// sending CPU (softirq), so the server's CPU also delivers its replies into the client's socket.
    case tcpRx = "tcp_rx"
    /// Sending: write/send down to the loopback device.
    case tcpTx = "tcp_tx"
    /// Going to sleep, being woken, waking another task, switching.
    case wakeupSched = "wakeup_sched"
    /// The syscall entry and exit code itself.
    case syscallEntry = "syscall_entry"
    /// Samples in user space: the server's own code and its libraries.
    case user
    /// Everything no rule claims (timer ticks, kernel work outside the paths above).
    case other

    /// The raw CSV's column for this category's share of the samples, in percent.
    public var column: String { "prof_\(rawValue)_pct" }
}

public enum ProfileCategories {
    /// The raw CSV's profile columns: the sample count, then one share per category.
    public static let columns: [String] = ["prof_samples"] + ProfileCategory.allCases.map(\.column)

    /// Kernel symbols by category, exact names after `kernelName(_:)` has dropped compiler
    /// suffixes (`.isra.0`, `.constprop.0`). Names are those of Linux 6.x; a function the compiler
    /// inlined has no frame and is claimed by its caller.
    static let symbols: [ProfileCategory: Set<String>] = [
        .readinessScan: [
            "sock_poll", "tcp_poll", "datagram_poll", "unix_poll", "pipe_poll", "signalfd_poll", "eventfd_poll",
            "fdget", "__fdget", "__pollwait", "pollwake", "poll_initwait", "poll_freewait", "do_pollfd",
            "do_select", "core_sys_select", "kern_select", "__x64_sys_select", "__x64_sys_pselect6",
            "__se_sys_pselect6", "do_pselect", "do_sys_poll", "do_poll", "__x64_sys_poll", "__x64_sys_ppoll",
            "__do_sys_poll", "__do_sys_ppoll", "poll_select_finish", "poll_select_set_timeout",
            "select_estimate_accuracy", "poll_schedule_timeout", "vfs_poll",
        ],
        .epoll: [
            "ep_poll", "ep_send_events", "ep_item_poll", "ep_poll_callback", "ep_done_scan", "ep_start_scan",
            "ep_busy_loop", "ep_events_available", "do_epoll_wait", "__x64_sys_epoll_wait", "__x64_sys_epoll_pwait",
            "__x64_sys_epoll_pwait2", "do_epoll_pwait", "do_epoll_ctl", "__x64_sys_epoll_ctl", "ep_insert",
            "ep_modify", "ep_remove", "ep_ptable_queue_proc", "ep_unregister_pollwait", "ep_autoremove_wake_function",
            "epoll_put_uevent", "ep_eventpoll_poll", "ep_clear_and_put", "eventpoll_release_file",
        ],
        .ioUring: [
            "__x64_sys_io_uring_enter", "__do_sys_io_uring_enter", "io_submit_sqes", "io_submit_sqe", "io_issue_sqe",
            "io_init_req", "io_queue_sqe", "io_cqring_wait", "io_cqring_wait_schedule", "__io_cqring_wait_schedule",
            "io_run_task_work", "tctx_task_work", "tctx_task_work_run", "io_handle_tw_list", "__io_run_local_work",
            "io_run_local_work", "io_poll_task_func", "io_poll_check_events", "io_poll_wake", "__io_poll_execute",
            "io_poll_add", "__io_arm_poll_handler", "io_arm_poll_handler", "io_apoll_task_func", "io_poll_issue",
            "io_req_task_complete", "io_req_post_cqe", "io_fill_cqe_req", "io_post_aux_cqe", "__io_post_aux_cqe",
            "io_recv", "io_recv_finish", "io_send", "io_sendmsg", "io_accept", "io_recvmsg", "io_read", "io_write",
            "io_buffer_select", "io_ring_buffer_select", "io_kbuf_recycle", "io_put_kbuf", "io_free_batch_list",
            "__io_submit_flush_completions", "io_submit_flush_completions", "io_req_task_work_add",
            "io_req_normal_work_add", "io_req_local_work_add", "io_cqe_cache_refill", "io_alloc_cache_put",
            "io_wq_submit_work", "io_worker_handle_work", "io_uring_cmd", "io_do_iopoll", "io_recv_buf_select",
            "io_net_kbuf_recyle", "io_send_finish", "io_req_defer_failed", "__io_req_task_work_add",
        ],
        .copyUser: [
            "_copy_from_user", "_copy_to_user", "copy_user_generic", "copy_user_enhanced_fast_string",
            "copy_user_generic_string", "rep_movs_alternative", "copy_from_user", "copy_to_user", "_copy_to_iter",
            "_copy_from_iter", "__copy_from_user_inatomic", "get_fd_set", "set_fd_set", "__get_user_8",
            "__put_user_8", "__get_user_4", "__put_user_4", "__put_user_2", "copyin", "copyout", "skb_copy_datagram_iter",
            "__skb_datagram_iter", "simple_copy_to_iter", "__check_object_size", "check_heap_object",
        ],
        .tcpRx: [
            "ksys_read", "__x64_sys_read", "vfs_read", "sock_read_iter", "sock_recvmsg", "inet_recvmsg",
            "tcp_recvmsg", "tcp_recvmsg_locked", "__x64_sys_recvfrom", "__sys_recvfrom", "__x64_sys_recvmsg",
            "tcp_cleanup_rbuf", "__tcp_cleanup_rbuf", "tcp_rcv_space_adjust", "tcp_v4_rcv", "tcp_v4_do_rcv",
            "tcp_rcv_established", "tcp_data_queue", "tcp_queue_rcv", "tcp_ack", "tcp_event_data_recv",
            "tcp_data_ready", "ip_rcv", "ip_rcv_core", "ip_rcv_finish", "ip_local_deliver",
            "ip_local_deliver_finish", "ip_protocol_deliver_rcu", "__netif_receive_skb", "__netif_receive_skb_one_core",
            "__netif_receive_skb_core", "process_backlog", "__napi_poll", "net_rx_action", "skb_defer_free_flush",
            "tcp_rcv_state_process", "tcp_child_process", "tcp_v4_syn_recv_sock", "inet_csk_accept", "do_accept",
            "__sys_accept4", "__x64_sys_accept4", "__x64_sys_accept", "__inet_lookup_established", "tcp_add_backlog",
            "__release_sock", "tcp_ack_update_rtt", "tcp_clean_rtx_queue", "tcp_check_space", "tcp_urg",
        ],
        .tcpTx: [
            "ksys_write", "__x64_sys_write", "vfs_write", "sock_write_iter", "sock_sendmsg", "__sock_sendmsg",
            "inet_sendmsg", "tcp_sendmsg", "tcp_sendmsg_locked", "__x64_sys_sendto", "__sys_sendto",
            "__x64_sys_sendmsg", "__x64_sys_writev", "do_writev", "vfs_writev", "tcp_push", "__tcp_push_pending_frames",
            "tcp_write_xmit", "__tcp_transmit_skb", "tcp_transmit_skb", "ip_queue_xmit", "__ip_queue_xmit",
            "ip_local_out", "__ip_local_out", "ip_output", "ip_finish_output", "ip_finish_output2", "__dev_queue_xmit",
            "dev_queue_xmit", "dev_hard_start_xmit", "loopback_xmit", "__netif_rx", "netif_rx", "netif_rx_internal",
            "tcp_stream_alloc_skb", "tcp_send_ack", "__tcp_send_ack", "tcp_send_delayed_ack", "tcp_event_new_data_sent",
            "tcp_rate_skb_sent", "tcp_wfree", "tcp_skb_entail", "tcp_send_mss", "tcp_current_mss", "bbr_main",
        ],
        .wakeupSched: [
            "schedule", "__schedule", "schedule_hrtimeout_range", "schedule_hrtimeout_range_clock", "schedule_hrtimeout",
            "schedule_timeout", "finish_task_switch", "context_switch", "__switch_to", "__switch_to_asm",
            "try_to_wake_up", "ttwu_do_activate", "ttwu_queue_wakelist", "wake_up_process", "default_wake_function",
            "autoremove_wake_function", "__wake_up", "__wake_up_common", "__wake_up_common_lock", "__wake_up_sync_key",
            "__wake_up_sync", "pick_next_task_fair", "pick_next_task", "put_prev_task_fair", "dequeue_task_fair",
            "enqueue_task_fair", "dequeue_entity", "enqueue_entity", "update_curr", "update_load_avg",
            "select_task_rq_fair", "check_preempt_wakeup_fair", "wakeup_preempt", "resched_curr", "psi_task_switch",
            "psi_task_change", "psi_group_change", "activate_task", "deactivate_task", "do_nanosleep",
            "hrtimer_nanosleep", "prepare_to_wait", "finish_wait", "prepare_to_wait_event", "prepare_task_switch",
            "raw_spin_rq_lock_nested", "set_next_entity", "sched_ttwu_pending", "__flush_smp_call_function_queue",
            "flush_smp_call_function_queue", "sysvec_call_function_single", "sysvec_reschedule_ipi",
            // Waking whoever waits on a socket: on loopback the peer, from inside the sender's write.
            "sock_def_readable", "sock_def_write_space", "sk_stream_write_space",
        ],
        .syscallEntry: [
            "entry_SYSCALL_64", "entry_SYSCALL_64_after_hwframe", "entry_SYSCALL_64_safe_stack", "do_syscall_64",
            "x64_sys_call", "syscall_exit_to_user_mode", "syscall_exit_to_user_mode_prepare",
            "exit_to_user_mode_prepare", "exit_to_user_mode_loop", "syscall_return_via_sysret", "syscall_trace_enter",
            "syscall_enter_from_user_mode", "fpregs_assert_state_consistent", "switch_fpu_return",
            "restore_fpregs_from_fpstate", "__rseq_handle_notify_resume", "arch_exit_to_user_mode_prepare",
        ],
    ]

    /// Frames whose whole subtree belongs to their category even where a frame below is in
    /// `readinessScan`: epoll's check of one ready item and io_uring's poll requests call the
    /// same `sock_poll`/`tcp_poll` as poll() does, but once per ready event, not per watched fd.
    static let ownsReadinessChecksBelow: [String: ProfileCategory] = [
        "ep_item_poll": .epoll, "ep_send_events": .epoll, "ep_insert": .epoll, "ep_modify": .epoll,
        "io_poll_check_events": .ioUring, "__io_arm_poll_handler": .ioUring, "io_arm_poll_handler": .ioUring,
        "io_poll_add": .ioUring, "io_poll_task_func": .ioUring, "io_apoll_task_func": .ioUring,
    ]

    /// Symbol → category, inverted from `symbols` once.
    private static let categoryBySymbol: [String: ProfileCategory] = {
        var table: [String: ProfileCategory] = [:]
        for (category, names) in symbols {
            for name in names {
                precondition(table[name] == nil, "\(name) is listed in two profile categories")
                table[name] = category
            }
        }
        return table
    }()

    /// The category of one symbol on its own, or nil when the table does not list it.
    public static func category(ofKernelSymbol symbol: String) -> ProfileCategory? {
        categoryBySymbol[kernelName(symbol)]
    }

    /// A kernel symbol without the suffixes the compiler adds to specialised copies.
    static func kernelName(_ symbol: Substring) -> String {
        if let dot = symbol.firstIndex(of: ".") { return String(symbol[..<dot]) }
        return String(symbol)
    }

    static func kernelName(_ symbol: String) -> String { kernelName(symbol[...]) }

    /// The category of one sample, from its frames leaf first. The nearest listed kernel frame
    /// decides, except: a readiness check under a frame of `ownsReadinessChecksBelow` is that
    /// frame's; the syscall entry code counts only when no unlisted kernel frame lies below it
    /// (a call the table does not know is `other`, not entry cost); a sample whose leaf is in user
    /// space is `user`; kernel frames no rule claims are `other`.
    public static func category(leafFirst frames: [StackFrame]) -> ProfileCategory {
        guard let leaf = frames.first else { return .other }
        guard leaf.isKernel else { return .user }
        var passedUnlisted = false
        for (index, frame) in frames.enumerated() where frame.isKernel {
            let name = kernelName(frame.symbol)
            guard let category = categoryBySymbol[name] else {
                passedUnlisted = true
                continue
            }
            switch category {
            case .syscallEntry:
                return passedUnlisted ? .other : .syscallEntry
            case .readinessScan:
                for outer in frames[(index + 1)...] where outer.isKernel {
                    if let owner = ownsReadinessChecksBelow[kernelName(outer.symbol)] { return owner }
                }
                return .readinessScan
            default:
                return category
            }
        }
        return .other
    }
}

/// One frame of a sampled stack: its symbol and whether it is kernel code.
public struct StackFrame: Hashable, Sendable {
    public var symbol: String
    public var isKernel: Bool

    public init(symbol: String, isKernel: Bool) {
        self.symbol = symbol
        self.isKernel = isKernel
    }
}
