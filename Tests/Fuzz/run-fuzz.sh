#!/usr/bin/env bash
# Fuzzes a parser with libFuzzer + AddressSanitizer.
# Usage: Tests/Fuzz/run-fuzz.sh [http|sweep] [seconds]   (default: http, 60 s; run from anywhere)
#        Tests/Fuzz/run-fuzz.sh SECONDS                  (http, as before)
# SwiftPM builds the parser's target and everything it depends on (found in the package's own
# description, so files may move and gain dependencies) with fuzzer coverage and ASan into
# .build-fuzz/spm; the fuzz target is then linked against those objects. Each target's corpus is
# kept in .build-fuzz/corpus-TARGET (seeded from a few valid inputs); crashing inputs are saved
# to Tests/Fuzz/crashes/, where they belong in the unit tests. Extra arguments after the seconds
# go to libFuzzer (e.g. -jobs=2). Needs jq.
set -euo pipefail

target=http
if [[ $# -gt 0 && ! "$1" =~ ^[0-9]+$ ]]; then target="$1"; shift; fi
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"
command -v jq >/dev/null || { echo "run-fuzz.sh: jq is needed to read the package's description" >&2; exit 1; }

build=.build-fuzz
corpus="$build/corpus-$target"
crashes=Tests/Fuzz/crashes
mkdir -p "$build" "$corpus" "$crashes"
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }

case "$target" in
http)
    module=MuxServerKit
    harness=HTTPRequestParserFuzz
    seed wrk 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'
    seed curl 'GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n'
    seed http10 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
    seed close 'GET /a?b=c HTTP/1.1\r\nConnection: Keep-Alive, close\r\n\r\n'
    seed post 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'
    seed pipelined 'GET / HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n'
    seed chunked 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
    # -max_len above maxHeaderBytes so the size limit itself is reached.
    options=(-max_len=9000 -dict=Tests/Fuzz/http.dict)
    ;;
sweep)
    module=MuxBenchKit
    harness=SweepFileParserFuzz
    for file in Benchmarks/*.sweep; do [[ -f "$file" ]] && cp "$file" "$corpus/seed-$(basename "$file")"; done
    seed minimal 'backends = epoll-et\nconnections = 100\n'
    seed full 'backends = select poll epoll-lt epoll-et  # all four\nconnections = 10 1k\nactive = 1 all\npayload = 64 16KiB\nprotocol = echo http\nmode = immediate on-writable\npipeline = 1 8\nrate = closed 1000 2.5k\nthreads = 1 2\nmax-events = 64 1024\nwarmup = 500ms\nduration = 2m\nrepetitions = 3\n'
    seed override 'backends = select epoll-et\r\nconnections = 100 1000\r\nconnections.select = 100 900\r\nrate.epoll-et = 1.5 closed\r\n'
    options=(-max_len=4096 -dict=Tests/Fuzz/sweep.dict)
    ;;
*) echo "run-fuzz.sh: unknown target '$target' (expected http or sweep)" >&2; exit 2 ;;
esac

# The target and its dependencies, instrumented; -enable-testing lets the harness reach the
# parser's internal API through @testable import.
spm="$build/spm"
swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -enable-testing \
    --scratch-path "$spm" --target "$module" >"$build/build-$target.log" 2>&1 || { cat "$build/build-$target.log" >&2; exit 1; }
bin="$spm/release"
objects=() clang_modules=()
targets=$(swift package describe --type json | jq -r --arg t "$module" '
    (.targets | map({key: .name, value: .}) | from_entries) as $all
    | [$t | recurse($all[.].target_dependencies // [] | .[])] | unique | .[] | $all[.].c99name')
for name in $targets; do
    objects+=("$bin/$name.build"/*.o)
    if [[ -f "$bin/$name.build/module.modulemap" ]]; then
        clang_modules+=(-Xcc "-fmodule-map-file=$bin/$name.build/module.modulemap")
    fi
done
binary="$build/$target-fuzz"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "$harness" \
    -I "$bin/Modules" "${clang_modules[@]}" "Tests/Fuzz/$harness.swift" "${objects[@]}" \
    -o "$binary" 2>"$build/link-$target.log" || { cat "$build/link-$target.log" >&2; exit 1; }
# (The link log is kept aside: ld.gold warns about every ASan symbol it cannot export, harmlessly.)

exec "$binary" "$corpus" \
    -max_total_time="$seconds" \
    "${options[@]}" \
    -print_final_stats=1 \
    -artifact_prefix="$crashes/$target-" \
    "$@"
