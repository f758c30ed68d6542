// CMuxShim: the pieces of Linux's C API that Swift cannot reach through Glibc's module —
// <sys/epoll.h>, <sys/signalfd.h>, the FD_SET family and CPU_SET family (macros), accept4.
// Everything here is a thin, prefixed, inlinable wrapper: no policy, no state.
#ifndef CMUXSHIM_H
#define CMUXSHIM_H

// No _GNU_SOURCE here: it changes fd_set's definition and would clash with Glibc's module.
// Functions that need it (accept4, CPU_SET, strerrorname_np) live in shim.c.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <poll.h>
#include <time.h>
#include "mux_ring.h"

// ---- select(2): FD_SETSIZE and the macros that manipulate fd_set -------------------------
static const int MUX_FD_SETSIZE = FD_SETSIZE;
static inline void mux_fd_zero(fd_set *set) { FD_ZERO(set); }
static inline void mux_fd_set(int fd, fd_set *set) { FD_SET(fd, set); }
static inline void mux_fd_clr(int fd, fd_set *set) { FD_CLR(fd, set); }
static inline int mux_fd_isset(int fd, const fd_set *set) { return FD_ISSET(fd, set) ? 1 : 0; }
static inline int mux_select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) {
    return select(nfds, r, w, e, tv);
}

// ---- epoll(7) -----------------------------------------------------------------------------
static const uint32_t MUX_EPOLLIN = EPOLLIN;
static const uint32_t MUX_EPOLLOUT = EPOLLOUT;
static const uint32_t MUX_EPOLLERR = EPOLLERR;
static const uint32_t MUX_EPOLLHUP = EPOLLHUP;
static const uint32_t MUX_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t MUX_EPOLLET = EPOLLET;
static const int MUX_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int MUX_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int MUX_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

// The layout differs by architecture: x86_64 packs epoll_event to 12 bytes (the kernel's
// 32-bit-compatible ABI), aarch64 and most others align it to 16. Swift never assumes either:
// it allocates mux_epoll_event_size() per event and reads fields through the accessors below.
// What those accessors rely on is checked here, per architecture, not one size for all.
#if defined(__x86_64__)
_Static_assert(sizeof(struct epoll_event) == 12, "x86_64 epoll_event is packed to 12 bytes");
#elif defined(__aarch64__)
_Static_assert(sizeof(struct epoll_event) == 16, "aarch64 epoll_event is naturally aligned to 16 bytes");
#endif
_Static_assert(sizeof(((struct epoll_event *)0)->data.u64) == 8, "epoll_data carries a 64-bit registration key");

static inline int mux_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int mux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// `buffer` holds `capacity` epoll_event structs, allocated by the caller with mux_epoll_event_size.
static inline int mux_epoll_wait(int epfd, void *buffer, int capacity, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)buffer, capacity, timeout_ms);
}
/// epoll_pwait2: a nanosecond timeout (timeout_ns < 0: forever). -1 with ENOSYS on kernels < 5.11.
static inline int mux_epoll_wait_ns(int epfd, void *buffer, int capacity, long long timeout_ns) {
    if (timeout_ns < 0) return epoll_wait(epfd, (struct epoll_event *)buffer, capacity, -1);
    struct timespec ts = { (time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL) };
    return epoll_pwait2(epfd, (struct epoll_event *)buffer, capacity, &ts, NULL);
}
static inline size_t mux_epoll_event_size(void) { return sizeof(struct epoll_event); }
static inline uint32_t mux_epoll_event_flags(const void *buffer, int i) {
    return ((const struct epoll_event *)buffer)[i].events;
}
static inline uint64_t mux_epoll_event_data(const void *buffer, int i) {
    return ((const struct epoll_event *)buffer)[i].data.u64;
}

// ---- poll(2) ------------------------------------------------------------------------------
static const short MUX_POLLIN = POLLIN;
static const short MUX_POLLOUT = POLLOUT;
static const short MUX_POLLERR = POLLERR;
static const short MUX_POLLHUP = POLLHUP;
static const short MUX_POLLNVAL = POLLNVAL;

// ---- accept4(2), needs _GNU_SOURCE --------------------------------------------------------
int mux_accept4_nonblocking(int fd);

// ---- signals: block a set and read it through a signalfd ---------------------------------
// Two functions, one syscall each, so that the caller can count each call it makes.
static inline sigset_t mux_signal_set(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return set;
}
/// Blocks `count` signals in this thread (sigprocmask). 0, or -1 with errno.
static inline int mux_block_signals(const int *signals, int count) {
    sigset_t set = mux_signal_set(signals, count);
    return sigprocmask(SIG_BLOCK, &set, NULL);
}
/// A non-blocking signalfd for `count` signals, blocked beforehand with mux_block_signals (-1: errno).
static inline int mux_signalfd_create(const int *signals, int count) {
    sigset_t set = mux_signal_set(signals, count);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}
/// Reads one pending signal from a signalfd: its number, 0 if none pending, -1 on error.
static inline int mux_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n == (ssize_t)sizeof info) return (int)info.ssi_signo;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
}

// ---- CPU affinity: CPU_SET is a macro --------------------------------------------------
/// The CPUs `pid` (0: the caller) may run on, ascending, as numbers (a cpuset may allow 2-3
/// only): up to `capacity` written to `cpus`; returns how many, or -1 with errno.
int mux_affinity_of(pid_t pid, int *cpus, int capacity);
/// Pins `pid` to exactly these CPUs. Returns 0 or -1 with errno.
int mux_pin_cpu_list(pid_t pid, const int *cpus, int count);

/// The CPU the calling thread runs on (sched_getcpu), -1 with errno on failure.
int mux_current_cpu(void);

/// The calling thread's timer slack (PR_SET_TIMERSLACK): how late the kernel may end its sleeps.
int mux_set_timer_slack(unsigned long nanoseconds);

// ---- children that die with the collector (spawn.c) -----------------------------------
/// fork + exec of one of the collector's children. The child leads its own process group (so
/// its whole tree can be ended at once), gets PR_SET_PDEATHSIG(SIGKILL) with a getppid()
/// re-check (it dies with the collector, however that ends: the death signal follows the
/// forking thread, so spawn from a thread that outlives the child), an empty signal mask and
/// default dispositions, and fds 0, 1, 2 from `stdin_fd` (-1: /dev/null), `stdout_fd`,
/// `stderr_fd`; then execve, or a PATH search when `path` has no slash. Returns the child's PID,
/// or -errno when the fork or the exec failed (the child is then reaped).
pid_t mux_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd);

/// Hands process group `group` to the guard: one process per collector, started on first use,
/// that SIGKILLs every group still handed to it when the collector's end of their socket closes
/// (the collector exited, crashed or was SIGKILLed), so grandchildren (nginx's workers) go too.
/// Returns 0 or -errno (no guard: the children's death signal still ends the direct children).
int mux_guard_hold(pid_t group);
/// Takes `group` back from the guard once the collector has ended it itself.
void mux_guard_release(pid_t group);

// ---- errno ----------------------------------------------------------------------------
/// "ECONNRESET" for ECONNRESET: readable names in typed errors.
const char *mux_errno_name(int code);

#endif
