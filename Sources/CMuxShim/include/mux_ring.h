// io_uring without liburing: io_uring_setup / io_uring_enter / io_uring_register through
// syscall(2), the rings mmap'd, SQEs prepared and CQEs read here (ring.c). <linux/io_uring.h>
// stays inside ring.c: its <linux/fs.h> clashes with the Glibc module, so Swift sees only
// plain types and the mirrored constants below (checked against the kernel's in ring.c).
#ifndef MUX_RING_H
#define MUX_RING_H

#include <stddef.h>
#include <stdint.h>

/// One ring. Owned by exactly one Swift value (IOURing), which calls mux_ring_release once.
struct mux_ring {
    int fd;
    unsigned setup_flags;       // the flags io_uring_setup accepted (after fallbacks)
    unsigned features;
    unsigned sq_entries, cq_entries;
    unsigned *sq_khead, *sq_ktail, *sq_array;
    unsigned sq_mask;
    void *sqes;
    unsigned sqe_tail;          // SQEs written locally; published by mux_ring_enter
    unsigned *cq_khead, *cq_ktail;
    unsigned cq_mask;
    void *cqes;
    void *sq_ring, *cq_ring;
    size_t sq_ring_size, cq_ring_size, sqes_size;
};

// Mirrors of <linux/io_uring.h> values Swift needs (static-asserted in ring.c).
#define MUX_CQE_F_BUFFER 1u
#define MUX_CQE_F_MORE 2u
#define MUX_CQE_BUFFER_SHIFT 16
#define MUX_SETUP_SINGLE_ISSUER (1u << 12)
#define MUX_SETUP_DEFER_TASKRUN (1u << 13)
#define MUX_SETUP_COOP_TASKRUN (1u << 8)
#define MUX_SETUP_TASKRUN_FLAG (1u << 9)

/// Sets the ring up with `entries` SQEs and `cq_entries` CQEs, trying SINGLE_ISSUER|DEFER_TASKRUN,
/// then COOP_TASKRUN|TASKRUN_FLAG, then no flags. 0, or -errno of the last attempt.
int mux_ring_setup(struct mux_ring *ring, unsigned entries, unsigned cq_entries);
/// Unmaps the rings and closes the ring descriptor.
void mux_ring_release(struct mux_ring *ring);

/// SQEs written but not yet submitted.
unsigned mux_ring_unsubmitted(const struct mux_ring *ring);
/// Free SQ slots (the kernel may not have consumed every published SQE yet).
unsigned mux_ring_sq_space(const struct mux_ring *ring);

/// Publishes written SQEs (store-release of the SQ tail) and enters: submits them and, when
/// `wait_nr` > 0, waits for that many CQEs or `timeout_ns` (< 0: no timeout). Returns the SQEs
/// the kernel consumed, or -errno (ETIME on a timeout is returned as 0).
int mux_ring_enter(struct mux_ring *ring, unsigned wait_nr, long long timeout_ns);

/// CQEs ready to read (load-acquire of the CQ tail).
unsigned mux_ring_cq_ready(const struct mux_ring *ring);
/// The i-th ready CQE's fields (0 ≤ i < mux_ring_cq_ready).
uint64_t mux_ring_cqe_user_data(const struct mux_ring *ring, unsigned i);
int32_t mux_ring_cqe_res(const struct mux_ring *ring, unsigned i);
uint32_t mux_ring_cqe_flags(const struct mux_ring *ring, unsigned i);
/// Marks `n` CQEs consumed (store-release of the CQ head).
void mux_ring_cq_advance(struct mux_ring *ring, unsigned n);

// ---- SQE preparation: each returns 0, or -EBUSY when the SQ is full (submit, then retry) ----
int mux_ring_poll_add(struct mux_ring *ring, int fd, uint32_t poll_mask, int multishot, uint64_t user_data);
int mux_ring_poll_remove(struct mux_ring *ring, uint64_t target, uint64_t user_data);
/// Multishot accept4(SOCK_NONBLOCK | SOCK_CLOEXEC).
int mux_ring_accept_multishot(struct mux_ring *ring, int fd, uint64_t user_data);
/// Multishot recv into buffers of group `group` (a provided buffer ring).
int mux_ring_recv_multishot(struct mux_ring *ring, int fd, uint16_t group, uint64_t user_data);
/// send(MSG_NOSIGNAL) of `len` bytes at `buf`, which must stay untouched until its CQE.
int mux_ring_send(struct mux_ring *ring, int fd, const void *buf, unsigned len, uint64_t user_data);
/// Cancels every request on `fd`, hard-linked to a close of `fd`: the close runs after the
/// cancel whatever it found, so the descriptor cannot be reused while requests still use it.
int mux_ring_cancel_and_close(struct mux_ring *ring, int fd, uint64_t cancel_user_data, uint64_t close_user_data);
/// Closes `fd` through the ring (for a descriptor with no request left on it).
int mux_ring_close(struct mux_ring *ring, int fd, uint64_t user_data);
/// Cancels the request whose user_data is `target`.
int mux_ring_cancel(struct mux_ring *ring, uint64_t target, uint64_t user_data);

// ---- provided buffer ring (IORING_REGISTER_PBUF_RING) ----------------------------------
struct mux_buffer_ring {
    void *ring;                 // struct io_uring_buf_ring, mmap'd
    size_t ring_size;
    unsigned char *buffers;     // count * size bytes
    unsigned count, size, mask;
    uint16_t group;
    uint16_t tail;              // local tail, published with store-release
};
/// Registers `count` (a power of two) buffers of `size` bytes as group `group`. 0 or -errno.
int mux_buffer_ring_setup(struct mux_ring *ring, struct mux_buffer_ring *buffers, unsigned count,
                          unsigned size, uint16_t group);
void mux_buffer_ring_release(struct mux_ring *ring, struct mux_buffer_ring *buffers);
/// Hands buffer `id` back to the kernel.
void mux_buffer_ring_recycle(struct mux_buffer_ring *buffers, uint16_t id);
static inline unsigned char *mux_buffer_ring_buffer(const struct mux_buffer_ring *buffers, uint16_t id) {
    return buffers->buffers + (size_t)id * buffers->size;
}

/// Why io_uring cannot run here: 0 when io_uring_setup succeeds, else errno; `sysctl_value`
/// gets kernel.io_uring_disabled (-1 when unreadable).
int mux_ring_probe(int *sysctl_value);

#endif
