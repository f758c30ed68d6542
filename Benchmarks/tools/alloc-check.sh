#!/usr/bin/env bash
# Tool: run after changing the server's hot path.
# Hot-path allocation check: the server's heap allocations (valgrind's "total heap usage") after
# 10,000 and after 20,000 requests must be the same number: nothing is allocated per request.
# Usage: Benchmarks/tools/alloc-check.sh [backend ...]   (needs valgrind and python3)
# Where valgrind is missing or cannot run the server (some versions cannot read Swift's DWARF),
# allocations are counted by an LD_PRELOAD shim instead (malloc-count.c, needs cc).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product mux-server >/dev/null
# Every backend by default, as mux-server's usage line lists them (Backend is the one list).
all=$(.build/release/mux-server --help | sed -n 's/.*--backend \([a-z|-]*\) .*/\1/p' | head -1 | tr '|' ' ')
backends=("${@:-$all}")
work=$(mktemp -d)
status=0
# valgrind when it can run the server; the LD_PRELOAD counter otherwise.
counter=valgrind
if ! command -v valgrind >/dev/null || ! valgrind --log-file="$work/probe.log" .build/release/mux-server --help >/dev/null 2>&1 \
   || ! grep -q 'total heap usage' "$work/probe.log"; then
  counter=preload
  cc -shared -fPIC -O2 -o "$work/malloc-count.so" Benchmarks/tools/malloc-count.c
  echo "valgrind cannot run mux-server here: counting allocations with an LD_PRELOAD shim" >&2
fi
for proto in echo http; do
  for backend in ${backends[@]}; do
    counts=()
    for k in 10000 20000; do
      if [ "$counter" = valgrind ]; then
        valgrind --tool=memcheck --log-file="$work/vg.log" .build/release/mux-server --backend "$backend" \
          --protocol "$proto" --port 0 >"$work/out" 2>&1 &
      else
        LD_PRELOAD="$work/malloc-count.so" .build/release/mux-server --backend "$backend" \
          --protocol "$proto" --port 0 >"$work/out" 2>"$work/vg.log" &
      fi
      pid=$!
      for _ in $(seq 100); do grep -q '"port"' "$work/out" 2>/dev/null && break; sleep 0.1; done
      port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/out" | head -1)
      python3 Benchmarks/tools/fixed-requests-client.py "$port" "$k" "$proto"
      kill "$pid"; wait "$pid" || true
      counts+=("$(sed -n -e 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' -e 's/^MALLOCS \([0-9]*\)$/\1/p' "$work/vg.log")")
    done
    verdict=ok; [ "${counts[0]}" = "${counts[1]}" ] || { verdict="ALLOCATES PER REQUEST"; status=1; }
    echo "$backend $proto: ${counts[0]} allocs after 10,000 requests, ${counts[1]} after 20,000: $verdict"
  done
done
rm -rf "$work"
exit $status
