// timer-waker.c: wakes every PERIOD_NS for SECONDS and does nothing else. One-off experiment
// (results/timer-wakeups-2026-12-06.csv): does a periodic timer alone, with no perf in it, change
// the CPU per request of a server on the same CPU? Pinned beside mux-server:
//   gcc -O2 -o /tmp/timer-waker Benchmarks/tools/timer-waker.c
//   taskset -c 0 /tmp/timer-waker 1001000 8 & mux-bench run --backend epoll-et -c 10000 -a 100 --rate 10000 ...
// (the server is pinned to CPU 0; the period 1.001 ms is a 999 Hz perf sampling clock's).
#include <time.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long ns = argc > 1 ? atol(argv[1]) : 1000000; int secs = argc > 2 ? atoi(argv[2]) : 10;
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    long n = secs * (1000000000L / ns);
    for (long i = 0; i < n; i++) {
        t.tv_nsec += ns; while (t.tv_nsec >= 1000000000L) { t.tv_nsec -= 1000000000L; t.tv_sec++; }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    }
    return 0;
}
