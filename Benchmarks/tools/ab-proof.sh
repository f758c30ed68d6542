#!/bin/sh
# One-off experiment (its runs: results/ab-proof-*.csv), kept to re-prove `mux-bench ab` after changing it.
# ab-proof.sh: does `mux-bench ab` raise false alarms, and does it catch real regressions?
#
#   Benchmarks/tools/ab-proof.sh BASE_DIR HEAD_DIR [AA_RUNS] [AB_RUNS] [SWEEP]
#
# BASE_DIR and HEAD_DIR hold prebuilt release mux-server and mux-load (for example two
# `swift build -c release --scratch-path DIR/b` outputs: DIR/b/release). Runs `mux-bench ab` of
# BASE against itself AA_RUNS times (default 10; every "regressed" is a false alarm) and of BASE
# against HEAD AB_RUNS times (default 5; HEAD should carry a real regression, e.g. one extra
# getpid() per request through the counted layer, or ~5% more CPU per request), then prints each
# run's verdicts with p-values and the totals. SWEEP defaults to Benchmarks/ab.sweep (~5 minutes
# per run on 2 CPUs, so the defaults take about 75 minutes). Run it on a quiet machine; the A/A
# changes it prints are the noise the thresholds in JudgedFigure.swift must sit above.
# Environment: MUX_BENCH (default .build/release/mux-bench), AB_OPTIONS (extra ab options, e.g.
# "--blocks 12"), AB_PROOF_DIR (keep the logs and raw CSVs there instead of a temporary folder). Exit 0 when there were no false alarms and every run finished, 1 otherwise.
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 BASE_DIR HEAD_DIR [AA_RUNS] [AB_RUNS] [SWEEP]" >&2
    exit 2
fi
base=$1; head=$2; aa_runs=${3:-10}; ab_runs=${4:-5}; sweep=${5:-Benchmarks/ab.sweep}
bench=${MUX_BENCH:-.build/release/mux-bench}
for dir in "$base" "$head"; do
    for exe in mux-server mux-load; do
        [ -x "$dir/$exe" ] || { echo "$0: $dir/$exe: no such executable" >&2; exit 2; }
    done
done
[ -x "$bench" ] || { echo "$0: $bench: not built (swift build -c release, or set MUX_BENCH)" >&2; exit 2; }
if [ -n "${AB_PROOF_DIR:-}" ]; then
    work=$AB_PROOF_DIR; mkdir -p "$work" || exit 1     # kept: the raw CSVs stay for later study
else
    work=$(mktemp -d /tmp/ab-proof-XXXXXX) || exit 1
    trap 'rm -rf "$work"' EXIT
fi
echo "ab-proof: A/A $aa_runs x, A/B $ab_runs x, sweep $sweep, base $base, head $head; logs in $work" >&2

# field NAME LINE: the value of a JSON field in one of ab's flat JSON lines.
field() { printf '%s\n' "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }

# one KIND INDEX HEAD_DIR: one ab run; prints its gated verdicts, appends "KIND exit" to the tally.
one() {
    kind=$1; index=$2; headdir=$3
    tag=$(printf '%s' "$kind" | tr -d /)-$index
    out="$work/$tag.out"
    # shellcheck disable=SC2086
    "$bench" ab --base-build "$base" --head-build "$headdir" --results "$work/results-$tag" \
        ${AB_OPTIONS:-} "$sweep" >"$out" 2>"$work/$tag.err"
    status=$?
    echo "$kind $status" >>"$work/tally"
    printf '%s %d: exit %d\n' "$kind" "$index" "$status"
    grep '"type":"ab"' "$out" | while IFS= read -r line; do
        printf '    %-9s %-48s %-22s change %-10s [%s, %s]  p %-9s p(Holm) %s\n' \
            "$(field verdict "$line")" "$(field point "$line")" "$(field figure "$line")$( [ "$(field gated "$line")" = true ] || echo ' (not gated)')" \
            "$(field change "$line")" "$(field low "$line")" "$(field high "$line")" "$(field p "$line")" "$(field p_holm "$line")"
        echo "$kind $(field gated "$line") $(field verdict "$line")" >>"$work/verdicts"
    done
    if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
        echo "    ab failed: $(tail -n 1 "$work/$tag.err")"
    fi
}

: >"$work/tally"; : >"$work/verdicts"
i=1; while [ "$i" -le "$aa_runs" ]; do one A/A "$i" "$base"; i=$((i + 1)); done
i=1; while [ "$i" -le "$ab_runs" ]; do one A/B "$i" "$head"; i=$((i + 1)); done

count() { grep -c "^$1\$" "$2" 2>/dev/null || true; }
echo
echo "A/A: $(count 'A/A 3' "$work/tally") of $aa_runs runs exited 3 (false alarms); gated verdicts:" \
     "regressed $(count 'A/A true regressed' "$work/verdicts"), same $(count 'A/A true same' "$work/verdicts")," \
     "unknown $(count 'A/A true unknown' "$work/verdicts")"
echo "A/B: $(count 'A/B 3' "$work/tally") of $ab_runs runs exited 3 (regression caught); gated verdicts:" \
     "regressed $(count 'A/B true regressed' "$work/verdicts"), same $(count 'A/B true same' "$work/verdicts")," \
     "unknown $(count 'A/B true unknown' "$work/verdicts")"
failed=$(grep -vc ' [03]$' "$work/tally" || true)
[ "$failed" -eq 0 ] || echo "$failed run(s) failed (exit other than 0 or 3): see above"
[ "$(count 'A/A 3' "$work/tally")" -eq 0 ] && [ "$failed" -eq 0 ]
