#include "worker.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

void worker_init(struct worker *w, uint64_t interval_us)
{
    memset(w, 0, sizeof(*w));
    w->state = WORKER_STARTING;
    w->interval_us = interval_us;
}

void worker_start(struct worker *w, uint64_t now_mono)
{
    w->state = WORKER_RUNNING;
    w->next_due = now_mono;
}

int worker_pause(struct worker *w, int64_t now_wall, const char *who)
{
    if (w->state == WORKER_PAUSED)
        return 0;
    if (w->state != WORKER_RUNNING)
        return ERR_INVAL;
    w->state = WORKER_PAUSED;
    w->paused_since_us = now_wall;
    snprintf(w->paused_by, sizeof(w->paused_by), "%s", who ? who : "");
    return 1;
}

int worker_resume(struct worker *w, uint64_t now_mono)
{
    if (w->state == WORKER_RUNNING)
        return 0;
    if (w->state != WORKER_PAUSED)
        return ERR_INVAL;
    w->state = WORKER_RUNNING;
    w->paused_since_us = 0;
    w->paused_by[0] = '\0';
    w->next_due = now_mono + w->interval_us;
    return 1;
}

void worker_stop(struct worker *w)
{
    w->state = WORKER_STOPPING;
}

void worker_set_interval(struct worker *w, uint64_t interval_us, uint64_t now_mono)
{
    /* next_due is one old interval after the last heartbeat (or the start) */
    uint64_t last = w->next_due >= w->interval_us ? w->next_due - w->interval_us : 0;

    w->interval_us = interval_us;
    if (w->state != WORKER_RUNNING)
        return; /* worker_start and worker_resume set the next one */
    w->next_due = last + interval_us < now_mono ? now_mono : last + interval_us;
}

int worker_due(const struct worker *w, uint64_t now_mono)
{
    return w->state == WORKER_RUNNING && now_mono >= w->next_due;
}

void worker_beat(struct worker *w, uint64_t now_mono)
{
    w->beats++;
    w->next_due += w->interval_us;
    if (w->next_due <= now_mono)
        w->next_due = now_mono + w->interval_us;
}

int64_t worker_wait_us(const struct worker *w, uint64_t now_mono)
{
    if (w->state != WORKER_RUNNING)
        return -1;
    return now_mono >= w->next_due ? 0 : (int64_t)(w->next_due - now_mono);
}

int worker_heartbeat_text(const char *tmpl, uint64_t n, struct sbuf *out)
{
    const char *p = tmpl;
    const char *hit;

    while ((hit = strstr(p, "{n}")) != NULL) {
        sbuf_add(out, p, (size_t)(hit - p));
        sbuf_printf(out, "%llu", (unsigned long long)n);
        p = hit + 3;
    }
    return sbuf_adds(out, p);
}
