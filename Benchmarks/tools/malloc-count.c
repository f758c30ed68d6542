// Tool, used by alloc-check.sh.
// LD_PRELOAD allocation counter for alloc-check.sh where valgrind cannot run the server (some
// valgrind versions cannot read the DWARF of Swift binaries and give up). Counts every
// malloc-family call and prints "MALLOCS N" on stderr at exit; forwards to glibc's own functions.
//   cc -shared -fPIC -O2 -o malloc-count.so malloc-count.c
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static unsigned long count;
static inline void counted(void) { __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED); }

void *malloc(size_t n) { counted(); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { counted(); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { counted(); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { counted(); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { counted(); return __libc_memalign(a, n); }
int posix_memalign(void **p, size_t a, size_t n) {
    counted();
    *p = __libc_memalign(a, n);
    return *p ? 0 : ENOMEM;
}

__attribute__((destructor)) static void report(void) {
    char line[64];
    int n = snprintf(line, sizeof line, "MALLOCS %lu\n", count);
    if (n > 0) (void)!write(STDERR_FILENO, line, (size_t)n);
}
