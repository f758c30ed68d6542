#!/usr/bin/env bash
# One-off experiment: mux-load's figures set beside wrk's.
# mux-load beside wrk -t1 against the same mux-server (HTTP), same connection count, one thread
# each, server pinned to CPU 0 and the load to CPU 1, alternating so both see the same machine.
# Besides throughput and p50 it prints each tool's mean latency beside connections/throughput
# (Little's law: in a closed loop the mean round trip must equal it). mux-load's does; wrk's mean
# is far lower at many connections, because wrk starts its clock only when it writes a request,
# one event-loop turn after the previous reply was read, and that wait is never counted.
# Usage: Benchmarks/tools/compare-wrk.sh [connections] [duration-seconds] [backends...]
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-100}; seconds=${2:-5}; shift 2 || true
backends=("${@:-epoll-et}")
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
swift build -c release >/dev/null
out=$(mktemp -d)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# wrk prints 425.00us, 4.03ms, 1.2s: all to microseconds.
microseconds='{ if (v ~ /us$/) { sub(/us/, "", v) } else if (v ~ /ms$/) { sub(/ms/, "", v); v = v * 1000 } else if (v ~ /s$/) { sub(/s/, "", v); v = v * 1e6 }; print v }'
printf '%-9s %5s | %9s %8s %8s %8s | %9s %8s %8s %8s | %6s %6s\n' backend conns \
  wrk_rps p50_us mean_us N/X_us mux_rps p50_us mean_us N/X_us rps× p50×
for backend in "${backends[@]}"; do
  taskset -c 0 .build/release/mux-server --backend "$backend" --protocol http --port 0 >"$out/server" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q '"port"' "$out/server" && break; sleep 0.1; done
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out/server" | head -1)
  taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/" >"$out/wrk"
  taskset -c 1 .build/release/mux-load --port "$port" --protocol http -c "$connections" -w 1s -d "${seconds}s" >"$out/mux" 2>/dev/null
  kill "$server"; wait "$server" || true
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
  wrk_p50=$(awk '$1 == "50%" { v = $2; '"$microseconds"' }' "$out/wrk")
  wrk_mean=$(awk '$1 == "Latency" && $2 != "Distribution" { v = $2; '"$microseconds"' }' "$out/wrk")
  mux_rps=$(sed -n 's/.*"throughput_rps":\([0-9.]*\).*/\1/p' "$out/mux")
  mux_p50=$(sed -n 's/.*"p50":\([0-9.]*\).*/\1/p' "$out/mux")
  mux_mean=$(sed -n 's/.*"mean":\([0-9.]*\).*/\1/p' "$out/mux")
  errors=$(sed -n 's/.*"errors":\([0-9]*\),.*/\1/p' "$out/mux")
  wrk_errors=$(grep -c "Socket errors\|Non-2xx" "$out/wrk" || true)
  printf '%-9s %5s | %9.0f %8.1f %8.1f %8.1f | %9.0f %8.1f %8.1f %8.1f | %6.3f %6.3f  (errors: mux %s, wrk lines %s)\n' \
    "$backend" "$connections" "$wrk_rps" "$wrk_p50" "$wrk_mean" "$(calc "$connections * 1e6 / $wrk_rps")" \
    "$mux_rps" "$mux_p50" "$mux_mean" "$(calc "$connections * 1e6 / $mux_rps")" \
    "$(calc "$mux_rps / $wrk_rps")" "$(calc "$mux_p50 / $wrk_p50")" "$errors" "$wrk_errors"
done
rm -rf "$out"
