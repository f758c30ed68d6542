#!/usr/bin/env bash
# One-off experiment (its runs: results/tail-priority.csv).
# tail-priority.sh: are open loop's millisecond tails run-queue waits behind other processes?
# The same point under three scheduling conditions, interleaved, 3 rounds at 5,000 and at
# 20,000 requests/s: both processes at nice 0 (as sweeps run them), at nice -20, and SCHED_FIFO
# (chrt -f 10; the kernel's RT throttling leaves 5% to everything else). If priority removed the
# tails they would be ours to fix; on the build VM it did not (results/README.md, Read this first).
#   Benchmarks/tools/tail-priority.sh [OUT.csv]     (root for nice -20 and chrt; ~80 s)
# Rows go to OUT.csv (default results/tail-priority.csv) with sweep = tail-nice0 | tail-nice-20 | tail-fifo.
set -u
cd "$(dirname "$0")/../.."
out=${1:-results/tail-priority.csv}
bench=${MUX_BENCH:-.build/release/mux-bench}
for rate in 5000 20000; do
  for round in 1 2 3; do
    for cond in nice0 nice-20 fifo; do
      case $cond in
        nice0) pre=();;
        nice-20) pre=(nice -n -20);;
        fifo) pre=(chrt -f 10);;
      esac
      "${pre[@]}" "$bench" run -b epoll-et -c 1000 -a 100 -r "$rate" -w 1s -d 3s -o "$out" --sweep "tail-$cond" >/dev/null
      echo "$cond $rate round $round: exit $?"
    done
  done
done
