#!/usr/bin/env bash
# The core, server, load, metrics and messages tests under AddressSanitizer and/or ThreadSanitizer,
# each sanitizer in its own scratch path (.build-asan, .build-tsan), so the plain .build is kept.
# Usage: Tests/Sanitizers/run.sh [address|thread|all]   (default: all; run from anywhere)
#
# The tests start the mux-server and mux-load built beside them, so those run sanitized too.
# Every process writes its reports to .build-SAN/reports/ (log_path) rather than to a stderr a
# test may not show; any report there fails the run (exit 1) and is printed, as is a failed test.
# Suppressions for findings inside the toolchain, each with its reason, are in this folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

which="${1:-all}"
case "$which" in
address) sanitizers=(address) ;;
thread) sanitizers=(thread) ;;
all) sanitizers=(address thread) ;;
*) echo "run.sh: unknown sanitizer '$which' (expected address, thread or all)" >&2; exit 2 ;;
esac

filter='MuxCoreTests|MuxServerKitTests|MuxLoadKitTests|MuxMetricsTests|MuxMessagesTests'
failed=0
for sanitizer in "${sanitizers[@]}"; do
    short=${sanitizer:0:1}san
    scratch=".build-$short"
    reports="$root/$scratch/reports"
    rm -rf "$reports"; mkdir -p "$reports"
    start=$SECONDS
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    built=$SECONDS
    status=0
    ASAN_OPTIONS="log_path=$reports/asan" \
    LSAN_OPTIONS="suppressions=$root/Tests/Sanitizers/lsan.supp:print_suppressions=0" \
    TSAN_OPTIONS="log_path=$reports/tsan:suppressions=$root/Tests/Sanitizers/tsan.supp:print_suppressions=0" \
        swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$filter" || status=$?
    found=$(find "$reports" -type f -size +0 | sort)
    echo "run.sh: $sanitizer: build $((built - start)) s, tests $((SECONDS - built)) s, test status $status, $(echo -n "$found" | grep -c . || true) report file(s)" >&2
    for file in $found; do echo "== $file" >&2; cat "$file" >&2; done
    if [[ $status -ne 0 || -n "$found" ]]; then failed=1; fi
done
exit $failed
