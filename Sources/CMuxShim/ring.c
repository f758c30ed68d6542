// io_uring through raw syscalls: setup with flag fallbacks, the mmap'd rings, SQE preparation,
// CQE reading and the provided buffer ring. Memory ordering as the kernel documents it: the SQ
// tail and the buffer ring tail are stored with release after the entries are written; the CQ
// tail and SQ head are loaded with acquire before the entries are read; the CQ head is stored
// with release once the entries are consumed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "mux_ring.h"

_Static_assert(MUX_CQE_F_BUFFER == IORING_CQE_F_BUFFER, "mirror of IORING_CQE_F_BUFFER");
_Static_assert(MUX_CQE_F_MORE == IORING_CQE_F_MORE, "mirror of IORING_CQE_F_MORE");
_Static_assert(MUX_CQE_BUFFER_SHIFT == IORING_CQE_BUFFER_SHIFT, "mirror of IORING_CQE_BUFFER_SHIFT");
_Static_assert(MUX_SETUP_SINGLE_ISSUER == IORING_SETUP_SINGLE_ISSUER, "mirror");
_Static_assert(MUX_SETUP_DEFER_TASKRUN == IORING_SETUP_DEFER_TASKRUN, "mirror");
_Static_assert(MUX_SETUP_COOP_TASKRUN == IORING_SETUP_COOP_TASKRUN, "mirror");
_Static_assert(MUX_SETUP_TASKRUN_FLAG == IORING_SETUP_TASKRUN_FLAG, "mirror");
_Static_assert(sizeof(struct io_uring_sqe) == 64, "SQE layout");
_Static_assert(sizeof(struct io_uring_cqe) == 16, "CQE layout (no CQE32)");

static int sys_setup(unsigned entries, struct io_uring_params *p) {
    return (int)syscall(__NR_io_uring_setup, entries, p);
}
static int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, void *arg, size_t size) {
    return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, size);
}
static int sys_register(int fd, unsigned op, void *arg, unsigned nr) {
    return (int)syscall(__NR_io_uring_register, fd, op, arg, nr);
}

