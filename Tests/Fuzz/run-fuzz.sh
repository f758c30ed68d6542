#!/usr/bin/env bash
# Fuzzes a parser with libFuzzer + AddressSanitizer.
# Usage: Tests/Fuzz/run-fuzz.sh [http|sweep] [seconds]   (default: http, 60 s; run from anywhere)
#        Tests/Fuzz/run-fuzz.sh SECONDS                  (http, as before)
# Builds into .build-fuzz/, keeps each target's corpus in .build-fuzz/corpus-TARGET (seeded from a
# few valid inputs) and saves crashing inputs to Tests/Fuzz/crashes/, where they belong in the
# unit tests. Extra arguments after the seconds go to libFuzzer (e.g. -jobs=2).
set -euo pipefail

target=http
if [[ $# -gt 0 && ! "$1" =~ ^[0-9]+$ ]]; then target="$1"; shift; fi
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

build=.build-fuzz
corpus="$build/corpus-$target"
crashes=Tests/Fuzz/crashes
mkdir -p "$build" "$corpus" "$crashes"
seed() { printf '%b' "$2" > "$corpus/seed-$1"; }

case "$target" in
http)
    binary="$build/http-request-parser-fuzz"
    # swiftc directly: SwiftPM has no fuzzer mode, and the parser file needs nothing else.
    swiftc -sanitize=fuzzer,address -parse-as-library -O \
        -module-name HTTPRequestParserFuzz \
        Sources/MuxServerKit/HTTPRequestParser.swift \
        Tests/Fuzz/HTTPRequestParserFuzz.swift \
        -o "$binary" 2>"$build/compile.log" || { cat "$build/compile.log" >&2; exit 1; }
    # (The log is kept aside: ld.gold warns about every ASan symbol it cannot export, harmlessly.)
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
    binary="$build/sweep-file-parser-fuzz"
    # The parser's files import MuxCLI and MuxMetrics; compiled here as one module with those
    # imports stripped, together with the few helpers they use (readTextFile is stubbed by the
    # fuzz target: it never reads files).
    sources="$build/sweep-sources"
    rm -rf "$sources"; mkdir -p "$sources"
    # Found by name, so the files may move between folders of their targets.
    for name in SweepFileParser SweepSpec SweepError SweepPoint CompactNumber Units LoadHost LoadHostSetup; do
        file=$(find Sources/MuxBenchKit Sources/MuxCLI -name "$name.swift" | head -n 1)
        [[ -n "$file" ]] || { echo "run-fuzz.sh: $name.swift not found under Sources/" >&2; exit 1; }
        sed -e '/^import Mux/d' "$file" > "$sources/$(basename "$file")"
    done
    swiftc -sanitize=fuzzer,address -parse-as-library -O \
        -module-name SweepFileParserFuzz \
        "$sources"/*.swift Tests/Fuzz/SweepFileParserFuzz.swift \
        -o "$binary" 2>"$build/compile-sweep.log" || { cat "$build/compile-sweep.log" >&2; exit 1; }
    for file in Benchmarks/*.sweep; do [[ -f "$file" ]] && cp "$file" "$corpus/seed-$(basename "$file")"; done
    seed minimal 'backends = epoll-et\nconnections = 100\n'
    seed full 'backends = select poll epoll-lt epoll-et  # all four\nconnections = 10 1k\nactive = 1 all\npayload = 64 16KiB\nprotocol = echo http\nmode = immediate on-writable\npipeline = 1 8\nrate = closed 1000 2.5k\nthreads = 1 2\nmax-events = 64 1024\nwarmup = 500ms\nduration = 2m\nrepetitions = 3\n'
    seed override 'backends = select epoll-et\r\nconnections = 100 1000\r\nconnections.select = 100 900\r\nrate.epoll-et = 1.5 closed\r\n'
    options=(-max_len=4096 -dict=Tests/Fuzz/sweep.dict)
    ;;
*) echo "run-fuzz.sh: unknown target '$target' (expected http or sweep)" >&2; exit 2 ;;
esac

exec "$binary" "$corpus" \
    -max_total_time="$seconds" \
    "${options[@]}" \
    -print_final_stats=1 \
    -artifact_prefix="$crashes/$target-" \
    "$@"
