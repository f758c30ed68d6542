#!/usr/bin/env bash
# One-off experiment (issue 21; its record: results/busy-client-comparison-2026-12-06.txt).
# compare-busy-client.sh: mux-load's open-loop latency against an independent busy-polling client
# (busy-client.c), interleaved, against one mux-server (issue 21). The server is pinned to the
# first CPU, each client in turn to the second; rounds alternate the two clients at each rate.
# Prints one line per run and the medians per rate and client: p50 and p99 latency from intended
# send time, and send lateness p50/p99, in µs.
#
#   Benchmarks/tools/compare-busy-client.sh [ROUNDS] [RATES...]    (default: 3 rounds, 20000 40000 80000)
#   env: BACKEND (epoll-et), CONNECTIONS (1000), ACTIVE (100), WARMUP (1), DURATION (3), PACING (spin)
#
# Needs the release build (swift build -c release) and cc. Each run is bounded by WARMUP + DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; shift || true
rates=("${@:-20000 40000 80000}"); rates=(${rates[@]})
backend=${BACKEND:-epoll-et}; conns=${CONNECTIONS:-1000}; active=${ACTIVE:-100}
warmup=${WARMUP:-1}; duration=${DURATION:-3}; pacing=${PACING:-spin}
bin=.build/release
cpus=($(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))'))
[ ${#cpus[@]} -ge 2 ] || { echo "compare-busy-client: needs two CPUs" >&2; exit 1; }
scratch=$(mktemp -d)
cc -O2 -Wall -o "$scratch/busy-client" Benchmarks/tools/busy-client.c

taskset -c "${cpus[0]}" "$bin/mux-server" --backend "$backend" --port 0 >"$scratch/server.out" 2>"$scratch/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do grep -q '"port"' "$scratch/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["port"])' "$scratch/server.out")
echo "mux-server $backend pid $server port $port on CPU ${cpus[0]}; clients on CPU ${cpus[1]}; $conns connections, $active active, ${warmup}s + ${duration}s"

results="$scratch/results.txt"
for round in $(seq "$rounds"); do
  for rate in "${rates[@]}"; do
    # Alternate which client goes first, so drift does not favour one.
    order=("mux-load" "busy-client"); [ $((round % 2)) -eq 0 ] && order=("busy-client" "mux-load")
    for client in "${order[@]}"; do
      if [ "$client" = mux-load ]; then
        line=$(taskset -c "${cpus[1]}" "$bin/mux-load" --port "$port" -c "$conns" -a "$active" -r "$rate" --pacing "$pacing" \
                 -w "${warmup}s" -d "${duration}s" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("type") == "result":
        lat, late = o["latency_us"], o.get("send_lateness_us", {})
        print(o["throughput_rps"], lat["p50"], lat["p99"], late.get("p50", -1), late.get("p99", -1))')
      else
        line=$(taskset -c "${cpus[1]}" "$scratch/busy-client" "$port" "$conns" "$active" "$rate" "$warmup" "$duration" | \
               awk '{print $5, $9, $11, $16, $18}')
      fi
      echo "round $round rate $rate $client: achieved/s p50 p99 late_p50 late_p99 = $line"
      echo "$rate $client $line" >>"$results"
    done
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("medians (µs): rate client  achieved  p50  p99  lateness p50  p99")
for rate in dict.fromkeys(r[0] for r in rows):
    for client in ("mux-load", "busy-client"):
        runs = [list(map(float, r[2:])) for r in rows if r[0] == rate and r[1] == client]
        if runs:
            m = [statistics.median(col) for col in zip(*runs)]
            print(f"  {rate:>7} {client:<12} {m[0]:>9.0f} {m[1]:>7.1f} {m[2]:>7.1f} {m[3]:>8.2f} {m[4]:>8.2f}")
PY
