#!/usr/bin/env bash
# mux-load beside wrk -t1 against the same mux-server (HTTP), same connection count, one thread
# each, server pinned to CPU 0 and the load to CPU 1, alternating so both see the same machine.
# Usage: Benchmarks/tools/compare-wrk.sh [connections] [duration-seconds] [backends...]
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-100}; seconds=${2:-5}; shift 2 || true
backends=("${@:-epoll-et}")
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
swift build -c release >/dev/null
out=$(mktemp -d)
printf '%-9s %6s %12s %10s %12s %10s %7s\n' backend conns wrk_rps wrk_p50 mux_rps mux_p50 ratio
for backend in ${backends[@]}; do
  taskset -c 0 .build/release/mux-server --backend "$backend" --protocol http --port 0 >"$out/server" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q '"port"' "$out/server" && break; sleep 0.1; done
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out/server" | head -1)
  taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/" >"$out/wrk"
  taskset -c 1 .build/release/mux-load --port "$port" --protocol http -c "$connections" -w 1s -d "${seconds}s" >"$out/mux" 2>/dev/null
  kill "$server"; wait "$server" || true
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
  wrk_p50=$(awk '$1=="50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v)} else if (v ~ /ms$/) {sub(/ms/,"",v); v=v*1000} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1e6}; print v}' "$out/wrk")
  mux_rps=$(sed -n 's/.*"throughput_rps":\([0-9.]*\).*/\1/p' "$out/mux")
  mux_p50=$(sed -n 's/.*"p50":\([0-9.]*\).*/\1/p' "$out/mux")
  errors=$(sed -n 's/.*"errors":\([0-9]*\),.*/\1/p' "$out/mux")
  wrk_errors=$(grep -c "Socket errors\|Non-2xx" "$out/wrk" || true)
  printf '%-9s %6s %12s %10s %12s %10s %7.3f  (mux errors %s, wrk error lines %s)\n' "$backend" "$connections" \
    "$wrk_rps" "${wrk_p50}us" "$mux_rps" "${mux_p50}us" "$(echo "$mux_rps / $wrk_rps" | bc -l)" "$errors" "$wrk_errors"
done
rm -rf "$out"
