#include "ratelimit.h"

void ratelimit_init(struct ratelimit *r, uint64_t window_us, unsigned burst)
{
    r->window_us = window_us;
    r->burst = burst;
    r->window_start = 0;
    r->used = 0;
    r->suppressed = 0;
}

static int window_over(const struct ratelimit *r, uint64_t now)
{
    return r->used == 0 || now - r->window_start >= r->window_us;
}

int ratelimit_allow(struct ratelimit *r, uint64_t now)
{
    if (window_over(r, now) && r->suppressed == 0) {
        r->window_start = now;
        r->used = 0;
    }
    if (r->used < r->burst) {
        r->used++;
        return 1;
    }
    r->suppressed++;
    return 0;
}

uint64_t ratelimit_take_suppressed(struct ratelimit *r, uint64_t now)
{
    uint64_t n = r->suppressed;

    if (n == 0 || now - r->window_start < r->window_us)
        return 0;
    r->suppressed = 0;
    r->used = 0;
    r->window_start = now;
    return n;
}

int64_t ratelimit_due_in(const struct ratelimit *r, uint64_t now)
{
    uint64_t end = r->window_start + r->window_us;

    if (r->suppressed == 0)
        return -1;
    return now >= end ? 0 : (int64_t)(end - now);
}
