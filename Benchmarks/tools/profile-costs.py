#!/usr/bin/env python3
# Tool: tables from a profiled sweep's raw rows (not part of `mux-bench report`).
"""profile-costs.py: figures from a profiled sweep's raw rows (mux-bench sweep with profile = yes).

    python3 Benchmarks/tools/profile-costs.py shares results/c10k-equal-load.csv RATE
        median share (%) of each profile category per backend and connection count at one
        offered rate, with the samples per row and the reps (Markdown)
    python3 Benchmarks/tools/profile-costs.py perfd  results/c10k-equal-load.csv
        the cost per watched descriptor per wait call for select and poll: server CPU per wait
        call fitted as a + b * connections + c * requests-per-wait-call (b in ns per fd; the
        requests term, because a slower scan batches more requests per call), and the slope of
        the readiness_scan share alone per wait call against connections; per ready event for epoll and io_uring: their own category's
        CPU per event (ns), pooled over connection counts, and its slope against connections
        (ns per 1,000 connections: flat means O(ready), not O(watched)). 95% intervals by
        bootstrap over the rows (2,000 resamples, seed 1), so nothing assumes normal errors.
    python3 Benchmarks/tools/profile-costs.py frames results/c10k-equal-load-profiles POINT_PREFIX FRAME[,FRAME...]
        the share (%) of samples, over every repetition's folded stacks of the points whose id
        starts with POINT_PREFIX, whose stack holds one of the frames (kernel frames as written
        in the folded files, e.g. _copy_from_user_[k]), and the share whose leaf is one of them

Every input is a row `mux-bench sweep` wrote. Saturated rows are counted and said; perfd uses
them, since the work of one wait call does not depend on whether the offered rate was reached.
"""
import csv
import random
import statistics
import sys

ORDER = ['select', 'poll', 'epoll-lt', 'epoll-et', 'io-uring-poll', 'io-uring']
CATEGORIES = ['readiness_scan', 'epoll', 'io_uring', 'copy_user', 'tcp_rx', 'tcp_tx', 'wakeup_sched',
              'syscall_entry', 'user', 'other']


def rows_of(path):
    with open(path, newline='') as f:
        return [r for r in csv.DictReader(f) if r.get('prof_samples')]


def num(row, column):
    try:
        return float(row[column])
    except (KeyError, ValueError):
        return None


def cpu_us(row):
    return (num(row, 'server_user_s') + num(row, 'server_sys_s')) * 1e6


