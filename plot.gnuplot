# plot.gnuplot: PNG charts from a MuxBench summary CSV (the summary layout: Sources/README.md, The CSVs).
#
#   gnuplot -e "data='results/NAME-summary.csv'; out='results/NAME'" plot.gnuplot
#
# writes OUT-throughput.png, OUT-latency.png, OUT-cpu.png, OUT-syscalls.png, OUT-events.png:
# one line per backend, the same colour for a backend on every chart, the median of the
# repetitions with error bars from their min to their max. Only points with status ok are drawn.
# The backends and their order come from the data (order of first appearance); no backend name
# is written in this file. `mux-bench plot` also passes each backend's colour and point type from
# its traits (Sources/MuxCore/Backend.swift), so a backend looks the same in every sweep's charts.
#
# Optional variables (-e "name='value'; ..."):
#   title        chart title prefix                       (default: the name in `out`)
#   x            connections | active | payload_bytes | mode | protocol | rate_target_rps
#                (default: connections); the named ones draw bars per backend, one cluster per value
#   backends     which backends to draw, in legend order  (default: those in the data, in order)
#   style_backends, style_colours, style_points
#                parallel word lists: a backend's colour ('#rrggbb') and point type; a backend
#                not named there takes a colour by its place in `backends`
#   split        a column that splits each backend's line in several ('mode', 'protocol', 'rate_target_rps'),
#                told apart by dash type; split_values lists the values to draw
#   series       the exact lines: words "backend" or "backend/VALUE-of-split"
#                (default: every backend × split value); `mux-bench plot` passes only those
#                the data has, because gnuplot warns about an empty series
#   categories   the x values when x is mode or protocol  (default: immediate on-writable)
#   conditions   what the charts were measured under, for every title (machine, loop, reps × window)
#   bars         minmax (default) or ci: error bars from the summary's median confidence interval
#                (`_ci_low`/`_ci_high`) instead of min–max
#   searched     1 when the summary has rate-search rows (`row_kind` search): they are left out
#                of the per-point charts and drawn in OUT-max-rate.png
#   typed        1 when the summary has the typed columns (`row_kind`, `search_client_limited_probes`);
#                0 for older summaries, whose search answers were the rows with `max_sustainable_rps`
#   openloop     1 when points ran at offered rates: OUT-latency-load.png (p50/p99 against achieved
#                throughput, one panel per value of `conn_values`) and OUT-cpu-equal-load.png
#                (server CPU utilisation against open connections, one panel per `rate_values`)
#   present      the backends the data has, in legend order (default: `backends`)
#   xbars        1 when every backend has one x value: the per-point charts draw bars, one cluster
#                per value in `categories`, instead of dots stacked on one x
#   load_bars    1 when every backend ran one offered rate per connection count: OUT-latency-load.png
#                and OUT-latency-floor.png draw bars per backend (p50, p99) instead of lines
#   tics_log     a file each log axis appends its tick labels to (see "log axes" below)
# Saturated points (the summary's saturated_reps > 0: the client, or both, or the machine set the
# pace) are drawn hollow on every chart: they are not measurements of the server.
# Columns are found by name, never by number, so the schema can grow without breaking this.

if (!exists("data") || !exists("out")) {
    exit error "usage: gnuplot -e \"data='results/NAME-summary.csv'; out='results/NAME'\" plot.gnuplot"
}
basename(s) = strstrt(s, '/') ? basename(s[strstrt(s, '/') + 1:]) : s
if (!exists("title")) { title = basename(out) }
if (!exists("x")) { x = 'connections' }
xcol = x    # `x` itself is gnuplot's dummy variable inside plot expressions
set datafile separator ","
windex(w, list) = sum [i = 1:words(list)] (word(list, i) eq w ? i : 0)
if (!exists("backends")) {
    # Every backend with an ok point, in the order the summary lists them.
    backends = ''
    add_backend(b) = (windex(b, backends) == 0 ? backends = backends.' '.b : 0)
    stats data using (strcol("status") eq 'ok' ? add_backend(strcol("backend")) : 0) nooutput
}
if (!exists("style_backends")) { style_backends = '' }
if (!exists("style_colours")) { style_colours = '' }
if (!exists("style_points")) { style_points = '' }
if (!exists("split")) { split = '' }
if (!exists("split_values")) { split_values = (split eq 'mode') ? 'immediate on-writable' : '' }
if (!exists("categories")) { categories = 'immediate on-writable' }
if (!exists("conditions")) { conditions = '' }
if (!exists("bars")) { bars = 'minmax' }
if (!exists("searched")) { searched = 0 }
if (!exists("typed")) { typed = 0 }
if (!exists("openloop")) { openloop = 0 }
if (!exists("present")) { present = backends }
if (!exists("conn_values")) { conn_values = '' }
if (!exists("rate_values")) { rate_values = '' }
if (!exists("conn_backends")) { conn_backends = '' }     # per conn_values panel: its backends, comma-separated
if (!exists("rate_backends")) { rate_backends = '' }     # the same per rate_values panel
if (!exists("searched_backends")) { searched_backends = present }
if (!exists("search_bound")) { search_bound = 'the latency bound met' }
if (!exists("delivered_pct")) { delivered_pct = '99' }   # Saturation.deliveredFraction, in percent
lo_sfx = bars eq 'ci' ? 'ci_low' : 'min'
hi_sfx = bars eq 'ci' ? 'ci_high' : 'max'
if (!exists("series")) {
    series = ''
    do for [b in backends] {
        if (split eq '' || split_values eq '') { series = series.' '.b } else {
            do for [v in split_values] { series = series.' '.b.'/'.v }
        }
    }
}

set datafile missing NaN            # rows of other series become gaps the line skips, not breaks
set key autotitle columnheader
set terminal pngcairo enhanced size 1000,640 font "DejaVu Sans,11" linewidth 1.5
set grid xtics ytics mxtics mytics lc rgb '#e0e0e0' lw 0.8
set border 3
set tics nomirror
set key outside right top vertical samplen 2.5 spacing 1.2