int mux_ring_setup(struct mux_ring *r, unsigned entries, unsigned cq_entries) {
    memset(r, 0, sizeof *r);
    r->fd = -1;
    // DEFER_TASKRUN runs completions' task work only when we enter to wait: no interruptions
    // of the loop (Netty measured +70% from these two). Older kernels refuse them: fall back.
    const unsigned attempts[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        0,
    };
    struct io_uring_params p;
    int fd = -1, err = 0;
    for (unsigned i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        memset(&p, 0, sizeof p);
        // A CQ well above the SQ: multishot requests post many CQEs per SQE, and a full CQ
        // ends them.
        p.flags = attempts[i] | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
        p.cq_entries = cq_entries;
        fd = sys_setup(entries, &p);
        if (fd >= 0) { r->setup_flags = attempts[i]; break; }
        err = errno;
        if (err != EINVAL) return -err;     // EPERM, ENOSYS, ENOMEM: no flag set will help
    }
    if (fd < 0) return -err;
    r->fd = fd;
    r->features = p.features;
    r->sq_entries = p.sq_entries;
    r->cq_entries = p.cq_entries;
    r->sq_ring_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    r->cq_ring_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (p.features & IORING_FEAT_SINGLE_MMAP) {
        if (r->cq_ring_size > r->sq_ring_size) r->sq_ring_size = r->cq_ring_size;
        r->cq_ring_size = r->sq_ring_size;
    }
    r->sq_ring = mmap(NULL, r->sq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (r->sq_ring == MAP_FAILED) { err = errno; r->sq_ring = NULL; goto fail; }
    if (p.features & IORING_FEAT_SINGLE_MMAP) {
        r->cq_ring = r->sq_ring;
    } else {
        r->cq_ring = mmap(NULL, r->cq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
        if (r->cq_ring == MAP_FAILED) { err = errno; r->cq_ring = NULL; goto fail; }
    }
    r->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
    r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) { err = errno; r->sqes = NULL; goto fail; }

    unsigned char *sq = r->sq_ring, *cq = r->cq_ring;
    r->sq_khead = (unsigned *)(sq + p.sq_off.head);
    r->sq_ktail = (unsigned *)(sq + p.sq_off.tail);
    r->sq_mask = *(unsigned *)(sq + p.sq_off.ring_mask);
    r->sq_array = (unsigned *)(sq + p.sq_off.array);
    r->cq_khead = (unsigned *)(cq + p.cq_off.head);
    r->cq_ktail = (unsigned *)(cq + p.cq_off.tail);
    r->cq_mask = *(unsigned *)(cq + p.cq_off.ring_mask);
    r->cqes = cq + p.cq_off.cqes;
    // The SQ index array maps slot i to SQE i, once: SQEs are then written in ring order.
    for (unsigned i = 0; i < p.sq_entries; i++) r->sq_array[i] = i;
    r->sqe_tail = *r->sq_ktail;
    return 0;
fail:
    mux_ring_release(r);
    return -err;
}

void mux_ring_release(struct mux_ring *r) {
    if (r->sqes) munmap(r->sqes, r->sqes_size);
    if (r->cq_ring && r->cq_ring != r->sq_ring) munmap(r->cq_ring, r->cq_ring_size);
    if (r->sq_ring) munmap(r->sq_ring, r->sq_ring_size);
    if (r->fd >= 0) close(r->fd);
    r->sqes = r->cq_ring = r->sq_ring = NULL;
    r->fd = -1;
}

unsigned mux_ring_unsubmitted(const struct mux_ring *r) {
    return r->sqe_tail - __atomic_load_n(r->sq_khead, __ATOMIC_ACQUIRE);
}

unsigned mux_ring_sq_space(const struct mux_ring *r) { return r->sq_entries - mux_ring_unsubmitted(r); }

int mux_ring_enter(struct mux_ring *r, unsigned wait_nr, long long timeout_ns) {
    // Release: the SQEs written before this store are visible to the kernel when it sees the tail.
    __atomic_store_n(r->sq_ktail, r->sqe_tail, __ATOMIC_RELEASE);
    unsigned to_submit = mux_ring_unsubmitted(r);
    // GETEVENTS always: with DEFER_TASKRUN, completions are only posted while we enter with it.
    unsigned flags = IORING_ENTER_GETEVENTS;
    struct io_uring_getevents_arg arg;
    struct __kernel_timespec ts;
    void *argp = NULL;
    size_t argsz = 0;
    if (wait_nr > 0 && timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000LL;
        ts.tv_nsec = timeout_ns % 1000000000LL;
        memset(&arg, 0, sizeof arg);
        arg.ts = (uint64_t)(uintptr_t)&ts;
        flags |= IORING_ENTER_EXT_ARG;
        argp = &arg;
        argsz = sizeof arg;
    }
    int n = sys_enter(r->fd, to_submit, wait_nr, flags, argp, argsz);
    if (n >= 0) return n;
    if (errno == ETIME) return 0;
    return -errno;
}

unsigned mux_ring_cq_ready(const struct mux_ring *r) {
    // Acquire: CQEs written before the kernel's tail store are visible after this load.
    return __atomic_load_n(r->cq_ktail, __ATOMIC_ACQUIRE) - *r->cq_khead;
}

static inline const struct io_uring_cqe *cqe_at(const struct mux_ring *r, unsigned i) {
    return (const struct io_uring_cqe *)r->cqes + ((*r->cq_khead + i) & r->cq_mask);
}
uint64_t mux_ring_cqe_user_data(const struct mux_ring *r, unsigned i) { return cqe_at(r, i)->user_data; }
int32_t mux_ring_cqe_res(const struct mux_ring *r, unsigned i) { return cqe_at(r, i)->res; }
uint32_t mux_ring_cqe_flags(const struct mux_ring *r, unsigned i) { return cqe_at(r, i)->flags; }

void mux_ring_cq_advance(struct mux_ring *r, unsigned n) {
    // Release: we are done reading these CQEs before the kernel may overwrite them.
    __atomic_store_n(r->cq_khead, *r->cq_khead + n, __ATOMIC_RELEASE);
}

/// The next free SQE, zeroed, or NULL when the SQ is full.
static struct io_uring_sqe *next_sqe(struct mux_ring *r) {
    if (mux_ring_sq_space(r) == 0) return NULL;
    struct io_uring_sqe *sqe = (struct io_uring_sqe *)r->sqes + (r->sqe_tail & r->sq_mask);
    memset(sqe, 0, sizeof *sqe);
    r->sqe_tail++;
    return sqe;
}

int mux_ring_poll_add(struct mux_ring *r, int fd, uint32_t mask, int multishot, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = fd;
    sqe->poll32_events = mask;
    sqe->len = multishot ? IORING_POLL_ADD_MULTI : 0;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_poll_remove(struct mux_ring *r, uint64_t target, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_POLL_REMOVE;
    sqe->fd = -1;
    sqe->addr = target;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_accept_multishot(struct mux_ring *r, int fd, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = fd;
    sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_recv_multishot(struct mux_ring *r, int fd, uint16_t group, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = fd;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = group;
    sqe->ioprio = IORING_RECV_MULTISHOT;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_send(struct mux_ring *r, int fd, const void *buf, unsigned len, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)buf;
    sqe->len = len;
    sqe->msg_flags = MSG_NOSIGNAL;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_cancel_and_close(struct mux_ring *r, int fd, uint64_t cancel_user_data, uint64_t close_user_data) {
    if (mux_ring_sq_space(r) < 2) return -EBUSY;
    struct io_uring_sqe *cancel = next_sqe(r);
    cancel->opcode = IORING_OP_ASYNC_CANCEL;
    cancel->fd = fd;
    cancel->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
    // Hard link: the close follows even when there was nothing to cancel (-ENOENT).
    cancel->flags = IOSQE_IO_HARDLINK;
    cancel->user_data = cancel_user_data;
    struct io_uring_sqe *closing = next_sqe(r);
    closing->opcode = IORING_OP_CLOSE;
    closing->fd = fd;
    closing->user_data = close_user_data;
    return 0;
}

int mux_ring_close(struct mux_ring *r, int fd, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_CLOSE;
    sqe->fd = fd;
    sqe->user_data = user_data;
    return 0;
}

int mux_ring_cancel(struct mux_ring *r, uint64_t target, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->fd = -1;
    sqe->addr = target;
    sqe->user_data = user_data;
    return 0;
}

int mux_buffer_ring_setup(struct mux_ring *r, struct mux_buffer_ring *b, unsigned count, unsigned size, uint16_t group) {
    memset(b, 0, sizeof *b);
    if (count == 0 || (count & (count - 1)) != 0 || count > 32768) return -EINVAL;
    b->ring_size = count * sizeof(struct io_uring_buf);
    void *ring = mmap(NULL, b->ring_size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (ring == MAP_FAILED) return -errno;
    void *memory = mmap(NULL, (size_t)count * size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (memory == MAP_FAILED) { int e = errno; munmap(ring, b->ring_size); return -e; }
    b->ring = ring;
    b->buffers = memory;
    b->count = count;
    b->size = size;
    b->mask = count - 1;
    b->group = group;
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)ring;
    reg.ring_entries = count;
    reg.bgid = group;
    if (sys_register(r->fd, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) {
        int e = errno;
        munmap(memory, (size_t)count * size);
        munmap(ring, b->ring_size);
        memset(b, 0, sizeof *b);
        return -e;
    }
    for (unsigned i = 0; i < count; i++) mux_buffer_ring_recycle(b, (uint16_t)i);
    return 0;
}

void mux_buffer_ring_recycle(struct mux_buffer_ring *b, uint16_t id) {
    struct io_uring_buf_ring *ring = b->ring;
    struct io_uring_buf *buf = &ring->bufs[b->tail & b->mask];
    buf->addr = (uint64_t)(uintptr_t)mux_buffer_ring_buffer(b, id);
    buf->len = b->size;
    buf->bid = id;
    b->tail++;
    // Release: the entry is written before the kernel sees the new tail.
    __atomic_store_n(&ring->tail, b->tail, __ATOMIC_RELEASE);
}

void mux_buffer_ring_release(struct mux_ring *r, struct mux_buffer_ring *b) {
    if (!b->ring) return;
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.bgid = b->group;
    if (r->fd >= 0) sys_register(r->fd, IORING_UNREGISTER_PBUF_RING, &reg, 1);
    munmap(b->buffers, (size_t)b->count * b->size);
    munmap(b->ring, b->ring_size);
    memset(b, 0, sizeof *b);
}

int mux_ring_probe(int *sysctl_value) {
    *sysctl_value = -1;
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
    if (f) {
        if (fscanf(f, "%d", sysctl_value) != 1) *sysctl_value = -1;
        fclose(f);
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int fd = sys_setup(1, &p);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}
