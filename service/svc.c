#include "svc.h"
#include "clock.h"
#include "diag.h"
#include "err.h"
#include "eventlog.h"
#include "paths.h"

#include <stdio.h>
#include <string.h>

void svc_describe_peer(const struct ipc_peer *who, char *buf, size_t n)
{
    if (who == NULL) {
        snprintf(buf, n, "the service manager");
        return;
    }
    ipc_peer_describe(who, 1, buf, n);
}

/* The log failed: say so once, and hold entries until it works again (or,
 * after a failed sync, retry the sync: those entries are in the file). */
static void enter_degraded(struct svc *s, int err)
{
    if (err == LOGSTORE_UNSYNCED)
        snprintf(s->degraded_error, sizeof(s->degraded_error),
                 "cannot sync %s: %s (entries are written but not known to be on disk)",
                 s->log.path, err_str(s->log.sync_error));
    else
        snprintf(s->degraded_error, sizeof(s->degraded_error), "cannot write %s: %s", s->log.path,
                 logstore_err_str(err));
    if (s->degraded)
        return;
    s->degraded = 1;
    s->degraded_since_us = clock_wall_us();
    s->lost_before = s->held.lost;
    if (err == LOGSTORE_UNSYNCED)
        diag(DIAG_ERROR, "%s; retrying the sync at least once a second", s->degraded_error);
    else
        diag(DIAG_ERROR, "%s; holding entries in memory (at most %d) until it can",
             s->degraded_error, HOLDQ_MAX_ITEMS);
    eventlog_report(EVENTLOG_DEGRADED, s->degraded_error);
}

static void append_entry(struct svc *s, struct log_entry *e, int durable);
static void record(struct svc *s, enum log_level level, const char *source, const char *msg,
                   const struct ipc_peer *who, int durable);

/* A rotation the log store could not do (a reader holds svcd.log without
 * sharing delete), and its end, each said once: a warning entry and a
 * diagnostic when it begins, a notice when a later rename works. The flag
 * is set before the entry is written, so writing it never reports again. */
static void check_rotation(struct svc *s)
{
    char msg[sizeof(s->log.rotate_blocked_why) + PATHS_MAX + 160], dur[64];

    if (s->log.rotate_blocked && !s->rotation_warned) {
        s->rotation_warned = 1;
        snprintf(msg, sizeof(msg),
                 "log rotation blocked: %s; %s grows past rotate_size until it can be renamed "
                 "(retried every second)",
                 s->log.rotate_blocked_why, s->log.path);
        diag(DIAG_WARN, "%s", msg);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
    } else if (!s->log.rotate_blocked && s->rotation_warned) {
        s->rotation_warned = 0;
        clock_format_duration((uint64_t)(clock_wall_us() - s->log.rotate_blocked_since_us), dur,
                              sizeof(dur));
        snprintf(msg, sizeof(msg),
                 "log rotation resumed after %s: " LOGSTORE_FILE " could be renamed again", dur);
        diag(DIAG_INFO, "%s", msg);
        record(s, LOG_NOTICE, "service", msg, NULL, 1);
    }
}

/* Writes held entries, oldest first, until one fails, then syncs them and
 * whatever else a failed sync left owed. Once all are out and synced, the
 * recovery itself is logged with what it cost. */
static void flush_held(struct svc *s)
{
    struct log_entry *e;
    char msg[PATHS_MAX + 256], dur[64];
    int rc;

    while ((e = holdq_front(&s->held)) != NULL) {
        rc = logstore_append(&s->log, e, 0, clock_mono_us());
        if (rc < 0) {
            s->write_errors++;
            enter_degraded(s, rc);
            return;
        }
        holdq_pop(&s->held);
        s->held_written++;
        check_rotation(s);
    }
    if (logstore_sync(&s->log, clock_mono_us()) < 0) {
        s->write_errors++;
        enter_degraded(s, LOGSTORE_UNSYNCED);
        return;
    }
    if (!s->degraded)
        return;
    s->degraded = 0;
    clock_format_duration((uint64_t)(clock_wall_us() - s->degraded_since_us), dur, sizeof(dur));
    snprintf(msg, sizeof(msg),
             "log writable again after %s (%s); %llu entries held in memory were written, %llu "
             "lost",
             dur, s->degraded_error, (unsigned long long)s->held_written,
             (unsigned long long)(s->held.lost - s->lost_before));
    diag(DIAG_INFO, "%s", msg);
    eventlog_report(EVENTLOG_RECOVERED, msg);
    s->held_written = 0;
    struct log_entry rec;
    memset(&rec, 0, sizeof(rec));
    rec.level = LOG_WARNING;
    snprintf(rec.source, sizeof(rec.source), "service");
    rec.msg = msg;
    rec.msg_len = strlen(msg);
    rec.uid = rec.pid = -1;
    append_entry(s, &rec, 1);
}

