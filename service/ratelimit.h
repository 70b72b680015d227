/* A fixed-window limit on how many entries of one kind reach the log, so a
 * burst of (say) denied requests cannot flood it; what was held back is
 * counted and reported as one entry. Pure: the caller passes the time. */
#ifndef SVCD_RATELIMIT_H
#define SVCD_RATELIMIT_H

#include <stdint.h>

struct ratelimit {
    uint64_t window_us;    /* length of a window */
    unsigned burst;        /* entries allowed per window */
    uint64_t window_start; /* monotonic µs */
    unsigned used;
    uint64_t suppressed; /* held back in the current window */
};

void ratelimit_init(struct ratelimit *r, uint64_t window_us, unsigned burst);

/* Returns 1 when an entry at `now` may be written, 0 when it is held back
 * (and counted). Call ratelimit_take_suppressed first so the count of an
 * ended window is reported before the new one starts. */
int ratelimit_allow(struct ratelimit *r, uint64_t now);

/* When the current window has ended and entries were held back in it,
 * returns their number and starts counting afresh; otherwise 0. */
uint64_t ratelimit_take_suppressed(struct ratelimit *r, uint64_t now);

/* Microseconds until the window with held-back entries ends, or -1 when
 * nothing is waiting to be reported. */
int64_t ratelimit_due_in(const struct ratelimit *r, uint64_t now);

#endif
