#!/usr/bin/env bash
# Fuzzes HTTPRequestParser with libFuzzer + AddressSanitizer.
# Usage: Tests/Fuzz/run-fuzz.sh [seconds]   (default 60; run from anywhere)
# Builds into .build-fuzz/, keeps its corpus in .build-fuzz/corpus-http (seeded from a few valid
# requests) and saves crashing inputs to Tests/Fuzz/crashes/, where they belong in the unit tests.
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

build=.build-fuzz
corpus="$build/corpus-http"
crashes=Tests/Fuzz/crashes
binary="$build/http-request-parser-fuzz"
mkdir -p "$build" "$corpus" "$crashes"

# swiftc directly: SwiftPM has no fuzzer mode, and the parser file needs nothing else.
swiftc -sanitize=fuzzer,address -parse-as-library -O \
    -module-name HTTPRequestParserFuzz \
    Sources/MuxServerKit/HTTPRequestParser.swift \
    Tests/Fuzz/HTTPRequestParserFuzz.swift \
    -o "$binary" 2>"$build/compile.log" || { cat "$build/compile.log" >&2; exit 1; }
# (The log is kept aside: ld.gold warns about every ASan symbol it cannot export, harmlessly.)

seed() { printf '%b' "$2" > "$corpus/seed-$1"; }
seed wrk 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'
seed curl 'GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n'
seed http10 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed close 'GET /a?b=c HTTP/1.1\r\nConnection: Keep-Alive, close\r\n\r\n'
seed post 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello'
seed pipelined 'GET / HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n'
seed chunked 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'

# -max_len above maxHeaderBytes so the size limit itself is reached.
exec "$binary" "$corpus" \
    -max_total_time="$seconds" \
    -max_len=9000 \
    -dict=Tests/Fuzz/http.dict \
    -print_final_stats=1 \
    -artifact_prefix="$crashes/"