/* Writes an entry, or holds it when the log could not write it (or others
 * wait before it): never fatal, never out of order, never twice. An entry
 * written whose sync failed is not held: the sync is what is retried. */
static void append_entry(struct svc *s, struct log_entry *e, int durable)
{
    int rc;

    if (durable && s->grouping) {
        s->group_owed = 1; /* synced by svc_group_commit, before any reply leaves */
        durable = 0;
    }
    if (e->time_us == 0)
        e->time_us = clock_wall_us();
    if (s->held.n == 0) {
        rc = logstore_append(&s->log, e, durable, clock_mono_us());
        if (rc >= 0)
            check_rotation(s);
        if (rc == 0)
            return;
        s->write_errors++;
        enter_degraded(s, rc);
        if (rc == LOGSTORE_UNSYNCED)
            return; /* in the file: only its sync is retried */
    }
    holdq_push(&s->held, e);
}

/* A peer's name always fits the entry's user field whole. */
_Static_assert(LOG_USER_MAX >= IPC_NAME_MAX, "LOG_USER_MAX must hold any IPC_NAME_MAX name");

/* Writes one entry from its parts. */
static void record(struct svc *s, enum log_level level, const char *source, const char *msg,
                   const struct ipc_peer *who, int durable)
{
    struct log_entry e;

    memset(&e, 0, sizeof(e));
    e.level = level;
    snprintf(e.source, sizeof(e.source), "%s", source);
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    if (who) {
        snprintf(e.user, sizeof(e.user), "%s", who->name);
        e.uid = who->uid;
        e.pid = who->pid;
    }
    append_entry(s, &e, durable);
}

/* Reports, once its window has ended, how many entries a limiter held
 * back: `what` names them, `source` is where they would have gone. */
static void report_limited(struct svc *s, struct ratelimit *rl, const char *source,
                           const char *what, uint64_t now)
{
    uint64_t n = ratelimit_take_suppressed(rl, now);
    char msg[200];

    if (n == 0)
        return;
    snprintf(msg, sizeof(msg), "suppressed %llu %s (more than %u in %llu s)", (unsigned long long)n,
             what, rl->burst, (unsigned long long)(rl->window_us / CLOCK_US_PER_SEC));
    record(s, LOG_WARNING, source, msg, NULL, 1);
}

static void report_suppressed(struct svc *s, uint64_t now)
{
    report_limited(s, &s->denied_audit, "audit", "audit entries of denied requests", now);
    report_limited(s, &s->noop_audit, "audit",
                   "audit entries of granted controls that changed nothing", now);
    report_limited(s, &s->notes, "service", "warnings about clients", now);
}

/* Writes one audit entry, unless `limit` (may be NULL) holds it back. */
static void audit(struct svc *s, struct ratelimit *limit, const struct ipc_peer *who,
                  const char *request, int granted, const char *detail)
{
    char by[WORKER_WHO_MAX], msg[WORKER_WHO_MAX + 256];
    uint64_t now = clock_mono_us();

    report_suppressed(s, now);
    if (limit && !ratelimit_allow(limit, now))
        return;
    svc_describe_peer(who, by, sizeof(by));
    snprintf(msg, sizeof(msg), "%s by %s: %s%s%s", request, by, granted ? "granted" : "denied",
             detail ? ", " : "", detail ? detail : "");
    record(s, granted ? LOG_NOTICE : LOG_WARNING, "audit", msg, who, 1);
    if (!granted)
        eventlog_report(EVENTLOG_DENIED, msg);
}

void svc_audit(struct svc *s, const struct ipc_peer *who, const char *request, int granted,
               const char *detail)
{
    audit(s, granted ? NULL : &s->denied_audit, who, request, granted, detail);
}

void svc_audit_noop(struct svc *s, const struct ipc_peer *who, const char *request,
                    const char *detail)
{
    audit(s, &s->noop_audit, who, request, 1, detail);
}

void svc_group_begin(struct svc *s)
{
    s->grouping = 1;
}

void svc_group_commit(struct svc *s)
{
    s->grouping = 0;
    if (!s->group_owed)
        return;
    s->group_owed = 0;
    /* Synced even when later entries of the group were held in memory (a
     * write failed): those written before them are acknowledged by this
     * round's replies. */
    s->group_syncs++;
    if (logstore_sync(&s->log, clock_mono_us()) < 0) {
        s->write_errors++;
        enter_degraded(s, LOGSTORE_UNSYNCED); /* retried as a sync by flush_held */
    }
}

