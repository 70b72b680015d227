/* The running service: configuration, worker state and log, and the
 * lifecycle operations that every front end (console, SCM, clients) shares.
 * Each state change is written to the log before it is reported. */
#ifndef SVCD_SVC_H
#define SVCD_SVC_H

#include <stdint.h>

#include "config.h"
#include "holdq.h"
#include "ipc.h"
#include "logstore.h"
#include "ratelimit.h"
#include "statelock.h"
#include "worker.h"

struct svc {
    struct config cfg;
    struct worker worker;
    struct logstore log;
    struct statelock lock;    /* one writer per state directory: held from start to finish */
    int system_mode;          /* as started: the lock is taken again the same way */
    uint64_t lock_check_mono; /* when check_state_lock looks next */
    long pid;
    int64_t started_wall_us;
    uint64_t started_mono;
    uint64_t write_errors; /* failed writes (each is retried from memory) */
    struct holdq held;     /* entries waiting for the log to be writable */
    int degraded;          /* the last write failed */
    int64_t degraded_since_us;
    char degraded_error[PATHS_MAX + 64];
    uint64_t held_written;         /* entries written late in this episode */
    uint64_t lost_before;          /* held.lost when this episode began */
    struct ratelimit denied_audit; /* denied requests' audit entries */
    struct ratelimit notes;        /* svc_note: warnings a client can cause */
    struct ratelimit noop_audit;   /* granted controls that changed nothing */
    int grouping;                  /* svc_group_begin: durable entries wait for the commit */
    int group_owed;                /* a durable entry was written since the group began */
    uint64_t group_syncs;          /* group commits that synced (for tests and status) */
    int rotation_warned;           /* the blocked rotation was logged (once per episode) */
    int64_t config_loaded_us;      /* wall time the running configuration was read */
    /* Who paused, while paused, for status to report as parts (user, uid
     * or SID, pid); its token is never kept. paused_by_manager: the
     * service manager did (SCM pause), and paused_peer is empty. */
    struct ipc_peer paused_peer;
    int paused_by_manager;
};

/* At most this many denied requests are audited per window; the rest are
 * counted in one "suppressed" entry when the window ends. */
#define SVC_AUDIT_BURST     20
#define SVC_AUDIT_WINDOW_US (10ull * 1000000ull)

/* Takes the state directory's lock (statelock.h), opens the log (with the
 * service ACL in system mode), writes the "started" entry and starts the
 * worker. Returns 0, or the error from the lock (s->lock says why:
 * statelock_explain; nothing was written) or from opening the log (the
 * caller reports it and exits). */
int svc_start(struct svc *s, const struct config *cfg, int system_mode);

/* Writes heartbeats that are due and syncs the log when its window passed.
 * Returns the milliseconds until the next thing to do, or -1 for none. */
int svc_tick(struct svc *s);

/* Pause/resume on behalf of `who` (NULL: the service host itself, e.g. the
 * SCM). Returns 1 changed, 0 already in that state, ERR_INVAL when stopping.
 * `msg` receives one human line describing the outcome. */
int svc_pause(struct svc *s, const struct ipc_peer *who, char *msg, size_t msglen);
int svc_resume(struct svc *s, const struct ipc_peer *who, char *msg, size_t msglen);

/* Writes an audit entry (source "audit", durably, before the caller
 * replies) saying that `who` asked for `request` ("pause", "status") and
 * whether it was granted; `detail` (may be NULL) says why not. Denied
 * requests are rate-limited (SVC_AUDIT_BURST per SVC_AUDIT_WINDOW_US). */
void svc_audit(struct svc *s, const struct ipc_peer *who, const char *request, int granted,
               const char *detail);

/* Group commit. Between svc_group_begin and svc_group_commit, entries that
 * must be durable (audit, state changes) are written but not synced one by
 * one; svc_group_commit syncs them all at once. The caller must not let a
 * reply that depends on such an entry reach its client before the commit
 * (the server holds the output of one loop round until then). A failed
 * sync degrades the service exactly as a failed durable append does, and
 * is retried as a sync. Outside a group every durable entry is synced as it
 * is written. */
void svc_group_begin(struct svc *s);
void svc_group_commit(struct svc *s);

/* Like svc_audit for a granted control that changed nothing (a pause while
 * already paused): durable, but rate-limited like denials, so a client
 * repeating it cannot flood the log or make every request cost a sync. */
void svc_audit_noop(struct svc *s, const struct ipc_peer *who, const char *request,
                    const char *detail);

/* Writes a warning from the service about something it did on its own
 * (e.g. cutting off a client), not synced at once. Clients can cause these,
 * so they are rate-limited like denials (SVC_AUDIT_BURST per window).
 * Returns 1 when written, 0 when the limit held it back (so a caller that
 * also reports it elsewhere, e.g. to the event log, stays within it too). */
int svc_note(struct svc *s, const char *msg);

/* Takes a reloaded configuration: `next` is the running one with the live
 * keys changed (config_diff, which filled *d). Applies each at once (the
 * heartbeat interval and text, the flush window, rotation and retention,
 * (the caller sets the event log classes); limits and timeouts are read from s->cfg where
 * they are used) and writes one "config reloaded: ..." entry, then a
 * warning naming the refused keys when there are any (both durable). */
void svc_reload(struct svc *s, const struct config *next, const struct config_diff *d);

/* A reload that changed nothing because the configuration is unusable:
 * writes an error entry with `why` (the loader's text: file, line, reason). */
void svc_reload_failed(struct svc *s, const char *why);

/* Writes the "stopping" entry (durably) and enters STOPPING. */
void svc_begin_stop(struct svc *s, const char *why);

/* Writes the final "stopped" entry, closes the log and drops the lock. */
void svc_finish(struct svc *s);

/* Describes a peer for log entries and status: "alice (uid 1000, pid 42)". */
void svc_describe_peer(const struct ipc_peer *who, char *buf, size_t n);

#endif
