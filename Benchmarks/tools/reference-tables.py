#!/usr/bin/env python3
"""reference-tables.py: the README's reference tables, printed as Markdown from the committed CSVs.

    python3 Benchmarks/tools/reference-tables.py latency results/latency-load-summary.csv [CONNECTIONS [RATE,RATE...]]
    python3 Benchmarks/tools/reference-tables.py knee    results/latency-load-summary.csv
    python3 Benchmarks/tools/reference-tables.py ladder  results/latency-load-summary.csv
    python3 Benchmarks/tools/reference-tables.py equal   results/c10k-equal-load-summary.csv RATE
    python3 Benchmarks/tools/reference-tables.py noise   results/noise.csv
    python3 Benchmarks/tools/reference-tables.py perreq  results/http-summary.csv [PROTOCOL [closed|RATE]]
    python3 Benchmarks/tools/reference-tables.py matrix  results/c10k-summary.csv FIGURE COLUMN [DIGITS]
        (FIGURE: a summary figure such as server_cpu_us_per_req; COLUMN: connections, active,
        payload_bytes or mode; rows are backends; each cell median [95% CI], saturated reps said)
    python3 Benchmarks/tools/reference-tables.py pacing  results/pacing-quantum-2026-11-26.csv
    python3 Benchmarks/tools/reference-tables.py abnoise results/ab-noise-2026-11-26.csv
    python3 Benchmarks/tools/reference-tables.py steal   results/payload.csv [results/active-ratio.csv ...]
        (what steal time does to server CPU per request: per point, the median of its reps at
        >= 20% steal over the median of its reps at < 3%)

Every figure is copied from a CSV that `mux-bench sweep` wrote; nothing is computed here but
the noise table's spreads (from the raw rows) and unit changes. Saturated points say which side
was the limit, as the summary does.
"""
import csv
import math
import statistics
import sys

ORDER = ['select', 'poll', 'epoll-lt', 'epoll-et', 'io-uring-poll', 'io-uring']


