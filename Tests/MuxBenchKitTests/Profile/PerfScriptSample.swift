// A small `perf script -F comm,tid,ip,sym,dso` sample for the folding tests: nine samples cut from
// a real profile of `mux-server --backend poll` at 5,000 connections (user frames shortened), and
// two in the same format for paths that server does not take (epoll's per-item check, getrusage).
let perfScriptSample = #"""
mux-server 14573 
	ffffffff81e74add sock_poll ([kernel.kallsyms])
	ffffffff816fffa6 do_sys_poll ([kernel.kallsyms])
	ffffffff81700e1e __x64_sys_poll ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	ffffffff81e74add sock_poll ([kernel.kallsyms])
	ffffffff816fffa6 do_sys_poll ([kernel.kallsyms])
	ffffffff81700e1e __x64_sys_poll ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	ffffffff81e74add sock_poll ([kernel.kallsyms])
	ffffffff816fffa6 do_sys_poll ([kernel.kallsyms])
	ffffffff81700e1e __x64_sys_poll ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	           24d7f $s7MuxCore15PollMultiplexerC5event2atAA10ReadyEventVSi_tF (/build/mux-server)
	           64a5d $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	ffffffff8170dc7d fdget ([kernel.kallsyms])
	ffffffff816fff54 do_sys_poll ([kernel.kallsyms])
	ffffffff81700e1e __x64_sys_poll ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	ffffffff82251fb9 _raw_spin_unlock_irqrestore ([kernel.kallsyms])
	ffffffff81e7c67e sock_def_readable ([kernel.kallsyms])
	ffffffff82078159 tcp_rcv_established ([kernel.kallsyms])
	ffffffff8208ae40 tcp_v4_do_rcv ([kernel.kallsyms])
	ffffffff8208d30a tcp_v4_rcv ([kernel.kallsyms])
	ffffffff8204d1fc ip_protocol_deliver_rcu ([kernel.kallsyms])
	ffffffff8204d411 ip_local_deliver_finish ([kernel.kallsyms])
	ffffffff81eb0c4d __netif_receive_skb_one_core ([kernel.kallsyms])
	ffffffff81eb0f33 process_backlog ([kernel.kallsyms])
	ffffffff81eb1621 __napi_poll ([kernel.kallsyms])
	ffffffff81eb1bfe net_rx_action ([kernel.kallsyms])
	ffffffff81369c4d handle_softirqs ([kernel.kallsyms])
	ffffffff8136965b do_softirq.part.0 ([kernel.kallsyms])
	ffffffff81369f44 __local_bh_enable_ip ([kernel.kallsyms])
	ffffffff81eadd34 __dev_queue_xmit ([kernel.kallsyms])
	ffffffff82051a6c ip_finish_output2 ([kernel.kallsyms])
	ffffffff820541df ip_output ([kernel.kallsyms])
	ffffffff820546fb __ip_queue_xmit ([kernel.kallsyms])
	ffffffff8207e2b4 __tcp_transmit_skb ([kernel.kallsyms])
	ffffffff8207fe7d tcp_write_xmit ([kernel.kallsyms])
	ffffffff820812d5 __tcp_push_pending_frames ([kernel.kallsyms])
	ffffffff82065a60 tcp_sendmsg_locked ([kernel.kallsyms])
	ffffffff8206652b tcp_sendmsg ([kernel.kallsyms])
	ffffffff81e75eed sock_write_iter ([kernel.kallsyms])
	ffffffff816dd250 vfs_write ([kernel.kallsyms])
	ffffffff816dd543 ksys_write ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           f8350 __GI___libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           63030 $s12MuxServerKit0B4LoopC4send33_22EDBAFCE3C7223C10E138D5D1B5D9CALL__2onySV_SiAA10ConnectionCtF0A4Core22IOURingPollMultiplexerC_Tg5Tm (/build/mux-server)

mux-server 14573 
	ffffffff8223df96 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           f8350 __GI___libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           63030 $s12MuxServerKit0B4LoopC4send33_22EDBAFCE3C7223C10E138D5D1B5D9CALL__2onySV_SiAA10ConnectionCtF0A4Core22IOURingPollMultiplexerC_Tg5Tm (/build/mux-server)

mux-server 14573 
	ffffffff81badf4e _copy_from_user ([kernel.kallsyms])
	ffffffff816ffdf0 do_sys_poll ([kernel.kallsyms])
	ffffffff81700e1e __x64_sys_poll ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14573 
	ffffffff813aecd3 finish_task_switch.isra.0 ([kernel.kallsyms])
	ffffffff82249604 __schedule ([kernel.kallsyms])
	ffffffff8224a1b3 schedule ([kernel.kallsyms])
	ffffffff81424641 exit_to_user_mode_loop ([kernel.kallsyms])
	ffffffff8223e170 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fc230 __poll (/usr/lib/x86_64-linux-gnu/libc.so.6)
	           649fd $s12MuxServerKit0B4LoopC3run6reportyySSXE_tKF0A4Core17SelectMultiplexerC_Tg504$s12ab94Kit0B7CommandO5serve33_A3D088F48A9BAD00DEFF1CF9A7058E0ELLyyAA0B13ConfigurationV_xSitK0A4Core11i17RzlFZySSXEfU_AH06H7Q0C_Tg5ACyAHGTf1cn_nTf4ng_nTm (/build/mux-server)

mux-server 14577 
	ffffffff8206a1c0 tcp_poll ([kernel.kallsyms])
	ffffffff81e74add sock_poll ([kernel.kallsyms])
	ffffffff8175a2d1 ep_item_poll.isra.0 ([kernel.kallsyms])
	ffffffff8175b0e4 ep_send_events ([kernel.kallsyms])
	ffffffff8175b5a2 ep_poll ([kernel.kallsyms])
	ffffffff8175c0a9 do_epoll_wait ([kernel.kallsyms])
	ffffffff8175c7d0 __x64_sys_epoll_wait ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           fe8b6 epoll_wait (/usr/lib/x86_64-linux-gnu/libc.so.6)

mux-server 14577 
	ffffffff8139f5a1 getrusage ([kernel.kallsyms])
	ffffffff8139f8c2 __x64_sys_getrusage ([kernel.kallsyms])
	ffffffff8223df91 do_syscall_64 ([kernel.kallsyms])
	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
	           f1e07 getrusage (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""#