# --- series: backend, split value, and how each is drawn -------------------------------------
# Series with no value of a figure (a server MuxBench did not write has no read_eagain, nor
# syscalls without perf): words "FIGURE:SERIES", left out of that figure's panel only, since
# gnuplot fails on a series with no valid point. `mux-bench plot` passes them.
if (!exists("absent")) { absent = '' }
series_for_rec(f, i) = i > words(series) ? '' : \
    (windex(f.':'.word(series, i), absent) == 0 ? ' '.word(series, i) : '') . series_for_rec(f, i + 1)
backend_of(s) = strstrt(s, '/') ? s[1:strstrt(s, '/') - 1] : s
split_of(s) = strstrt(s, '/') ? s[strstrt(s, '/') + 1:] : ''
# Fixed per backend when style_* name it (not per position, so a sweep without select keeps
# epoll's colours); otherwise by the backend's place in `backends`.
fallback_colours = '#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf'
style_index(s) = windex(backend_of(s), style_backends)
place(s) = windex(backend_of(s), backends) > 0 ? windex(backend_of(s), backends) : 1
color(s) = style_index(s) > 0 ? word(style_colours, style_index(s)) : \
           word(fallback_colours, (place(s) - 1) % words(fallback_colours) + 1)
point(s) = style_index(s) > 0 ? int(word(style_points, style_index(s))) : 3 + 2 * place(s)
dash(s) = split_of(s) eq '' ? 1 : (windex(split_of(s), split_values) > 0 ? windex(split_of(s), split_values) : 1)
# A blank cell is drawn as a word (word lists hold no empty word): a closed-loop point's rate is
# 'closed', as `mux-bench plot` names it in `series` and `categories`.
cell(c) = (strcol(c) eq '' && c eq 'rate_target_rps') ? 'closed' : strcol(c)
label(s) = split_of(s) eq '' ? backend_of(s) : \
           (split eq 'rate_target_rps' && split_of(s) eq 'closed') ? backend_of(s).' (closed loop)' : backend_of(s).' ('.split_of(s).')'
# A search's row is its answer, not a point of the matrix (gnuplot's ?: computes one branch only, so
# summaries without the column still read).
is_search(unused) = typed ? strcol("row_kind") eq 'search' : strcol("max_sustainable_rps") ne ''
not_search(unused) = searched ? !is_search(0) : 1
picked(s) = strcol("status") eq 'ok' && strcol("backend") eq backend_of(s) && \
            (split_of(s) eq '' || cell(split) eq split_of(s)) && not_search(0)
ok_row(unused) = strcol("status") eq 'ok' && not_search(0)
if (!exists("satcol")) { satcol = 1 }
if (!exists("chkcol")) { chkcol = 0 }   # 1 when the summary has failed_check_reps (OpenLoopChecks.swift)
# A point whose reps failed one of their own checks (rate, lateness, gap) is drawn like a saturated one.
saturated(unused) = (satcol ? column("saturated_reps") > 0 : 0) || (chkcol ? column("failed_check_reps") > 0 : 0)
# The hollow overlay draws a white centre on saturated points and an invisible (size 0, fully
# transparent) one on the others: every point of a series stays valid, so no series is ever
# empty (gnuplot warns on those).
hollow_size(big) = saturated(0) ? big : 0
hollow_color(unused) = saturated(0) ? 0xFFFFFF : 0xFF000000

# --- log axes: labelled at 1-2-5 steps, written 20k, 1M, 0.05 ------------------------------------
# gnuplot labels a log axis at its decades only, and past 1e5 in e-notation (1e+06). A log axis
# here keeps gnuplot's own ticks, unlabelled (format ''), so its range is chosen as before, and
# gets labelled ticks added at 1-2-5 steps inside [lo, hi] (decades alone past six decades, where
# the steps would crowd): the axis's range, or for an autoscaled one its values' decades.
# The ticks travel as words written %.12f: gnuplot reads no e-notation back from a string.
# `tics_log` (optional, a file): each log axis appends a line there, `NAME AXIS: labels`, the
# labels it was given (PlotterTests reads them).
if (!exists("tics_log")) { tics_log = '' }
tick_text(v) = v >= 1e6 ? sprintf('%gM', v / 1e6) : v >= 1e3 ? sprintf('%gk', v / 1e3) : \
               v >= 1 ? sprintf('%g', v) : sprintf(sprintf('%%.%df', int(ceil(-log10(v) - 1e-9))), v)
decade_below(v) = 10.0 ** floor(log10(v) + 1e-9)
decade_above(v) = 10.0 ** ceil(log10(v) - 1e-9)
in_range(v, lo, hi) = v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)
step_value(steps, k, d) = (word(steps, k) + 0.0) * 10.0 ** d
log_ticks_from(d, k, lo, hi, steps) = d > log10(hi) + 1e-9 ? '' : k > words(steps) ? log_ticks_from(d + 1, 1, lo, hi, steps) : \
    (in_range(step_value(steps, k, d), lo, hi) ? sprintf(' %.12f', step_value(steps, k, d)) : '') . log_ticks_from(d, k + 1, lo, hi, steps)
log_ticks(lo, hi) = log_ticks_from(floor(log10(lo) + 1e-9), 1, lo, hi, hi / lo > 1e6 ? '1' : '1 2 5')
tick_labels(ticks, i) = i > words(ticks) ? '' : ' ' . tick_text(word(ticks, i) + 0.0) . tick_labels(ticks, i + 1)
# A tick is placed a hair inside [tick_lo, tick_hi]: at an end it would otherwise fall a rounding
# error outside the range gnuplot computed for the axis, and go unlabelled.
tick_at(v) = v * (v * v < tick_lo * tick_hi ? 1 + 1e-12 : 1 - 1e-12)