def load(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def num(row, key):
    try:
        return float(row.get(key, ''))
    except ValueError:
        return None


def fmt(value, digits=0):
    if value is None:
        return '–'
    if abs(value) >= 1000:
        return f'{value:,.0f}'
    return f'{value:.{digits}f}'


def backend_key(row):
    b = row['backend']
    return ORDER.index(b) if b in ORDER else len(ORDER)


def is_search(row):
    return (row.get('max_sustainable_rps') or '') != ''


def limit(row):
    """'–' when no rep was saturated, else 'k/n (by ...)' from the summary's reason."""
    saturated = row.get('saturated_reps') or '0'
    if saturated == '0':
        return '–'
    reason = row.get('reason', '')
    by = reason.split('limit:')[1].strip(' )') if 'limit:' in reason else ''
    return f"{saturated}/{row['reps']}" + (f' ({by})' if by else '')


def mostly_saturated(row):
    return 2 * int(row.get('saturated_reps') or 0) > int(row.get('reps') or 0)


def with_ci(row, figure, digits=0, scale=1.0):
    median, low, high = (num(row, f'{figure}_{s}') for s in ('median', 'ci_low', 'ci_high'))
    if median is None:
        return '–'
    text = fmt(median * scale, digits)
    if low is not None and high is not None:
        text += f' [{fmt(low * scale, digits)}–{fmt(high * scale, digits)}]'
    return text


def latency(path, connections=None, rates=None):
    rows = [r for r in load(path) if r['status'] == 'ok' and not is_search(r) and r['rate_target_rps']]
    if connections:
        rows = [r for r in rows if r['connections'] == connections]
    if rates:
        rows = [r for r in rows if float(r['rate_target_rps']) in {float(x) for x in rates.split(',')}]
    rows.sort(key=lambda r: (int(r['connections']), backend_key(r), float(r['rate_target_rps'])))
    print('| backend | conns | offered/s | achieved/s | p50 µs | p99 µs [95% CI] | p99 from actual send µs '
          '| client send lateness p99 µs | machine hiccup p99 µs | server CPU % | saturated (limit) |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    for r in rows:
        print(f"| {r['backend']} | {int(r['connections']):,} | {fmt(num(r, 'rate_target_rps'))} "
              f"| {fmt(num(r, 'throughput_rps_median'))} | {fmt(num(r, 'lat_p50_us_median'))} "
              f"| {with_ci(r, 'lat_p99_us')} | {fmt(num(r, 'lat_sent_p99_us_median'))} "
              f"| {fmt(num(r, 'send_late_p99_us_median'))} | {fmt(num(r, 'hiccup_p99_us_median'))} "
              f"| {fmt(100 * (num(r, 'server_cpu_util_median') or 0))} | {limit(r)} |")


def perreq(path, protocol=None, rate=None):
    """Per point: throughput, server CPU per request, syscalls per request by kind, p50/p99."""
    rows = [r for r in load(path) if r['status'] == 'ok' and not is_search(r)]
    if protocol:
        rows = [r for r in rows if r['protocol'] == protocol]
    if rate is not None:
        rows = [r for r in rows if (r['rate_target_rps'] or 'closed') == rate
                or (r['rate_target_rps'] and rate != 'closed' and float(r['rate_target_rps']) == float(rate))]
    rows.sort(key=lambda r: (int(r['connections']), backend_key(r), r['backend']))
    print('| backend | conns | req/s | server CPU µs/req [95% CI] | syscalls/req | wait | ctl | accept | read | write '
          '| close | other | p50 µs | p99 µs | saturated (limit) |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    for r in rows:
        kinds = ' | '.join(fmt(num(r, f'{k}_per_req_median'), 2) for k in
                           ('wait', 'ctl', 'accept', 'read', 'write', 'close', 'other'))
        print(f"| {r['backend']} | {int(r['connections']):,} | {fmt(num(r, 'throughput_rps_median'))} "
              f"| {with_ci(r, 'server_cpu_us_per_req', 2)} | {fmt(num(r, 'sc_per_req_median'), 2)} | {kinds} "
              f"| {fmt(num(r, 'lat_p50_us_median'))} | {fmt(num(r, 'lat_p99_us_median'))} | {limit(r)} |")


def knee(path):
    """The search's answers: per point the max sustainable rate, the confirmation's p50 and
    server CPU there, and what stopped the search above it."""
    rows = [r for r in load(path) if is_search(r)]
    rows.sort(key=lambda r: (int(r['connections']), backend_key(r)))
    print('| backend | conns | max sustainable rate/s | p50 there µs | server CPU there % | above it |')
    print('|---|---:|---:|---:|---:|---|')
    for r in rows:
        reason = r.get('reason', '')
        if r['status'] != 'ok' or not r.get('max_sustainable_rps'):
            print(f"| {r['backend']} | {int(r['connections']):,} | none | – | – | {reason} |")
            continue
        util = num(r, 'server_cpu_util_median')
        if 'load generator was the limit' not in reason:
            above = 'the server: over the bound or under 99% delivered'
        elif util is not None and util >= 0.9:
            above = 'both: the load generator, with the server at its limit too'
        else:
            above = 'the load generator was the limit'
        print(f"| {r['backend']} | {int(r['connections']):,} | {fmt(num(r, 'max_sustainable_rps'))} "
              f"| {fmt(num(r, 'lat_p50_us_median'))} | {fmt(util * 100 if util is not None else None)} | {above} |")


def ladder(path, figure='lat_p50_us', bound_us=1000.0):
    """The knee from the rate ladder's rows (not the search): per backend and connection count,
    the highest offered rate whose median FIGURE stayed within the bound with >= 99% of the offer
    delivered in the median and at most half its reps saturated, and what the next rung ran into."""
    rows = [r for r in load(path) if r['status'] == 'ok' and not is_search(r) and r['rate_target_rps']]
    groups = {}
    for r in rows:
        groups.setdefault((int(r['connections']), r['backend']), []).append(r)
    print(f'| backend | conns | highest rate with {figure[4:7]} ≤ {fmt(bound_us)} µs, ≥ 99% delivered, ≤ half the reps saturated '
          f'| {figure[4:7]} there µs | server CPU there % | the next rate up |')
    print('|---|---:|---:|---:|---:|---|')
    for (connections, backend) in sorted(groups, key=lambda k: (k[0], ORDER.index(k[1]) if k[1] in ORDER else 99)):
        rungs = sorted(groups[(connections, backend)], key=lambda r: float(r['rate_target_rps']))
        best, after = None, None
        for r in rungs:
            offered = float(r['rate_target_rps'])
            ok = (num(r, figure + '_median') or 1e18) <= bound_us \
                and (num(r, 'throughput_rps_median') or 0) >= 0.99 * offered and not mostly_saturated(r)
            if ok and after is None:
                best = r
            elif after is None:
                after = r
        def why(r):
            if r is None:
                return 'none: the ladder ended'
            reasons = []
            if mostly_saturated(r):
                reasons.append(f'saturated {limit(r)}')
            if (num(r, figure + '_median') or 0) > bound_us:
                reasons.append(f'{figure[4:7]} {fmt(num(r, figure + "_median"))} µs')
            if (num(r, 'throughput_rps_median') or 0) < 0.99 * float(r['rate_target_rps']):
                reasons.append(f'delivered {fmt(num(r, "throughput_rps_median"))}/s')
            return f'{fmt(float(r["rate_target_rps"]))}/s: ' + ', '.join(reasons)
        if best is None:
            print(f'| {backend} | {connections:,} | none (from {fmt(float(rungs[0]["rate_target_rps"]))}/s) | – | – | {why(after)} |')
        else:
            print(f'| {backend} | {connections:,} | {fmt(float(best["rate_target_rps"]))}/s '
                  f'| {fmt(num(best, figure + "_median"))} | {fmt(100 * (num(best, "server_cpu_util_median") or 0))} | {why(after)} |')


def equal(path, rate):
    rows = [r for r in load(path) if r['status'] == 'ok' and not is_search(r)
            and r['rate_target_rps'] and float(r['rate_target_rps']) == float(rate)]
    connections = sorted({int(r['connections']) for r in rows})
    backends = sorted({r['backend'] for r in rows}, key=lambda b: ORDER.index(b) if b in ORDER else 99)
    print(f'Server CPU, % of one CPU (median [95% CI]), at {fmt(float(rate))} requests/s offered:\n')
    print('| backend | ' + ' | '.join(f'{c:,} conns' for c in connections) + ' |')
    print('|---|' + '---:|' * len(connections))
    for b in backends:
        cells = []
        for c in connections:
            match = [r for r in rows if r['backend'] == b and int(r['connections']) == c]
            if not match:
                cells.append('–')
                continue
            r = match[0]
            cell = with_ci(r, 'server_cpu_util', 1, 100)
            if limit(r) != '–':
                cell += f' (saturated {limit(r)})'
            cells.append(cell)
        print(f'| {b} | ' + ' | '.join(cells) + ' |')


def matrix(path, figure, column, digits=2):
    """One figure over one swept dimension: a row per backend, a column per value."""
    rows = [r for r in load(path) if r['status'] == 'ok' and not is_search(r)]
    def order(value):
        try:
            return (0, float(value))
        except ValueError:
            return (1, value)
    values = sorted({r[column] for r in rows}, key=order)
    backends = sorted({r['backend'] for r in rows}, key=lambda b: ORDER.index(b) if b in ORDER else 99)
    label = lambda v: f'{int(float(v)):,}' if order(v)[0] == 0 else v
    print(f'| {figure} (median [95% CI]) | ' + ' | '.join(label(v) for v in values) + ' |')
    print('|---|' + '---:|' * len(values))
    for b in backends:
        cells = []
        for v in values:
            match = [r for r in rows if r['backend'] == b and r[column] == v]
            if not match:
                cells.append('–')
                continue
            cell = with_ci(match[0], figure, digits)
            if limit(match[0]) != '–':
                cell += f" ({match[0]['saturated_reps']}/{match[0]['reps']} sat.)"
            cells.append(cell)
        print(f'| {b} | ' + ' | '.join(cells) + ' |')


def steal(paths):
    """Server CPU per request at high steal over low steal, per point with reps of both kinds."""
    print('| raw rows | points with reps at < 3% and ≥ 20% steal | CPU/req ratio, high ÷ low steal: median | min–max |')
    print('|---|---:|---:|---:|')
    for path in paths:
        points = {}
        for r in load(path):
            if num(r, 'steal_pct') is not None and num(r, 'server_cpu_us_per_req') is not None:
                points.setdefault(r['point'], []).append(r)
        ratios = []
        for reps in points.values():
            low = [num(r, 'server_cpu_us_per_req') for r in reps if num(r, 'steal_pct') < 3]
            high = [num(r, 'server_cpu_us_per_req') for r in reps if num(r, 'steal_pct') >= 20]
            if low and high:
                ratios.append(statistics.median(high) / statistics.median(low))
        if ratios:
            print(f'| {path} | {len(ratios)} | {statistics.median(ratios):.2f} | {min(ratios):.2f}–{max(ratios):.2f} |')


def pacing(path):
    """The pacing-quantum experiment (results/pacing-quantum-*.csv, sweep column qNANOSECONDS:
    a throwaway mux-load that slept at least that long between pacing wake-ups): per quantum
    and rate, medians over the runs at < 3% steal."""
    rows = [r for r in load(path) if (num(r, 'steal_pct') or 0) < 3]
    groups = {}
    for r in rows:
        groups.setdefault((int(r['rate_target_rps']), int(r['sweep'][1:])), []).append(r)
    print('| offered/s | pacing quantum µs | runs | load CPU µs/req | server CPU µs/req | p50 µs | p99 µs | p50 from actual send µs | send lateness p50 µs |')
    print('|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (rate, quantum), runs in sorted(groups.items()):
        def med(f):
            return statistics.median(f(r) for r in runs)
        load_cpu = med(lambda r: (num(r, 'load_user_s') + num(r, 'load_sys_s')) * 1e6 / num(r, 'requests'))
        print(f"| {rate:,} | {quantum // 1000} | {len(runs)} | {load_cpu:.1f} | {med(lambda r: num(r, 'server_cpu_us_per_req')):.1f} "
              f"| {fmt(med(lambda r: num(r, 'lat_p50_us')))} | {fmt(med(lambda r: num(r, 'lat_p99_us')))} "
              f"| {fmt(med(lambda r: num(r, 'lat_sent_p50_us')))} | {fmt(med(lambda r: num(r, 'send_late_p50_us')))} |")


def abnoise(path):
    """How much server CPU per request moves between two runs of one build (results/ab-noise-*.csv:
    `sweep` column abnoise = 16 interleaved rounds of Benchmarks/ab.sweep's points at 20k and 40k/s,
    run = 16 rounds of `mux-bench run` at 40k/s): per point, the robust CV and the standard
    deviation of the log ratio of successive runs (1st/2nd, 3rd/4th, ...), the quantity an ABBA
    block's ratio is made of."""
    groups = {}
    for r in load(path):
        groups.setdefault((r['sweep'], r['point']), []).append(r)
    print('| experiment | point | runs | CPU µs/req median | robust CV % | SD of successive-run log ratio % | server CPU % | load CPU % |')
    print('|---|---|---:|---:|---:|---:|---:|---:|')
    for (sweep, point), runs in sorted(groups.items()):
        runs.sort(key=lambda r: r['started_at'])
        cpu = [num(r, 'server_cpu_us_per_req') for r in runs]
        median = statistics.median(cpu)
        mad = statistics.median(abs(x - median) for x in cpu)
        ratios = [math.log(cpu[i + 1] / cpu[i]) for i in range(0, len(cpu) - 1, 2)]
        server = statistics.median(num(r, 'server_cpu_us_per_req') * num(r, 'throughput_rps') / 1e4 for r in runs)
        load_util = statistics.median((num(r, 'load_user_s') + num(r, 'load_sys_s')) / num(r, 'duration_s') * 100 for r in runs)
        print(f"| {sweep} | {point} | {len(runs)} | {median:.2f} | {100 * 1.4826 * mad / median:.1f} "
              f"| {100 * statistics.stdev(ratios):.1f} | {server:.0f} | {load_util:.0f} |")


def noise(path):
    """Per point: the relative spread of each figure over its repetitions (raw rows)."""
    rows = [r for r in load(path) if not (r.get('probe') or '')]
    points = {}
    for r in rows:
        points.setdefault(r['point'], []).append(r)
    figures = [('throughput_rps', 'throughput'), ('server_cpu_us_per_req', 'server CPU/req'),
               ('lat_p50_us', 'p50'), ('lat_p99_us', 'p99')]
    print('| point | n | figure | median | min–max, % of median | robust CV % (1.4826·MAD/median) |')
    print('|---|---:|---|---:|---:|---:|')
    for point, reps in points.items():
        for key, name in figures:
            values = [v for v in (num(r, key) for r in reps) if v is not None]
            if len(values) < 2:
                continue
            median = statistics.median(values)
            mad = statistics.median(abs(v - median) for v in values)
            spread = 100 * (max(values) - min(values)) / median
            cv = 100 * 1.4826 * mad / median
            print(f'| {point} | {len(values)} | {name} | {fmt(median, 1)} | {spread:.1f} | {cv:.1f} |')


if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in ('latency', 'knee', 'ladder', 'equal', 'noise', 'perreq', 'matrix', 'steal', 'pacing', 'abnoise'):
        sys.exit(__doc__.strip().split('\n\n')[1])
    kind, path = sys.argv[1], sys.argv[2]
    if kind == 'latency':
        latency(path, sys.argv[3] if len(sys.argv) > 3 else None, sys.argv[4] if len(sys.argv) > 4 else None)
    elif kind == 'knee':
        knee(path)
    elif kind == 'ladder':
        ladder(path)
    elif kind == 'perreq':
        perreq(path, sys.argv[3] if len(sys.argv) > 3 else None, sys.argv[4] if len(sys.argv) > 4 else None)
    elif kind == 'steal':
        steal(sys.argv[2:])
    elif kind == 'pacing':
        pacing(path)
    elif kind == 'abnoise':
        abnoise(path)
    elif kind == 'matrix':
        if len(sys.argv) < 5:
            sys.exit('matrix needs a FIGURE and a COLUMN (connections, active, payload_bytes, mode)')
        matrix(path, sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    elif kind == 'equal':
        if len(sys.argv) < 4:
            sys.exit('equal needs a RATE (requests/s, as in the sweep: 10000)')
        equal(path, sys.argv[3])
    else:
        noise(path)
