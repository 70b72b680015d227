/* The logging worker's state machine: running or paused, and when the next
 * heartbeat is due. Pure: the caller passes the clocks in and writes the
 * entries, so every transition is tested without time passing.
 *
 * Both svcclient pause/resume and (on Windows) SCM pause/continue drive this
 * one machine. */
#ifndef SVCD_WORKER_H
#define SVCD_WORKER_H

#include <stdint.h>

#include "sbuf.h"

/* Same numbers as svcd.ServiceState in the protocol. */
enum worker_state {
    WORKER_STARTING = 1,
    WORKER_RUNNING = 2,
    WORKER_PAUSED = 3,
    WORKER_STOPPING = 4,
};

#define WORKER_WHO_MAX 160

struct worker {
    enum worker_state state;
    uint64_t interval_us;
    uint64_t next_due;       /* monotonic; meaningful while running */
    uint64_t beats;          /* heartbeats written since start */
    int64_t paused_since_us; /* wall clock, 0 unless paused */
    char paused_by[WORKER_WHO_MAX];
};

void worker_init(struct worker *w, uint64_t interval_us);

/* STARTING -> RUNNING; the first heartbeat is due at once. */
void worker_start(struct worker *w, uint64_t now_mono);

/* Returns 1 when it paused, 0 when it already was paused, ERR_INVAL when it is
 * not running (starting or stopping). `who` says who asked. */
int worker_pause(struct worker *w, int64_t now_wall, const char *who);

/* Returns 1 when it resumed, 0 when it was not paused (already running),
 * ERR_INVAL when stopping. The next heartbeat is one interval later. */
int worker_resume(struct worker *w, uint64_t now_mono);

/* Enters STOPPING; no more heartbeats. */
void worker_stop(struct worker *w);

/* A new interval from a reload: the next heartbeat is the new interval
 * after the last one (at once when that time has passed). */
void worker_set_interval(struct worker *w, uint64_t interval_us, uint64_t now_mono);

/* True when a heartbeat is due now. */
int worker_due(const struct worker *w, uint64_t now_mono);

/* Records a heartbeat and schedules the next. After a long stall (a suspended
 * machine) it does not burst to catch up: the next one is one interval on. */
void worker_beat(struct worker *w, uint64_t now_mono);

/* Microseconds until the next heartbeat, 0 when due, -1 when none is pending
 * (paused or stopping). */
int64_t worker_wait_us(const struct worker *w, uint64_t now_mono);

/* Renders a heartbeat message: every "{n}" in `tmpl` becomes the beat count. */
int worker_heartbeat_text(const char *tmpl, uint64_t n, struct sbuf *out);

#endif