/* log_host and log_group. The host name is read once: entries of one run
 * all carry the same one. A group the files cannot be given to is a
 * warning, never a reason not to log (authz_open checked it exists). */
static void apply_log_options(struct svc *s, const struct config *cfg)
{
    char host[LOG_HOST_MAX], msg[CONFIG_NAME_MAX + PATHS_MAX + 96];
    long gid;
    int rc;

    if (cfg->log_host) {
        rc = paths_hostname(host, sizeof(host));
        if (rc == 0)
            logstore_set_host(&s->log, host);
        else
            diag(DIAG_WARN, "log_host: cannot read the host name: %s", err_str(rc));
    }
    if (cfg->log_group[0] && fs_group_id(cfg->log_group, &gid) == 0) {
        rc = logstore_set_group(&s->log, gid);
        if (rc < 0) {
            snprintf(msg, sizeof(msg),
                     "log_group: cannot make the log in %s readable by group "
                     "'%s': %s",
                     cfg->state_dir, cfg->log_group, err_str(rc));
            diag(DIAG_WARN, "%s", msg);
            record(s, LOG_WARNING, "service", msg, NULL, 1);
        }
    }
}

int svc_start(struct svc *s, const struct config *cfg, int system_mode)
{
    char msg[2 * PATHS_MAX + 128], iv[32];
    int rc;

    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->pid = paths_pid();
    s->started_wall_us = clock_wall_us();
    s->started_mono = clock_mono_us();
    s->config_loaded_us = s->started_wall_us;
    worker_init(&s->worker, cfg->interval_us);
    holdq_init(&s->held, HOLDQ_MAX_ITEMS, HOLDQ_MAX_BYTES);
    ratelimit_init(&s->denied_audit, SVC_AUDIT_WINDOW_US, SVC_AUDIT_BURST);
    ratelimit_init(&s->notes, SVC_AUDIT_WINDOW_US, SVC_AUDIT_BURST);
    ratelimit_init(&s->noop_audit, SVC_AUDIT_WINDOW_US, SVC_AUDIT_BURST);
    /* Before the log is opened: its recovery may cut or rename files. */
    s->system_mode = system_mode;
    rc = statelock_take(&s->lock, cfg->state_dir, system_mode, s->pid, cfg->endpoint);
    if (rc < 0)
        return rc;
    if (s->lock.write_error)
        diag(DIAG_WARN, "cannot write the pid and endpoint into %s: %s (the lock is held)",
             s->lock.path, err_str(s->lock.write_error));
    rc = logstore_open(&s->log, cfg->state_dir, system_mode);
    if (rc < 0) {
        statelock_release(&s->lock);
        return rc;
    }
    logstore_set_rotation(&s->log, cfg->rotate_size, cfg->rotate_keep, cfg->rotate_max_age_us);
    apply_log_options(s, cfg);
    logstore_set_min_age(&s->log, cfg->rotate_min_age_us);
    if (s->log.moved_to[0]) {
        snprintf(msg, sizeof(msg), "recovered log: no readable entry at its end; kept it as %s",
                 s->log.moved_to);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
    } else if (s->log.torn_bytes) {
        snprintf(msg, sizeof(msg),
                 "recovered log: %llu bytes of a torn or garbage tail after entry #%llu were left "
                 "in place as a line readers skip (nothing is cut); the log continues in a new "
                 "file",
                 (unsigned long long)s->log.torn_bytes, (unsigned long long)s->log.last_seq);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
    }
    clock_format_duration(cfg->interval_us, iv, sizeof(iv));
    snprintf(msg, sizeof(msg), "started (pid %ld, interval %s, endpoint %s)", s->pid, iv,
             cfg->endpoint);
    record(s, LOG_NOTICE, "service", msg, NULL, 1);
    eventlog_report(EVENTLOG_STARTED, msg);
    worker_start(&s->worker, clock_mono_us());
    return 0;
}

/* How often the log's path is compared with its open file: once per flush
 * window, and at least once a second. */
static uint64_t path_check_period(const struct svc *s)
{
    uint64_t w = s->cfg.flush_window_us;

    return w && w < CLOCK_US_PER_SEC ? w : CLOCK_US_PER_SEC;
}

/* svcd.log deleted, renamed or replaced under us: the store began a new
 * file; say so in it, so nobody reads an empty log and wonders. A new file
 * that cannot be made degrades the status until it can. */
