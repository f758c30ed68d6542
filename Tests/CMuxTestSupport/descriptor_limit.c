// Raises the test process's soft descriptor limit once, when the test bundle is loaded, before
// any test runs: tests hold 1,000+ sockets, and Swift Testing runs them in parallel, so a default
// soft limit of 1,024 (a container's usual) would fail whichever test happens to cross it. A
// load-time constructor means no test has to remember to ask. Capped at 65,536: children inherit
// the soft limit, and anything that walks every possible descriptor should not walk a million.
#include "CMuxTestSupport.h"
#include <sys/resource.h>

static long raised_limit = -1;

__attribute__((constructor)) static void mux_test_raise_descriptor_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t wanted = limit.rlim_max == RLIM_INFINITY || limit.rlim_max > 65536 ? 65536 : limit.rlim_max;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    raised_limit = (long)limit.rlim_cur;
}

long mux_test_descriptor_limit(void) { return raised_limit; }
