#!/usr/bin/env bash
# One-off experiment (its runs: results/profile-overhead-*-2026-12-06.csv).
# profile-overhead.sh: what --profile costs the server. The same point run with and without
# --profile, alternating (ABAB..., so drift lands on both), ROUNDS times per point; the rows go to
# OUT (sweep column: 'plain' or 'profiled'), then the median server CPU per request of each side
# and their ratio per point are printed.
#
#   Benchmarks/tools/profile-overhead.sh OUT [ROUNDS]      (default 4 rounds; ~6 s per run)
set -euo pipefail
out=${1:?usage: profile-overhead.sh OUT.csv [ROUNDS]}
rounds=${2:-4}
bench=.build/release/mux-bench
points=("--backend poll -c 10000" "--backend epoll-et -c 10000" "--backend poll -c 5000")
for round in $(seq 1 "$rounds"); do
    for point in "${points[@]}"; do
        # shellcheck disable=SC2086
        $bench run $point -a 100 --rate 10000 -w 1s -d 3s --sweep plain -o "$out" 2>&1 | grep -E '^rep' || true
        # shellcheck disable=SC2086
        $bench run $point -a 100 --rate 10000 -w 1s -d 3s --sweep profiled --profile -o "$out" 2>&1 | grep -E '^rep|profile:' | cut -c1-160 || true
    done
done
python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f'{sys.argv[1]}: server CPU µs per request, median over the rounds (reps: n, saturated)')
for point in dict.fromkeys(r['point'] for r in rows):
    side = {}
    for sweep in ('plain', 'profiled'):
        picked = [r for r in rows if r['point'] == point and r['sweep'] == sweep]
        side[sweep] = statistics.median(float(r['server_cpu_us_per_req']) for r in picked)
        print(f'  {point} {sweep}: {side[sweep]:.2f} (n={len(picked)}, saturated {sum(1 for r in picked if r["saturated_by"])})')
    print(f'  {point}: profiled / plain = {side["profiled"] / side["plain"]:.3f}')
PY