/* The state directory was removed and made again under us: svcd.lock went
 * with it, and our lock is on a file nobody else sees, so a second svcd
 * could start. Takes the lock of the new directory; when another svcd got
 * there first, says so loudly (two writers of one log). */
static void check_state_lock(struct svc *s)
{
    char msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX + 200];
    int64_t t;
    int rc;

    if (fs_mtime(s->lock.path, &t) != ERR_NOENT)
        return;
    statelock_release(&s->lock);
    rc = statelock_take(&s->lock, s->cfg.state_dir, s->system_mode, s->pid, s->cfg.endpoint);
    if (rc == 0) {
        snprintf(msg, sizeof(msg), "%s was removed with the state directory; taken again",
                 s->lock.path);
        diag(DIAG_WARN, "%s", msg);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
        return;
    }
    statelock_explain(&s->lock, s->cfg.state_dir, rc, msg, sizeof(msg));
    diag(DIAG_ERROR,
         "the state directory was removed and made again, and its lock cannot be "
         "taken again: %s",
         msg);
    record(s, LOG_ERROR, "service", msg, NULL, 1);
}

static void check_log_path(struct svc *s, uint64_t now)
{
    char msg[sizeof(s->log.path_why) + 128];

    /* An append may have made the directory again before any check saw
     * it go: the lock is looked at on its own, as often as the path. */
    if (now >= s->lock_check_mono) {
        s->lock_check_mono = now + path_check_period(s);
        check_state_lock(s);
    }
    int was_open = s->log.f != NULL, rc = logstore_check_path(&s->log, now, path_check_period(s));

    if (logfiles_skipped_note(msg, sizeof(msg))) { /* a planted link: said once */
        diag(DIAG_WARN, "%s", msg);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
    }

    if (rc == 1) {
        diag(DIAG_WARN, "%s", s->log.path_why);
        record(s, LOG_WARNING, "service", s->log.path_why, NULL, 1);
    } else if (rc < 0 && was_open) { /* said once; held until a file can take it */
        snprintf(msg, sizeof(msg), "%s; cannot start a new one: %s (retried every second)",
                 s->log.path_why, logstore_err_str(rc));
        diag(DIAG_ERROR, "%s", msg);
        record(s, LOG_WARNING, "service", msg, NULL, 1);
    }
}

/* The earlier of two waits in microseconds, where -1 is "nothing due". */
static int64_t sooner(int64_t wait, int64_t due)
{
    return due >= 0 && (wait < 0 || due < wait) ? due : wait;
}

int svc_tick(struct svc *s)
{
    uint64_t now = clock_mono_us();
    int64_t wait;

    check_log_path(s, now);
    if (s->degraded)
        flush_held(s); /* retried every round, at least once a second */
    report_suppressed(s, now);
    if (worker_due(&s->worker, now)) {
        struct sbuf text;
        sbuf_init(&text, CONFIG_TEXT_MAX * 8);
        worker_beat(&s->worker, now);
        worker_heartbeat_text(s->cfg.heartbeat_message, s->worker.beats, &text);
        record(s, LOG_INFO, "worker", sbuf_str(&text), NULL, 0);
        sbuf_free(&text);
    }
    /* While degraded, flush_held above is what syncs (once a round). */
    if (!s->degraded && logstore_sync_due(&s->log, now, s->cfg.flush_window_us) < 0) {
        s->write_errors++;
        enter_degraded(s, LOGSTORE_UNSYNCED); /* retried as a sync by flush_held */
    }
    now = clock_mono_us();
    wait = worker_wait_us(&s->worker, now);
    if (s->log.dirty)
        wait = sooner(wait, (int64_t)s->cfg.flush_window_us);
    if (s->log.last_seq != s->log.checked_seq) /* entries not yet known to be in svcd.log */
        wait = sooner(wait,
                      s->log.path_check_mono > now ? (int64_t)(s->log.path_check_mono - now) : 0);
    if (s->degraded)
        wait = sooner(wait, 1000000);
    wait = sooner(wait, ratelimit_due_in(&s->denied_audit, now));
    wait = sooner(wait, ratelimit_due_in(&s->notes, now));
    wait = sooner(wait, ratelimit_due_in(&s->noop_audit, now));
    return wait < 0 ? -1 : (int)((wait + 999) / 1000);
}