def slope(points):
    """Least-squares slope of y on x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float('nan')


def fit_two(points):
    """Least squares y = a + b*x1 + c*x2 over (x1, x2, y); returns b."""
    n = len(points)
    m1 = sum(p[0] for p in points) / n
    m2 = sum(p[1] for p in points) / n
    my = sum(p[2] for p in points) / n
    s11 = sum((p[0] - m1) ** 2 for p in points)
    s22 = sum((p[1] - m2) ** 2 for p in points)
    s12 = sum((p[0] - m1) * (p[1] - m2) for p in points)
    s1y = sum((p[0] - m1) * (p[2] - my) for p in points)
    s2y = sum((p[1] - m2) * (p[2] - my) for p in points)
    det = s11 * s22 - s12 * s12
    return (s1y * s22 - s2y * s12) / det if det else float('nan')


def bootstrap(values, statistic, resamples=2000):
    rng = random.Random(1)
    estimates = []
    for _ in range(resamples):
        sample = [values[rng.randrange(len(values))] for _ in values]
        try:
            value = statistic(sample)
        except (ZeroDivisionError, statistics.StatisticsError):
            continue
        if value == value:
            estimates.append(value)
    estimates.sort()
    return estimates[int(0.025 * len(estimates))], estimates[int(0.975 * len(estimates)) - 1]


def fmt(value, digits=1):
    return f'{value:,.{digits}f}'


def shares(path, rate):
    rows = [r for r in rows_of(path) if r['rate_target_rps'] == rate]
    conns = sorted({int(r['connections']) for r in rows})
    print(f'median share of server CPU samples (%), offered {rate} requests/s; '
          f'{path}, saturated rows included and counted\n')
    print('| backend | connections | ' + ' | '.join(CATEGORIES) + ' | samples/row | reps (saturated) |')
    print('|' + '---|' * (len(CATEGORIES) + 4))
    for backend in ORDER:
        for c in conns:
            picked = [r for r in rows if r['backend'] == backend and int(r['connections']) == c]
            if not picked:
                continue
            cells = [fmt(statistics.median(num(r, f'prof_{k}_pct') for r in picked)) for k in CATEGORIES]
            samples = int(statistics.median(num(r, 'prof_samples') for r in picked))
            saturated = sum(1 for r in picked if r['saturated_by'])
            print(f'| {backend} | {c:,} | ' + ' | '.join(cells) + f' | {samples:,} | {len(picked)} ({saturated}) |')


def perfd(path):
    rows = rows_of(path)
    print(f'{path}: profiled rows; 95% bootstrap intervals\n')
    print('| backend | rate (req/s) | figure | estimate | 95% interval | rows (saturated) | connections |')
    print('|---|---|---|---|---|---|---|')
    for backend in ORDER:
        for rate in sorted({r['rate_target_rps'] for r in rows}, key=float):
            picked = [r for r in rows if r['backend'] == backend and r['rate_target_rps'] == rate
                      and num(r, 'sc_wait')]
            if len(picked) < 4:
                continue
            conns = sorted({int(r['connections']) for r in picked})
            span = f'{conns[0]:,}–{conns[-1]:,}'
            count = f"{len(picked)} ({sum(1 for r in picked if r['saturated_by'])})"
            if backend in ('select', 'poll'):
                # Server CPU per wait call against the descriptors it watches (one per connection).
                total = [(int(r['connections']), num(r, 'requests') / num(r, 'sc_wait'), cpu_us(r) / num(r, 'sc_wait'))
                         for r in picked]
                scan = [(int(r['connections']), cpu_us(r) * num(r, 'prof_readiness_scan_pct') / 100 / num(r, 'sc_wait'))
                        for r in picked]
                for label, points, fit in (('CPU per wait call: b of a + b·N + c·requests/call (ns per fd)', total, fit_two),
                                           ('readiness_scan CPU per wait call, slope (ns per fd)', scan, slope)):
                    low, high = bootstrap(points, fit)
                    print(f'| {backend} | {rate} | {label} | {fmt(fit(points) * 1000)} | '
                          f'{fmt(low * 1000)} – {fmt(high * 1000)} | {count} | {span} |')
            else:
                category = 'io_uring' if backend.startswith('io-uring') else 'epoll'
                if backend == 'io-uring':
                    events = lambda r: num(r, 'cqe_per_req') * num(r, 'requests')
                else:
                    events = lambda r: num(r, 'events_per_wait') * num(r, 'sc_wait')
                per_event = [(int(r['connections']), cpu_us(r) * num(r, f'prof_{category}_pct') / 100 / events(r) * 1000)
                             for r in picked if events(r)]
                values = [y for _, y in per_event]
                low, high = bootstrap(values, statistics.median)
                print(f'| {backend} | {rate} | {category} CPU per ready event (ns), median | '
                      f'{fmt(statistics.median(values))} | {fmt(low)} – {fmt(high)} | {count} | {span} |')
                low, high = bootstrap(per_event, slope)
                print(f'| {backend} | {rate} | the same against connections, slope (ns per 1,000 connections) | '
                      f'{fmt(slope(per_event) * 1000, 2)} | {fmt(low * 1000, 2)} – {fmt(high * 1000, 2)} | {count} | {span} |')


def frames(directory, prefix, names):
    import os
    wanted = set(names.split(','))
    total = holding = leaf = 0
    files = sorted(f for f in os.listdir(directory) if f.startswith(prefix) and f.endswith('.folded')) \
        if os.path.isdir(directory) else []
    if not files:
        # A mistyped prefix or an unpacked-elsewhere folder: say which, not a ZeroDivisionError.
        sys.stderr.write(f'profile-costs.py: no {prefix}*.folded in {directory}\n')
        sys.exit(2)
    for name in files:
        with open(os.path.join(directory, name)) as f:
            for line in f:
                stack, count = line.rstrip('\n').rsplit(' ', 1)
                parts = stack.split(';')
                total += int(count)
                if wanted.intersection(parts):
                    holding += int(count)
                if parts[-1] in wanted:
                    leaf += int(count)
    print(f'{prefix}* in {directory}: {len(files)} files, {total:,} samples; stack holds {names}: '
          f'{100 * holding / total:.2f}%; leaf is one of them: {100 * leaf / total:.2f}%')


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'shares' and len(sys.argv) == 4:
        shares(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == 'frames':
        frames(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == 'perfd':
        perfd(sys.argv[2])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
