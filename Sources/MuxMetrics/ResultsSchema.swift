// The CSV schema of DESIGN.md, in one place. Changing it means changing plot.gnuplot, the
// check and the tests together.

public enum ResultsSchema {
    /// Columns of results/NAME.csv: one row per measured repetition, in this order.
    public static let columns: [String] = [
        "sweep", "point", "rep", "backend", "protocol", "mode", "connections", "active",
        "payload_bytes", "pipeline", "rate_target_rps", "warmup_s", "duration_s", "requests",
        "errors", "throughput_rps", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us",
        "lat_p999_us", "lat_max_us", "server_user_s", "server_sys_s", "server_cpu_us_per_req",
        "ctx_vol", "ctx_invol", "load_user_s", "load_sys_s", "sc_wait", "sc_ctl", "sc_accept",
        "sc_read", "sc_write", "sc_close", "sc_other", "read_eagain", "sc_per_req",
        "events_per_wait",
        // io_uring's work per request instead of syscalls: empty for the other backends.
        "sqe_per_req", "cqe_per_req", "cqes_per_enter",
        "kernel", "cpu_model", "commit", "started_at",
    ]

    /// The columns that name a point (its parameters), shared by the raw and summary CSVs.
    public static let pointParameters: [String] = [
        "sweep", "point", "backend", "protocol", "mode", "connections", "active", "payload_bytes",
        "pipeline", "rate_target_rps", "warmup_s", "duration_s",
    ]

    /// Figures summarised per point as `_median`, `_min`, `_max`. The `*_per_req` ones other
    /// than the raw CSV's own are derived per row: sc_KIND / requests.
    public static let summaryFigures: [String] = [
        "requests", "errors", "throughput_rps", "lat_mean_us", "lat_p50_us", "lat_p90_us",
        "lat_p99_us", "lat_p999_us", "lat_max_us", "server_cpu_us_per_req", "sc_per_req",
        "events_per_wait", "wait_per_req", "ctl_per_req", "accept_per_req", "read_per_req",
        "write_per_req", "close_per_req", "other_per_req", "read_eagain_per_req",
        "load_cpu_util",
        "sqe_per_req", "cqe_per_req", "cqes_per_enter",
    ]

    /// Columns of results/NAME-summary.csv: parameters, repetitions measured, the point's status
    /// (`ok`, `skipped`, `failed`) and why, then each figure's median, min and max.
    public static let summaryColumns: [String] = pointParameters + ["reps", "status", "reason"]
        + summaryFigures.flatMap { ["\($0)_median", "\($0)_min", "\($0)_max"] }
}
