// The CSV schema (Sources/README.md, The CSVs), in one place. Changing it means changing
// plot.gnuplot, the check and the tests together.

public enum ResultsSchema {
    /// Columns of results/NAME.csv: one row per measured repetition, in this order.
    public static let columns: [String] = [
        "sweep", "point", "rep", "backend", "protocol", "mode", "connections", "active",
        "payload_bytes", "pipeline", "rate_target_rps", "threads", "max_events", "warmup_s", "duration_s", "requests",
        "errors", "throughput_rps", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us",
        "lat_p999_us", "lat_max_us", "lat_sent_p50_us", "lat_sent_p99_us", "lat_sent_max_us",
        "send_late_p50_us", "send_late_p99_us", "send_late_max_us", "hiccup_p50_us", "hiccup_p99_us",
        "hiccup_max_us", "server_user_s", "server_sys_s", "server_cpu_us_per_req",
        "ctx_vol", "ctx_invol", "load_user_s", "load_sys_s", "steal_pct", "saturated_by", "sc_wait", "sc_ctl", "sc_accept",
        "sc_read", "sc_write", "sc_close", "sc_other", "read_eagain", "sc_per_req",
        "events_per_wait",
        // io_uring's work per request instead of syscalls: empty for the other backends.
        "sqe_per_req", "cqe_per_req", "cqes_per_enter",
        "server_cpus", "load_cpus", "kernel", "cpu_model", "commit", "started_at", "order_seed", "probe",
        // Open loop only: how the load threads waited (spin, sleep), the schedule (constant,
        // exponential) and its seed, the busiest load thread's share of the window spent working
        // (0…1), the send gaps' Kolmogorov–Smirnov distance from the exponential and its critical
        // value, the row's own checks (ok, fail; OpenLoopChecks.swift), and the sweep's loopback
        // round trip with nothing else going on (p50, the floor no backend can beat).
        "pacing", "arrivals", "arrival_seed", "load_busy_share", "gap_ks_d", "gap_ks_critical",
        "rate_check", "lateness_check", "gap_check", "floor_rtt_us",
        // A profile of the server's CPU over the window (--profile): samples, then each category's
        // share in percent, in MuxBenchKit's ProfileCategory order. Empty without a profile.
        "prof_samples", "prof_readiness_scan_pct", "prof_epoll_pct", "prof_io_uring_pct", "prof_copy_user_pct",
        "prof_tcp_rx_pct", "prof_tcp_tx_pct", "prof_wakeup_sched_pct", "prof_syscall_entry_pct", "prof_user_pct",
        "prof_other_pct",
    ]

    /// The columns that name a point (its parameters), shared by the raw and summary CSVs.
    public static let pointParameters: [String] = [
        "sweep", "point", "backend", "protocol", "mode", "connections", "active", "payload_bytes",
        "pipeline", "rate_target_rps", "threads", "max_events", "warmup_s", "duration_s",
    ]

    /// Figures summarised per point (see `figureStatistics`). The `*_per_req` ones other
    /// than the raw CSV's own are derived per row: sc_KIND / requests. Open loop only (empty in
    /// closed loop): `lat_sent_*` (latency from the actual send, wrk2 -U), `send_late_*` (the load
    /// generator's pacing error), `hiccup_*` (the platform's, from a 1 ms sleep loop;
    /// beside sleeping load workers only, empty for spinning ones). `steal_pct`:
    /// the share of the measured CPUs' time the hypervisor took (empty where /proc/stat has none).
    public static let summaryFigures: [String] = [
        "requests", "errors", "throughput_rps", "lat_mean_us", "lat_p50_us", "lat_p90_us",
        "lat_p99_us", "lat_p999_us", "lat_max_us", "lat_sent_p50_us", "lat_sent_p99_us", "lat_sent_max_us",
        "send_late_p50_us", "send_late_p99_us", "send_late_max_us", "hiccup_p50_us", "hiccup_p99_us",
        "hiccup_max_us", "server_cpu_us_per_req", "sc_per_req",
        "events_per_wait", "wait_per_req", "ctl_per_req", "accept_per_req", "read_per_req",
        "write_per_req", "close_per_req", "other_per_req", "read_eagain_per_req",
        "load_cpu_util", "server_cpu_util", "steal_pct",
        "sqe_per_req", "cqe_per_req", "cqes_per_enter",
        "load_busy_share", "floor_rtt_us",
        "prof_readiness_scan_pct", "prof_epoll_pct", "prof_io_uring_pct", "prof_copy_user_pct", "prof_tcp_rx_pct",
        "prof_tcp_tx_pct", "prof_wakeup_sched_pct", "prof_syscall_entry_pct", "prof_user_pct", "prof_other_pct",
    ]

    /// What the summary gives of each figure, as column suffixes: the median, min and max over the
    /// repetitions; the distribution-free confidence interval of the median from order statistics
    /// (`_ci_low`, `_ci_high`) with the coverage it actually reaches (`_ci_coverage`, 0…1: with
    /// n = 5 no interval reaches 95%); how many repetitions had the figure (`_n`); and how many of
    /// them lie outside Tukey's fences (`_outliers`: flagged, never dropped).
    public static let figureStatistics: [String] = ["median", "min", "max", "ci_low", "ci_high", "ci_coverage", "n", "outliers"]

    /// Columns of results/NAME-summary.csv: parameters, repetitions measured, the point's status
    /// (`ok`, `skipped`, `failed`) and why, how many reps were saturated (`saturated_by` set),
    /// a rate search's answer (on the search's own row, `point` ending in `-search-`), then each
    /// figure's `figureStatistics`.
    public static let summaryColumns: [String] = pointParameters + ["reps", "status", "reason", "saturated_reps",
                                                                      "max_sustainable_rps"]
        + summaryFigures.flatMap { figure in figureStatistics.map { "\(figure)_\($0)" } }
        // How many reps failed one of their own checks (rate, lateness, gap: OpenLoopChecks).
        + ["failed_check_reps"]
        // What the reason says in prose, typed (MuxBenchKit's SummaryRowFacts.swift): `point` or
        // `search`; on search rows the bounded percentile (`p50`), its bound in µs and how the
        // search ended (`answered`, `none`, `failed`); how many reps the load generator limited
        // (`saturated_by` client or both); on search rows, how many probes it limited.
        + ["row_kind", "search_metric", "search_bound_us", "search_outcome", "client_limited_reps",
           "search_client_limited_probes"]
}