int svc_pause(struct svc *s, const struct ipc_peer *who, char *msg, size_t msglen)
{
    char by[WORKER_WHO_MAX], line[WORKER_WHO_MAX + 32];
    int rc;

    svc_describe_peer(who, by, sizeof(by));
    rc = worker_pause(&s->worker, clock_wall_us(), by);
    if (rc == 1) {
        memset(&s->paused_peer, 0, sizeof(s->paused_peer));
        if (who) {
            s->paused_peer = *who;
            s->paused_peer.token = NULL; /* the connection owns it */
        }
        s->paused_by_manager = who == NULL;
        snprintf(line, sizeof(line), "paused by %s", by);
        record(s, LOG_NOTICE, who ? "client" : "service", line, who, 1);
        eventlog_report(EVENTLOG_PAUSED, line);
        snprintf(msg, msglen, "paused: heartbeats stop until resumed");
    } else if (rc == 0) {
        snprintf(msg, msglen, "already paused (by %s)", s->worker.paused_by);
    } else {
        snprintf(msg, msglen, "cannot pause: the service is stopping");
    }
    return rc;
}

int svc_resume(struct svc *s, const struct ipc_peer *who, char *msg, size_t msglen)
{
    char by[WORKER_WHO_MAX], line[WORKER_WHO_MAX + 32];
    int rc;

    svc_describe_peer(who, by, sizeof(by));
    rc = worker_resume(&s->worker, clock_mono_us());
    if (rc == 1) {
        snprintf(line, sizeof(line), "resumed by %s", by);
        record(s, LOG_NOTICE, who ? "client" : "service", line, who, 1);
        eventlog_report(EVENTLOG_RESUMED, line);
        snprintf(msg, msglen, "resumed: heartbeats continue");
    } else if (rc == 0) {
        snprintf(msg, msglen, "already running (not paused)");
    } else {
        snprintf(msg, msglen, "cannot resume: the service is stopping");
    }
    return rc;
}

int svc_note(struct svc *s, const char *msg)
{
    uint64_t now = clock_mono_us();

    report_suppressed(s, now);
    if (!ratelimit_allow(&s->notes, now))
        return 0;
    record(s, LOG_WARNING, "service", msg, NULL, 0);
    return 1;
}

void svc_reload(struct svc *s, const struct config *next, const struct config_diff *d)
{
    char applied[CONFIG_DIFF_MAX + 256], refused[CONFIG_DIFF_MAX + 256];
    uint64_t now = clock_mono_us();

    if (next->interval_us != s->cfg.interval_us)
        worker_set_interval(&s->worker, next->interval_us, now);
    s->cfg = *next;
    s->config_loaded_us = clock_wall_us();
    logstore_set_rotation(&s->log, next->rotate_size, next->rotate_keep, next->rotate_max_age_us);
    logstore_set_min_age(&s->log, next->rotate_min_age_us);
    config_diff_messages(d, applied, sizeof(applied), refused, sizeof(refused));
    diag(DIAG_INFO, "%s", applied);
    record(s, LOG_NOTICE, "service", applied, NULL, 1);
    if (refused[0]) {
        diag(DIAG_WARN, "%s", refused);
        record(s, LOG_WARNING, "service", refused, NULL, 1);
        eventlog_report(EVENTLOG_WARNING, refused);
    }
}

void svc_reload_failed(struct svc *s, const char *why)
{
    char msg[CONFIG_ERR_MAX + PATHS_MAX + 96];

    snprintf(msg, sizeof(msg), "config not reloaded, nothing changed: %s", why);
    diag(DIAG_ERROR, "%s", msg);
    record(s, LOG_ERROR, "service", msg, NULL, 1);
    eventlog_report(EVENTLOG_WARNING, msg);
}

void svc_begin_stop(struct svc *s, const char *why)
{
    char msg[256];

    if (s->worker.state == WORKER_STOPPING)
        return;
    worker_stop(&s->worker);
    snprintf(msg, sizeof(msg), "stopping (%s)", why);
    record(s, LOG_NOTICE, "service", msg, NULL, 1);
    eventlog_report(EVENTLOG_STOPPING, msg);
}

void svc_finish(struct svc *s)
{
    char msg[128], up[64];

    clock_format_duration(clock_mono_us() - s->started_mono, up, sizeof(up));
    snprintf(msg, sizeof(msg), "stopped after %s, %llu heartbeats", up,
             (unsigned long long)s->worker.beats);
    record(s, LOG_NOTICE, "service", msg, NULL, 1);
    eventlog_report(EVENTLOG_STOPPED, msg);
    flush_held(s);
    if (s->held.n)
        diag(DIAG_ERROR, "stopping with %llu entries that could not be written: %s",
             (unsigned long long)s->held.n, s->degraded_error);
    holdq_free(&s->held);
    logstore_close(&s->log);
    statelock_release(&s->lock);
}
