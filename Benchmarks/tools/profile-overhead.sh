#!/usr/bin/env bash
# One-off experiment (its runs: results/profile-overhead-*-2026-12-06.csv).
# profile-overhead.sh: what --profile costs the server. The same point run plain and profiled at
# each sampling frequency in FREQUENCIES (MUX_PROFILE_HZ), alternating (plain, profiled at each
# frequency, plain, ..., so drift lands on every side), ROUNDS times per point; the rows go to OUT
# (sweep column: 'plain' or 'profiled-HZ'), then the median server CPU per request of each side and
# its ratio to plain per point are printed.
#
#   FREQUENCIES="4999 999" Benchmarks/tools/profile-overhead.sh OUT [ROUNDS]
#   (default FREQUENCIES: 999, the default; default 4 rounds; ~6 s per run)
#   env RATE: the offered rate (default 10000; RATE= for closed loop); BACKENDS (default
#   "poll epoll-et poll"), CONNECTIONS (default "10000 10000 5000"): the points, pairwise.
set -euo pipefail
out=${1:?usage: profile-overhead.sh OUT.csv [ROUNDS]}
rounds=${2:-4}
frequencies=${FREQUENCIES:-999}
bench=.build/release/mux-bench
rate=${RATE-10000}
read -r -a backends <<<"${BACKENDS:-poll epoll-et poll}"
read -r -a connections <<<"${CONNECTIONS:-10000 10000 5000}"
points=()
for i in "${!backends[@]}"; do
    points+=("--backend ${backends[$i]} -c ${connections[$i]} -a 100${rate:+ --rate $rate}")
done
for round in $(seq 1 "$rounds"); do
    for point in "${points[@]}"; do
        # shellcheck disable=SC2086
        $bench run $point -w 1s -d 3s --sweep plain -o "$out" 2>&1 | grep -E '^rep' || true
        for hz in $frequencies; do
            # shellcheck disable=SC2086
            MUX_PROFILE_HZ=$hz $bench run $point -w 1s -d 3s --sweep "profiled-$hz" --profile -o "$out" 2>&1 \
                | grep -E '^rep|profile:' | cut -c1-160 || true
        done
    done
done
python3 - "$out" <<'PY2'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f'{sys.argv[1]}: server CPU µs per request, median over the rounds (n runs, saturated runs, median samples)')
for point in dict.fromkeys(r['point'] for r in rows):
    median = {}
    for side in dict.fromkeys(r['sweep'] for r in rows):
        picked = [r for r in rows if r['point'] == point and r['sweep'] == side]
        if not picked:
            continue
        median[side] = statistics.median(float(r['server_cpu_us_per_req']) for r in picked)
        samples = [float(r['prof_samples']) for r in picked if r.get('prof_samples')]
        ratio = f', {median[side] / median["plain"]:.3f} x plain' if side != 'plain' and 'plain' in median else ''
        print(f'  {point} {side}: {median[side]:.2f} (n={len(picked)}, saturated {sum(1 for r in picked if r["saturated_by"])}'
              f'{", samples " + str(int(statistics.median(samples))) if samples else ""}){ratio}')
PY2
