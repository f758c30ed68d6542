// The shim functions that need _GNU_SOURCE, kept out of the header so Glibc's fd_set and
// this module's agree.
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "CMuxShim.h"

int mux_accept4_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int mux_affinity_of(pid_t pid, int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(pid, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int c = 0; c < CPU_SETSIZE && count < capacity; c++) {
        if (CPU_ISSET(c, &set)) cpus[count++] = c;
    }
    return count;
}

int mux_pin_cpu_list(pid_t pid, const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++) {
        if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_SET(cpus[i], &set);
    }
    return sched_setaffinity(pid, sizeof set, &set);
}

const char *mux_errno_name(int code) {
    const char *name = strerrorname_np(code);
    return name ? name : "E?";
}

int mux_current_cpu(void) {
    return sched_getcpu();
}

int mux_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}
