#!/usr/bin/env bash
# Tool: run beside a sweep.
# steal-sampler.sh: one line a second until killed: UTC epoch seconds, then for cpu0 and cpu1
# the steal ticks and all ticks from /proc/stat. Run beside a sweep to see the hypervisor's
# episodes over time (each row's own steal_pct covers only its window).
while true; do
  awk -v t="$(date -u +%s)" '/^cpu[01] /{s=$9; tot=$2+$3+$4+$5+$6+$7+$8+$9; line=line" "s" "tot} END{print t line}' /proc/stat
  sleep 1
done
