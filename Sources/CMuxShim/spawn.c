// Children that die with the collector: a fork + exec that puts each child in its own process
// group with a parent-death signal, and one guard process that kills the groups left behind when
// the collector ends without ending them itself (SIGKILL, a crash). posix_spawn cannot set a
// death signal, and a death signal alone does not reach grandchildren.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CMuxShim.h"

/// Only async-signal-safe calls after fork: the collector may have other threads.
static void reset_signals(void) {
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static int move_fd(int from, int to) {
    if (from == to) {
        int flags = fcntl(to, F_GETFD);
        return flags < 0 ? -1 : fcntl(to, F_SETFD, flags & ~FD_CLOEXEC);
    }
    while (dup2(from, to) < 0) {
        if (errno != EINTR) return -1;
    }
    return 0;
}

pid_t mux_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd) {
    // The exec's errno comes back through this pipe; a successful exec closes it (O_CLOEXEC).
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    // No handler of ours may run in the child between fork and the reset.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        int code = 0;
        (void)setpgid(0, 0);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) code = errno;
        // The collector may have died before the death signal was armed.
        if (code == 0 && getppid() != parent) _exit(127);
        if (code == 0) {
            int in = stdin_fd;
            if (in < 0) in = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (in < 0 || move_fd(in, 0) != 0 || move_fd(stdout_fd, 1) != 0 || move_fd(stderr_fd, 2) != 0) code = errno;
            // The originals (not close-on-exec: the collector closes its copies after the fork).
            if (in > 2) close(in);
            if (stdout_fd > 2) close(stdout_fd);
            if (stderr_fd > 2 && stderr_fd != stdout_fd) close(stderr_fd);
        }
        if (code == 0) {
            reset_signals();
            if (strchr(path, '/') != NULL) execve(path, argv, envp); else execvpe(path, argv, envp);
            code = errno;
        }
        ssize_t ignored = write(report[1], &code, sizeof code);
        (void)ignored;
        _exit(127);
    }
    int forkError = child < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        return -forkError;
    }
    // Also here, so the group exists before the caller hands it to the guard (EACCES once it
    // has exec'd: then it has done so itself).
    (void)setpgid(child, child);
    int code = 0;
    ssize_t n;
    do { n = read(report[0], &code, sizeof code); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof code) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return -(code != 0 ? code : ECHILD);
    }
    return child;
}

// ---- the guard --------------------------------------------------------------------------

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
/// The collector's end of the guard's socket (close-on-exec: no child holds it), or -1.
static int guard_socket = -1;

enum { guard_capacity = 4096 };

/// The guard's life: read group numbers (positive: hold, negative: release) until end of file,
/// then SIGKILL every group still held. Async-signal-safe calls only (forked from threads).
static void guard_main(int fd) __attribute__((noreturn));
static void guard_main(int fd) {
    // Out of the collector's process group: Ctrl-C and Ctrl-Z at the terminal are the collector's.
    (void)setpgid(0, 0);
    struct sigaction ignore = {0};
    ignore.sa_handler = SIG_IGN;
    int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2};
    for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++) (void)sigaction(ignored[i], &ignore, NULL);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    // Hold nothing of the collector's (its stdout pipe must reach end of file when it exits).
    if (fd != 3) { (void)dup2(fd, 3); }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) { (void)dup2(null, 0); (void)dup2(null, 1); (void)dup2(null, 2); }
    if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
        struct rlimit limit;
        long top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (long)limit.rlim_cur : 1 << 20;
        for (long f = 4; f < top; f++) (void)close((int)f);
    }
    static pid_t held[guard_capacity];
    int count = 0;
    int32_t value;
    size_t have = 0;
    for (;;) {
        ssize_t n = read(3, (char *)&value + have, sizeof value - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
        if (have < sizeof value) continue;
        have = 0;
        if (value > 0 && count < guard_capacity) {
            held[count++] = value;
        } else if (value < 0) {
            for (int i = 0; i < count; i++) {
                if (held[i] == -value) { held[i] = held[--count]; break; }
            }
        }
    }
    for (int i = 0; i < count; i++) (void)kill(-held[i], SIGKILL);
    _exit(0);
}

/// Starts the guard once; the caller holds guard_lock.
static int start_guard(void) {
    if (guard_socket >= 0) return 0;
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return -errno;
    pid_t guard = fork();
    if (guard == 0) guard_main(ends[1]);
    int code = errno;
    close(ends[1]);
    if (guard < 0) {
        close(ends[0]);
        return -code;
    }
    // Not waited for: it outlives this process by design, and init reaps it.
    guard_socket = ends[0];
    return 0;
}

static int guard_send(int32_t value) {
    ssize_t n;
    do { n = send(guard_socket, &value, sizeof value, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof value ? 0 : -(n < 0 ? errno : EIO);
}

int mux_guard_hold(pid_t group) {
    pthread_mutex_lock(&guard_lock);
    int rc = start_guard();
    if (rc == 0) rc = guard_send((int32_t)group);
    pthread_mutex_unlock(&guard_lock);
    return rc;
}

void mux_guard_release(pid_t group) {
    pthread_mutex_lock(&guard_lock);
    if (guard_socket >= 0) (void)guard_send(-(int32_t)group);
    pthread_mutex_unlock(&guard_lock);
}