# --- the x axis: numeric (log when it spans decades) or clusters of a named dimension ------
if (!exists("xbars")) { xbars = 0 }
categorical = (xcol eq 'mode' || xcol eq 'protocol' || xcol eq 'rate_target_rps' || xbars)
nseries = words(series)
bar_width = 0.8 / nseries
xpos(s) = categorical ? windex(cell(xcol), categories) - 1 + (windex(s, series) - (nseries + 1) / 2.0) * bar_width \
                      : column(xcol)
xlabel = xcol eq 'connections' ? 'open connections' : xcol eq 'active' ? 'active connections (sending at once)' : \
         xcol eq 'payload_bytes' ? 'payload (bytes per request)' : xcol eq 'mode' ? 'write mode' : \
         xcol eq 'protocol' ? 'protocol (http-close: one connection per request)' : \
         xcol eq 'rate_target_rps' ? 'offered rate (requests/s; ' . (windex('closed', categories) ? 'closed' : 'blank') . ': closed loop)' : xcol
# Nothing below runs a string as commands (nor expands macros): the sweep's name, paths and
# conditions are only ever values, so no name can run as a command (a sweep file named
# "a'.system('touch x').'" once did). Settings repeated after a multiplot are applied in place.
if (categorical) {
    set boxwidth bar_width * 0.9 absolute
    set style fill solid 0.8 border -1
} else {
    set table $XR separator comma
    plot data using (column(xcol)) with table if (ok_row(0))
    unset table
    # Stats on the CSV itself: on $XR, `autotitle columnheader` would take the first value for a
    # header and drop it (a one-point sweep then has no data at all).
    stats [*:*] data using (ok_row(0) ? column(xcol) : NaN) nooutput
    # The range is padded past the first and last value, so their error bars are not cut by the
    # border. One x value (every backend at one point): widen it, else gnuplot warns it is empty.
    x_log = STATS_min > 0 && STATS_max / STATS_min >= 10
    x_pad = (STATS_max - STATS_min) * 0.04
    x_lo = x_log ? STATS_min / 1.25 : STATS_min != STATS_max ? STATS_min - x_pad : STATS_min - (STATS_min != 0 ? abs(STATS_min) / 2 : 1)
    x_hi = x_log ? STATS_max * 1.25 : STATS_min != STATS_max ? STATS_max + x_pad : STATS_max + (STATS_max != 0 ? abs(STATS_max) / 2 : 1)
}
set xlabel xlabel

# The legend of a multiplot: one invisible full-page plot drawn last, so the key spans the page
# (a panel's own key is as narrow as the panel and stacks into one column over the charts).
# It sits at the bottom of the page, 6 series to a row (4 when split), so a long title never runs into it; the
# panels' bottom margin leaves room for its rows (legend_bottom: the page fraction for a page
# PX pixels high, with the x label's room above it).
# Labels with a split value ("poll (30000)") are wider: 4 to a row then.
legend_cols = split eq '' ? 6 : 4
legend_rows = int(ceil(nseries / (1.0 * legend_cols)))
# Rows are nearer 21 pixels than 19, and a legend of several rows needs a gap under the x label,
# or the label reads as (or runs into) its first row; a one-row legend already clears it.
legend_bottom(px) = (60.0 + 19.0 * legend_rows + (legend_rows > 1 ? 12.0 + 2.0 * legend_rows : 0)) / px

note = 'median of repetitions, bars: ' . (bars eq 'ci' ? 'confidence interval of the median' : 'min to max') . \
       '; hollow: saturated' . (chkcol ? ' or a failed check' : '')
# Two short lines under each title rather than one that a 1000-pixel chart cuts off.
subtitle = '{/*0.8 (' . note . ')}' . (conditions ne '' ? "\n{/*0.8 " . conditions . '}' : '')

# --- the charts: each a list of panels (figures), drawn by one loop -------------------------
# A kind no backend made a call of (ctl without epoll, EAGAIN reads under io_uring) is left out
# of the syscalls chart: a panel of zeros says nothing.
syscall_figures = 'wait_per_req ctl_per_req read_per_req write_per_req read_eagain_per_req sc_per_req'
array syscall_headings[6] = ['wait (select / poll / epoll\_wait / io\_uring\_enter)', 'ctl (epoll\_ctl)', 'read', \
                             'write', 'reads that found nothing (EAGAIN)', 'all syscalls']
syscall_panels = ''
do for [i = 1:words(syscall_figures)] {
    set table $NZ separator comma
    plot data using (column(word(syscall_figures, i) . '_median')) with table if (ok_row(0) && column(word(syscall_figures, i) . '_median') != 0)
    unset table
    if (|$NZ| > 0) { syscall_panels = syscall_panels . ' ' . word(syscall_figures, i) }
}
if (words(syscall_panels) == 0) { syscall_panels = 'sc_per_req' }
syscall_rows = (words(syscall_panels) + 2) / 3
syscall_cols = words(syscall_panels) < 3 ? words(syscall_panels) : 3

chart_panels(c) = c eq 'throughput' ? 'throughput_rps' : c eq 'latency' ? 'lat_p50_us lat_p99_us' : \
                  c eq 'cpu' ? 'server_cpu_us_per_req' : c eq 'syscalls' ? syscall_panels : 'events_per_wait'
# A one-panel chart's title; a multiplot's panels have a short heading under the page's title.
chart_heading(c) = c eq 'throughput' ? 'throughput' : c eq 'latency' ? 'latency' : \
                   c eq 'cpu' ? 'server CPU per request (user + sys)' : \
                   c eq 'syscalls' ? 'server syscalls per request by kind' : 'ready events returned per wait call'
panel_heading(f) = f eq 'lat_p50_us' ? 'p50 (median request)' : f eq 'lat_p99_us' ? 'p99' : \
                   syscall_headings[windex(f, syscall_figures)]
chart_ylabel(c) = c eq 'throughput' ? 'throughput (requests/s)' : c eq 'latency' ? 'latency (µs)' : \
                  c eq 'cpu' ? 'server CPU (µs per request)' : c eq 'syscalls' ? 'calls per request' : 'events per wait call'
do for [chart in 'throughput latency cpu syscalls events'] {
    set output out.'-'.chart.'.png'
    multi = chart eq 'latency' || chart eq 'syscalls'
    if (chart eq 'latency') {
        set terminal pngcairo size 1400,600
        set multiplot layout 1,2 title sprintf("%s: latency\n%s", title, subtitle) font ",13" margins 0.07,0.98,legend_bottom(600),0.80 spacing 0.08,0.1
    }
    if (chart eq 'syscalls') {
        set terminal pngcairo size 560 * syscall_cols, 100 + 400 * syscall_rows + 19 * legend_rows
        set multiplot layout syscall_rows, syscall_cols title sprintf("%s: server syscalls per request by kind\n%s", title, subtitle) font ",13" \
            margins 0.06,0.98,legend_bottom(100 + 400 * syscall_rows + 19 * legend_rows),(syscall_rows > 1 ? 0.86 : 0.76) spacing 0.06,0.12
    }
    if (!multi) { set terminal pngcairo size 1000,640 }
    if (multi) { unset key }
    do for [fig in chart_panels(chart)] {
        # The x axis (the multiplot legend resets it).
        if (categorical) {
            unset logscale x; set xrange [-0.5:words(categories) - 0.5]; set xtics () scale 0
            do for [i = 1:words(categories)] { set xtics add (word(categories, i) i - 1) }
            set grid noxtics
        } else {
            set xtics autofreq
            if (x_log) { set logscale x 10 } else { unset logscale x }
            set xrange [x_lo:x_hi]
            if (x_log) {
                tick_lo = x_lo; tick_hi = x_hi; x_ticks = log_ticks(tick_lo, tick_hi)
                do for [tv in x_ticks] { set xtics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
                if (tics_log ne '') { set print tics_log append; print chart . '/' . fig . ' x:' . tick_labels(x_ticks, 1); set print }
            }
        }
        # Series with no value of this figure are left out of its panel (gnuplot fails on them).
        fseries = series_for_rec(fig, 1)
        if (words(fseries) == 0) { fseries = series }
        set title (multi ? panel_heading(fig) : sprintf("%s: %s\n%s", title, chart_heading(chart), subtitle))
        set ylabel chart_ylabel(chart)
        # Log y when the figure's ok values span more than a decade and a bit (and none is zero);
        # never under bars, whose length would then mean nothing. The tick format is set after the
        # scan: `set table` writes values in the tick format.
        # One-column stats on the CSV itself: a two-column one fits a line and warns when there are
        # only 1-2 points, and on $YR `autotitle columnheader` would drop the first row as a header.
        set format xy '%.10g'
        set table $YR separator comma
        plot data using (column(fig.'_'.lo_sfx)):(column(fig.'_'.hi_sfx)) with table if (ok_row(0))
        unset table
        y_log = 0
        set ytics autofreq
        if (|$YR| > 0) {
            unset logscale y; set yrange [*:*]
            stats [*:*] data using (ok_row(0) ? column(fig.'_'.lo_sfx) : NaN) name 'YLO' nooutput
            stats [*:*] data using (ok_row(0) ? column(fig.'_'.hi_sfx) : NaN) name 'YHI' nooutput
            if (!categorical && YLO_min > 0 && YHI_max / YLO_min >= 20) { set logscale y 10; set yrange [*:*]; y_log = 1 } else {
                unset logscale y
                if (YHI_max > 0) { set yrange [0:*] } else { set yrange [0:1] }
            }
        } else { unset logscale y; set yrange [*:*] }
        set format x (!categorical && x_log ? '' : '% h')    # on a log axis, the added ticks are the labels
        set format y (fig eq 'throughput_rps' ? '%.1s%c' : '%g')    # 150k rather than 150000
        if (y_log) {
            # gnuplot extends an autoscaled log axis to the decades around its values.
            tick_lo = decade_below(YLO_min); tick_hi = decade_above(YHI_max); y_ticks = log_ticks(tick_lo, tick_hi)
            set format y ''
            do for [tv in y_ticks] { set ytics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
            if (tics_log ne '') { set print tics_log append; print chart . '/' . fig . ' y:' . tick_labels(y_ticks, 1); set print }
        }
        # A line with min–max bars per series, or bars per cluster; saturated points get a white
        # centre over their marker: hollow, on lines and bars alike.
        if (categorical) {
            plot for [s in fseries] data using (picked(s) ? xpos(s) : NaN):(column(fig.'_median')) with boxes lc rgb color(s) title label(s), \
                 for [s in fseries] data using (picked(s) ? xpos(s) : NaN):(column(fig.'_median')):(column(fig.'_'.lo_sfx)):(column(fig.'_'.hi_sfx)) with yerrorbars lc rgb '#333333' pt 0 notitle, \
                 for [s in fseries] data using (picked(s) ? xpos(s) : NaN):(column(fig.'_median')):(hollow_size(0.9)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle
        } else {
            plot for [s in fseries] data using (xpos(s)):(picked(s) ? column(fig.'_median') : NaN):(column(fig.'_'.lo_sfx)):(column(fig.'_'.hi_sfx)) with yerrorlines lc rgb color(s) pt point(s) ps 1.1 dt dash(s) title label(s), \
                 for [s in fseries] data using (xpos(s)):(picked(s) ? column(fig.'_median') : NaN):(hollow_size(0.6)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle
        }
    }
    if (multi) {
        # The legend; its points lie outside the range, so only the key is drawn (NaN points
        # would make gnuplot warn).
        set origin 0,0; set size 1,1; set margins 0,0,0,0; unset border; unset xtics; unset ytics; unset xlabel; unset ylabel; unset title; unset grid
        unset logscale; set xrange [0:1]; set yrange [0:1]
        set key at screen 0.5, 0.008 center bottom horizontal maxcols legend_cols maxrows auto
        if (categorical) {
            plot for [s in series] '+' using (2):(2) with boxes lc rgb color(s) title label(s)
        } else {
            plot for [s in series] '+' using (2):(2):(2):(2) with yerrorlines lc rgb color(s) pt point(s) ps 1.1 dt dash(s) title label(s)
        }
        unset multiplot
        set margins -1,-1,-1,-1; set border 3; set xtics autofreq nomirror; set ytics autofreq nomirror
        set grid xtics ytics mxtics mytics lc rgb '#e0e0e0' lw 0.8; set xlabel xlabel
        set key outside right top vertical maxrows auto
    }
}

# --- open loop: latency under offered load, CPU at equal load, max sustainable rate -------------
open_row(b) = strcol("status") eq 'ok' && strcol("backend") eq b && strcol("rate_target_rps") ne '' && not_search(0)
commas_to_spaces(s) = strstrt(s, ',') ? s[1:strstrt(s, ',') - 1] . ' ' . commas_to_spaces(s[strstrt(s, ',') + 1:]) : s
panel_backends(lists, i) = words(lists) >= i ? commas_to_spaces(word(lists, i)) : present
bar_lo(f) = column(f . '_' . lo_sfx)
bar_hi(f) = column(f . '_' . hi_sfx)

if (!exists("load_bars")) { load_bars = 0 }
if (openloop && words(conn_values) > 0 && !load_bars) {
    set output out.'-latency-load.png'
    set terminal pngcairo size 700 * words(conn_values) + 200, 640
    set multiplot layout 1, words(conn_values) title sprintf("%s: latency under offered load, from intended send time (solid: p99, dashed: p50)\n%s", title, subtitle) font ",13"
    do for [ci = 1:words(conn_values)] {
        c = word(conn_values, ci)
        pb = panel_backends(conn_backends, ci)
        unset logscale; set xtics autofreq nomirror; set ytics autofreq nomirror; set xrange [*:*]; set yrange [*:*]
        set format x '% h'; set format y '% h'; set key below horizontal maxcols 4 font ',9' nobox
        set logscale y 10
        set title sprintf('%s open connections', c)
        set xlabel 'achieved throughput (requests/s)'
        set ylabel 'latency (µs, log)'
        set format x '%.0s%c'
        set xrange [0:*]
        # The y labels: 1-2-5 over the decades of its p50s and p99s.
        set table $LY separator comma
        plot data using (column('lat_p50_us_' . lo_sfx)):(column('lat_p99_us_' . hi_sfx)) with table if (open_row(strcol("backend")) && strcol("connections") eq c)
        unset table
        if (|$LY| > 0) {
            stats [*:*] data using (open_row(strcol("backend")) && strcol("connections") eq c ? bar_lo('lat_p50_us') : NaN) name 'LLO' nooutput
            stats [*:*] data using (open_row(strcol("backend")) && strcol("connections") eq c ? bar_hi('lat_p99_us') : NaN) name 'LHI' nooutput
            tick_lo = decade_below(LLO_min); tick_hi = decade_above(LHI_max); y_ticks = log_ticks(tick_lo, tick_hi)
            set format y ''
            do for [tv in y_ticks] { set ytics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
            if (tics_log ne '') { set print tics_log append; print 'latency-load/' . c . ' y:' . tick_labels(y_ticks, 1); set print }
        }
        plot for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p99_us_median')):(bar_lo('lat_p99_us')):(bar_hi('lat_p99_us')) with yerrorlines lc rgb color(b) pt point(b) ps 1.0 dt 1 title b, \
             for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p50_us_median')):(bar_lo('lat_p50_us')):(bar_hi('lat_p50_us')) with yerrorlines lc rgb color(b) pt point(b) ps 0.7 dt 2 notitle, \
             for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p99_us_median')):(hollow_size(0.55)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle, \
             for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p50_us_median')):(hollow_size(0.35)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle, \
             data using (strcol("status") eq 'ok' && strcol("rate_target_rps") ne '' && not_search(0) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('hiccup_p99_us_median')) with points pt 2 ps 0.8 lc rgb '#888888' title "machine's hiccup p99 (noise floor)", \
             data using (strcol("status") eq 'ok' && strcol("rate_target_rps") ne '' && not_search(0) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('send_late_p99_us_median')) with points pt 8 ps 0.8 lc rgb '#444444' title "client's send lateness p99"
    }
    unset multiplot
}

if (openloop && words(rate_values) > 0) {
    set output out.'-cpu-equal-load.png'
    rate_cols = words(rate_values) > 3 ? 3 : words(rate_values)
    rate_rows = (words(rate_values) + 2) / 3
    set terminal pngcairo size 640 * rate_cols + 200, 540 * rate_rows + 60
    set multiplot layout rate_rows, rate_cols title sprintf("%s: server CPU at equal offered load\n%s", title, subtitle) font ",13"
    do for [ri = 1:words(rate_values)] {
        r = word(rate_values, ri)
        pb = panel_backends(rate_backends, ri)
        unset logscale; set xtics autofreq nomirror; set ytics autofreq nomirror; set xrange [*:*]; set yrange [*:*]
        set format x '% h'; set format y '% h'; set key below horizontal maxcols 4 font ',9' nobox
        set title sprintf('offered %s requests/s', r)
        set xlabel 'open connections'
        set ylabel 'server CPU utilisation (% of one CPU)'
        stats [*:*] data using ((strcol("status") eq 'ok' && not_search(0) && strcol("rate_target_rps") eq r) ? column('connections') : NaN) name 'XC' nooutput
        # Padded, so the edge points' bars show; one connection count alone gets a range around it.
        if (XC_min > 0 && XC_max / XC_min >= 10) { set logscale x 10; set xrange [XC_min / 1.5 : XC_max * 1.5] } else { set xrange [XC_min - (XC_min / 2 + 1) : XC_max + (XC_max / 2 + 1)] }
        if (XC_min > 0 && XC_max / XC_min >= 10) {
            tick_lo = XC_min / 1.5; tick_hi = XC_max * 1.5; x_ticks = log_ticks(tick_lo, tick_hi)
            set format x ''
            do for [tv in x_ticks] { set xtics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
            if (tics_log ne '') { set print tics_log append; print 'cpu-equal-load/' . r . ' x:' . tick_labels(x_ticks, 1); set print }
        }
        set yrange [0:*]
        plot for [b in pb] data using (open_row(b) && strcol("rate_target_rps") eq r ? column('connections') : NaN):(100 * column('server_cpu_util_median')):(100 * bar_lo('server_cpu_util')):(100 * bar_hi('server_cpu_util')) with yerrorlines lc rgb color(b) pt point(b) ps 1.1 title b, \
             for [b in pb] data using (open_row(b) && strcol("rate_target_rps") eq r ? column('connections') : NaN):(100 * column('server_cpu_util_median')):(hollow_size(0.6)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle
    }
    unset multiplot
}

if (searched) {
    set output out.'-max-rate.png'
    set terminal pngcairo size 1000, 640
    unset logscale; set xtics autofreq nomirror; set ytics autofreq nomirror; set xrange [*:*]; set yrange [*:*]
    set format x '% h'; set format y '% h'; set key below horizontal maxcols 4 font ',9' nobox
    search_row(b) = strcol("status") eq 'ok' && strcol("backend") eq b && is_search(0)
    # Hollow where a probe above the answer found the load generator the limit (older summaries: solid).
    client_limited(unused) = typed ? column('search_client_limited_probes') > 0 : 0
    stats [*:*] data using ((strcol("status") eq 'ok' && is_search(0)) ? column('connections') : NaN) name 'XS' nooutput
    if (XS_min > 0 && XS_max / XS_min >= 10) { set logscale x 10; set xrange [XS_min / 1.5 : XS_max * 1.5] } else { set xrange [XS_min - (XS_min / 2 + 1) : XS_max + (XS_max / 2 + 1)] }
    if (XS_min > 0 && XS_max / XS_min >= 10) {
        tick_lo = XS_min / 1.5; tick_hi = XS_max * 1.5; x_ticks = log_ticks(tick_lo, tick_hi)
        set format x ''
        do for [tv in x_ticks] { set xtics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
        if (tics_log ne '') { set print tics_log append; print 'max-rate x:' . tick_labels(x_ticks, 1); set print }
    }
    set yrange [0:*]
    set format y '%.0s%c'
    set title sprintf("%s: max sustainable rate (highest offered rate with %s and ≥ %s%% delivered)\n{/*0.8 (hollow: the load generator was the limit above it; %s)}", title, search_bound, delivered_pct, conditions)
    set xlabel 'open connections'
    set ylabel 'max sustainable rate (requests/s)'
    plot for [b in searched_backends] data using (search_row(b) ? column('connections') : NaN):(column('max_sustainable_rps')) with linespoints lc rgb color(b) pt point(b) ps 1.3 title b, \
         for [b in searched_backends] data using (search_row(b) ? column('connections') : NaN):(column('max_sustainable_rps')):(client_limited(0) ? 0.7 : 0):(client_limited(0) ? 0xFFFFFF : 0xFF000000) with points pt 7 ps variable lc rgb variable notitle
}

# --- the floor: p50 against achieved throughput, over the loopback round trip ---------------
# OUT-latency-floor.png, one panel per `conn_values`: each backend's p50 from intended send time
# against what it achieved, and a horizontal line at `floor_us`, the sweep's loopback round trip
# with nothing else going on (one connection, both ends busy-polling): what no backend can beat
# on this machine. `mux-bench plot` passes floor_us from the summary's floor_rtt_us_median.
if (!exists("floor_us")) { floor_us = '' }
if (openloop && words(conn_values) > 0 && floor_us ne '' && !load_bars) {
    floor_value = floor_us + 0.0   # a string in arithmetic is read as a number
    set output out.'-latency-floor.png'
    set terminal pngcairo size 700 * words(conn_values) + 200, 640
    set multiplot layout 1, words(conn_values) title sprintf("%s: p50 latency against the loopback floor\n%s", title, subtitle) font ",13"
    do for [ci = 1:words(conn_values)] {
        c = word(conn_values, ci)
        pb = panel_backends(conn_backends, ci)
        unset logscale
        set logscale y 10
        set xtics autofreq nomirror
        set ytics autofreq nomirror
        set xrange [0:*]
        set yrange [floor_value / 2 : *]
        set format x '%.0s%c'
        set format y '% h'
        # The y labels: 1-2-5 from half the floor to the decade above its p50s.
        set table $LY separator comma
        plot data using (column('lat_p50_us_' . hi_sfx)) with table if (open_row(strcol("backend")) && strcol("connections") eq c)
        unset table
        if (|$LY| > 0) {
            stats [*:*] data using (open_row(strcol("backend")) && strcol("connections") eq c ? bar_hi('lat_p50_us') : NaN) name 'LHI' nooutput
            tick_lo = floor_value / 2; tick_hi = decade_above(LHI_max > floor_value ? LHI_max : floor_value)
            y_ticks = log_ticks(tick_lo, tick_hi)
            set format y ''
            do for [tv in y_ticks] { set ytics add (tick_text(tv + 0.0) tick_at(tv + 0.0)) }
            if (tics_log ne '') { set print tics_log append; print 'latency-floor/' . c . ' y:' . tick_labels(y_ticks, 1); set print }
        }
        set key below horizontal maxcols 4 font ',9' nobox
        set title sprintf('%s open connections', c)
        set xlabel 'achieved throughput (requests/s)'
        set ylabel 'p50 latency (µs, log)'
        plot for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p50_us_median')):(bar_lo('lat_p50_us')):(bar_hi('lat_p50_us')) with yerrorlines lc rgb color(b) pt point(b) ps 1.0 title b, \
             for [b in pb] data using (open_row(b) && strcol("connections") eq c ? column('throughput_rps_median') : NaN):(column('lat_p50_us_median')):(hollow_size(0.55)):(hollow_color(0)) with points pt 7 ps variable lc rgb variable notitle, \
             floor_value with lines dt 3 lw 2 lc rgb '#000000' title sprintf("loopback floor p50 %.1f µs", floor_value)
    }
    unset multiplot
}

# --- one offered rate per connection count: bars per backend, not dots stacked on one x -------
# With `load_bars=1` (every backend ran one offered rate per connection count, as the quick sweep
# does), OUT-latency-load.png and OUT-latency-floor.png draw, per panel (a connection count), a
# group per backend: p50 (light) and p99 (dark) with their intervals, or p50 alone over the
# loopback floor's line. Each bar carries its value (a p99 far above the p50 flattens the p50's
# bar on a linear axis; a log axis would make bar lengths mean nothing); saturated points and
# failed checks are hatched. A panel is 120 pixels per backend of the sweep and 200 more (the page
# at least 900, for the title): PlotterTests reads the width back.
if (openloop && words(conn_values) > 0 && load_bars) {
    note_bars = 'median of repetitions, bars: ' . (bars eq 'ci' ? 'confidence interval of the median' : 'min to max') . \
                '; hatched: saturated' . (chkcol ? ' or a failed check' : '')
    subtitle_bars = '{/*0.8 (' . note_bars . ')}' . (conditions ne '' ? "\n{/*0.8 " . conditions . '}' : '')
    panel_row(unused) = strcol("status") eq 'ok' && strcol("rate_target_rps") ne '' && not_search(0) && strcol("connections") eq c
    group_x(shift) = panel_row(0) ? windex(strcol("backend"), pb) + shift : NaN
    value_text(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.1f', v)
    # The hatch is a white pattern over the bar, of zero height on the other points (a pattern
    # ignores a transparent colour, and a clause with no valid point would make gnuplot warn).
    hatch_top(f) = saturated(0) ? column(f) : 0
    hatch_title = 'hatched: saturated' . (chkcol ? ' or a failed check' : '')
    load_bars_width(groups, panels) = (120 * groups + 200) * panels < 900 ? 900 : (120 * groups + 200) * panels
    do for [chart in 'latency-load latency-floor'] {
        if (chart eq 'latency-load' || floor_us ne '') {
            floor_value = floor_us ne '' ? floor_us + 0.0 : 0
            set output out.'-'.chart.'.png'
            set terminal pngcairo size load_bars_width(words(present), words(conn_values)), 640
            set multiplot layout 1, words(conn_values) title (chart eq 'latency-load' ? \
                sprintf("%s: latency under offered load, from intended send time (light: p50, dark: p99)\n%s", title, subtitle_bars) : \
                sprintf("%s: p50 latency against the loopback floor\n%s", title, subtitle_bars)) font ",13"
            do for [ci = 1:words(conn_values)] {
                c = word(conn_values, ci)
                pb = panel_backends(conn_backends, ci)
                unset logscale
                set xrange [0.4 : words(pb) + 0.6]
                set yrange [0:*]
                set offsets 0, 0, graph 0.08, 0    # room for the values over the tallest bar
                set xtics () scale 0 nomirror noenhanced
                do for [i = 1:words(pb)] { set xtics add (word(pb, i) i) }
                set ytics autofreq nomirror
                set format y '%.0f'
                set grid noxtics ytics
                set key below horizontal maxcols 3 font ',9' nobox
                set title sprintf('%s open connections', c)
                unset xlabel
                set ylabel (chart eq 'latency-load' ? 'latency (µs)' : 'p50 latency (µs)')
                if (chart eq 'latency-load') {
                    set boxwidth 0.36 absolute
                    plot keyentry with boxes fs solid 0.35 border lc rgb '#777777' lc rgb '#777777' title 'p50 (light)', \
                         keyentry with boxes fs solid 0.9 border lc rgb '#777777' lc rgb '#777777' title 'p99 (dark)', \
                         keyentry with boxes fs pattern 4 border lc rgb '#777777' lc rgb '#777777' title hatch_title, \
                         for [b in pb] data using (open_row(b) && strcol("connections") eq c ? windex(b, pb) - 0.19 : NaN):(column('lat_p50_us_median')) with boxes fs solid 0.35 border lc rgb color(b) lc rgb color(b) notitle, \
                         for [b in pb] data using (open_row(b) && strcol("connections") eq c ? windex(b, pb) + 0.19 : NaN):(column('lat_p99_us_median')) with boxes fs solid 0.9 border lc rgb color(b) lc rgb color(b) notitle, \
                         data using (group_x(-0.19)):(hatch_top('lat_p50_us_median')) with boxes fs transparent pattern 4 noborder lc rgb '#ffffff' notitle, \
                         data using (group_x(0.19)):(hatch_top('lat_p99_us_median')) with boxes fs transparent pattern 4 noborder lc rgb '#ffffff' notitle, \
                         data using (group_x(-0.19)):(column('lat_p50_us_median')):(bar_lo('lat_p50_us')):(bar_hi('lat_p50_us')) with yerrorbars lc rgb '#333333' pt 0 notitle, \
                         data using (group_x(0.19)):(column('lat_p99_us_median')):(bar_lo('lat_p99_us')):(bar_hi('lat_p99_us')) with yerrorbars lc rgb '#333333' pt 0 notitle, \
                         data using (group_x(-0.19)):(bar_hi('lat_p50_us')):(value_text(column('lat_p50_us_median'))) with labels offset 0, 0.7 font ',8' notitle, \
                         data using (group_x(0.19)):(bar_hi('lat_p99_us')):(value_text(column('lat_p99_us_median'))) with labels offset 0, 0.7 font ',8' notitle, \
                         data using (group_x(0)):(column('hiccup_p99_us_median')) with points pt 2 ps 0.8 lc rgb '#888888' title "machine's hiccup p99 (noise floor)", \
                         data using (group_x(0)):(column('send_late_p99_us_median')) with points pt 8 ps 0.8 lc rgb '#444444' title "client's send lateness p99"
                } else {
                    set boxwidth 0.6 absolute
                    plot for [b in pb] data using (open_row(b) && strcol("connections") eq c ? windex(b, pb) : NaN):(column('lat_p50_us_median')) with boxes fs solid 0.6 border lc rgb color(b) lc rgb color(b) notitle, \
                         data using (group_x(0)):(hatch_top('lat_p50_us_median')) with boxes fs transparent pattern 4 noborder lc rgb '#ffffff' notitle, \
                         data using (group_x(0)):(column('lat_p50_us_median')):(bar_lo('lat_p50_us')):(bar_hi('lat_p50_us')) with yerrorbars lc rgb '#333333' pt 0 notitle, \
                         data using (group_x(0)):(bar_hi('lat_p50_us')):(value_text(column('lat_p50_us_median'))) with labels offset 0, 0.7 font ',8' notitle, \
                         floor_value with lines dt 3 lw 2 lc rgb '#000000' title sprintf("loopback floor p50 %.1f µs", floor_value), \
                         keyentry with boxes fs pattern 4 border lc rgb '#777777' lc rgb '#777777' title hatch_title
                }
            }
            unset multiplot
        }
    }
    # What the next chart (the profile) does not set itself.
    set offsets 0, 0, 0, 0
    set xtics enhanced scale default
    set grid xtics ytics mxtics mytics lc rgb '#e0e0e0' lw 0.8
}

# --- Where the CPU goes: the server's profile per point (profiled sweeps) -------------------
# OUT-cpu-profile.png, only with `profiled=1` (mux-bench plot passes it when the summary has
# profile shares): server CPU µs per request, each bar split by what the server's CPU samples
# were doing (the prof_<category>_pct medians; categories: Sources/MuxBenchKit/Profile/
# ProfileCategories.swift, filed by the path that led there: Sources/README.md, Profiles). One
# cluster per backend, one bar per connection count, one panel per offered rate (closed loop: one
# panel). The shares' medians are rescaled to sum to 1, so a bar's height is the CPU per request.
# Saturated points carry a black triangle: their CPU per request is the server's, but not at the
# offered rate.
if (!exists("profiled")) { profiled = 0 }
if (profiled) {
    prof_categories = 'readiness_scan epoll io_uring copy_user tcp_rx tcp_tx wakeup_sched syscall_entry user other'
    prof_colours = '#d62728 #1f77b4 #9467bd #ff7f0e #2ca02c #98df8a #8c564b #bcbd22 #e377c2 #c7c7c7'
    prof_share(j) = column('prof_'.word(prof_categories, j).'_pct_median')
    prof_total(unused) = sum [j = 1:words(prof_categories)] prof_share(j)
    prof_top(k) = column('server_cpu_us_per_req_median') * (sum [j = 1:k] prof_share(j)) / prof_total(0)
    prof_conns = ''
    prof_add_conn(c) = (windex(c, prof_conns) == 0 ? prof_conns = prof_conns.' '.c : 0)
    # An earlier chart's ranges would filter what stats reads.
    unset logscale
    set xrange [*:*]
    set yrange [*:*]
    stats data using (ok_row(0) && strcol('prof_user_pct_median') ne '' ? prof_add_conn(strcol("connections")) : 0) nooutput
    prof_slot = words(prof_conns) + 1
    prof_x(unused) = (windex(strcol("backend"), backends) - 1) * prof_slot + windex(strcol("connections"), prof_conns)
    prof_row(r) = ok_row(0) && strcol('prof_user_pct_median') ne '' && strcol("rate_target_rps") eq r && windex(strcol("backend"), backends) > 0
    prof_panels = words(rate_values) > 0 ? words(rate_values) : 1
    set output out.'-cpu-profile.png'
    set terminal pngcairo size 1200, 560 * prof_panels + 80
    set multiplot layout prof_panels, 1 title sprintf("%s: where the server's CPU goes (perf cpu-clock samples by path)\n%s", title, subtitle) font ",13"
    do for [ri = 1:prof_panels] {
        r = words(rate_values) > 0 ? word(rate_values, ri) : ''
        unset logscale
        unset label
        set xrange [0.3 : words(backends) * prof_slot - 0.3]
        set yrange [0:*]
        set boxwidth 0.8 absolute
        set style fill solid 1.0 noborder
        set xtics () rotate by 90 right font ',8' nomirror
        do for [bi = 1:words(backends)] {
            do for [ci = 1:words(prof_conns)] {
                set xtics add (word(prof_conns, ci) (bi - 1) * prof_slot + ci)
            }
            set label word(backends, bi) at (bi - 1) * prof_slot + prof_slot / 2.0, graph -0.17 center font ',10'
        }
        set ytics autofreq nomirror
        set format y '% h'
        set bmargin 7
        set key outside right top vertical font ',9' nobox
        set title (r eq '' ? 'closed loop' : sprintf('offered %s requests/s', r)) . ' (bars: open connections)'
        set ylabel 'server CPU per request (µs)'
        unset xlabel
        # Category names hold underscores: no enhanced-text subscripts. The triangle is drawn
        # fully transparent on unsaturated points, so the series is never empty.
        plot for [k = words(prof_categories):1:-1] data using (prof_row(r) ? prof_x(0) : NaN):(prof_top(k)) with boxes lc rgb word(prof_colours, k) title word(prof_categories, k) noenhanced, \
             data using (prof_row(r) ? prof_x(0) : NaN):(prof_top(words(prof_categories)) * 1.04):(saturated(0) ? 0x000000 : 0xFF000000) with points pt 9 ps 0.8 lc rgb variable title 'saturated'
    }
    unset multiplot
    unset label
    set bmargin
}

set output
