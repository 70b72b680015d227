#include "server.h"
#include "diag.h"
#include "dispatch.h"
#include "clock.h"
#include "err.h"
#include "eventlog.h"
#include "frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stop producing stream frames while this much output is still queued: the
 * client reads at its own pace and the service's memory stays bounded. */
#define PUMP_HIGH_WATER (512u * 1024u)
#define STASH_MAX       (128u * 1024u)
/* Requests answered per connection per loop round: a client that pipelines
 * thousands waits its turn with everyone else (the rest is held and taken
 * up in the next rounds). */
#define FRAMES_PER_ROUND 64u
/* Connections refused (over a limit) that are kept, per user, until their
 * first request, so the client hears why; beyond these, the next ones are
 * closed at once, so a refused user cannot hold descriptors either. */
#define REFUSED_PER_USER 4u
/* A request whose caller's name and groups the user database is still
 * being asked for (ipc_conn_peer_update) is held this long at most, off
 * the loop, then answered with what is known (authz_known: "try again"
 * when it needs groups nobody told). */
#define PARK_MAX_US 2000000ull

enum refusal { REFUSE_NONE, REFUSE_USER, REFUSE_TOTAL };

struct session {
    struct frame_reader fr;
    struct query *stream;
    uint8_t *stash; /* bytes that arrived while a stream was being answered */
    size_t stash_len;
    int closing;
    int waiting; /* a followed stream has sent all there is */
    int yielded; /* a long scan paused; pump again next round */
    ipc_conn *conn;
    struct session *next_stream;  /* in server.streams while a stream is open */
    struct session *next_session; /* in server.sessions */
    int accounted;                /* counted against its user (at accept; Windows: first read) */
    int admitted;                 /* counted, and within the limits: served */
    enum refusal refused;         /* counted, over a limit: refused at its first request */
    uint64_t refused_open;        /* how many its user had open when it was refused */
    int requested;                /* a whole request arrived */
    int backlogged;               /* requests held past FRAMES_PER_ROUND, for the next round */
    uint64_t round;               /* the round round_frames counts in */
    unsigned round_frames;        /* requests answered in that round */
    uint64_t last_us;             /* accepted, or the last request arrived (monotonic) */
    uint64_t partial_us;          /* the first byte of an unfinished frame arrived; 0: none */
    uint64_t stall_us;            /* output queued and untaken since; 0: none queued */
    uint64_t stall_sent;          /* ipc_conn_sent when output last moved */
    uint8_t *parked;              /* a request held for its caller's groups (PARK_MAX_US) */
    uint32_t parked_len;
    uint64_t parked_until;
    int waited; /* was parked once: never again (one wait per connection) */
};

static void consume(struct server *sv, ipc_conn *c, struct session *ss, const uint8_t *data,
                    size_t n);
static void unlink_stream(struct server *sv, struct session *ss);
static void on_round_end(void *ctx);
static int hold_output(void *ctx);

static void send_frame(ipc_conn *c, struct session *ss, uint8_t *frame, size_t len)
{
    if (ipc_conn_send(c, frame, len) < 0) {
        ss->closing = 1;
        ipc_conn_close(c, 0);
    }
    free(frame);
}

/* Ends a connection with a last frame (NULL: none could be built): it is
 * sent, then the connection closes once the peer has it. */
static void close_with(ipc_conn *c, struct session *ss, uint8_t *frame, size_t len)
{
    ss->closing = 1;
    if (frame && ipc_conn_send(c, frame, len) == 0) {
        free(frame);
        ipc_conn_close(c, 1);
        return;
    }
    free(frame);
    ipc_conn_close(c, 0);
}

/* An error reply to end a connection with. */
static uint8_t *error_frame(Svcd__Result result, const char *msg, size_t *len)
{
    uint8_t *frame;
    return dispatch_error_frame(0, result, msg, &frame, len) == 0 ? frame : NULL;
}

/* Answers the requests held in the stash, as far as consume goes (it may
 * hold the rest again). */
static void take_stash(struct server *sv, ipc_conn *c, struct session *ss)
{
    uint8_t *held = ss->stash;
    size_t held_len = ss->stash_len;

    ss->stash = NULL;
    ss->stash_len = 0;
    consume(sv, c, ss, held, held_len);
    free(held);
}

/* Sends the next frames of the active stream until the queue is full, the
 * stream ends, or the turn's budget (LOGREAD_SLICE_US) is spent: a client
 * that reads a huge tail as fast as it comes would otherwise keep the loop
 * encoding chunks for as long as the socket takes them. Then resumes
 * reading requests. */
static void pump(struct server *sv, ipc_conn *c, struct session *ss)
{
    uint64_t start = clock_mono_us();
    unsigned frames = 0;

    while (ss->stream && !ss->closing && ipc_conn_pending(c) < PUMP_HIGH_WATER) {
        uint8_t *frame;
        size_t len;
        int rc;

        if (frames++ > 0 && clock_mono_us() - start >= LOGREAD_SLICE_US) {
            ss->yielded = 1; /* as a paused scan: one goes on per turn */
            return;
        }
        rc = query_next(ss->stream, &frame, &len);
        if (rc < 0) {
            diag(DIAG_WARN, "log stream failed: %s", err_str(rc));
            ss->closing = 1;
            ipc_conn_close(c, 1);
            return;
        }
        if (rc == QUERY_YIELD) {
            ss->yielded = 1; /* others first; server_run_once comes back */
            return;
        }
        if (rc == QUERY_WAITING) {
            /* Caught up: read again to notice the client leaving; the next
             * entry written wakes this stream (pump_streams). */
            ss->waiting = 1;
            ipc_conn_set_reading(c, 1);
            return;
        }
        send_frame(c, ss, frame, len);
        if (rc == 0) {
            query_free(ss->stream);
            ss->stream = NULL;
            ss->last_us = clock_mono_us(); /* idle from the end of its reply */
            unlink_stream(sv, ss);
        }
    }
    /* Requests held behind the stream are answered by take_backlog at a
     * round's end, inside its group commit: pump also runs outside rounds
     * (pump_streams, on_drain), where each state change would be synced on
     * its own, and a yielding query before many controls would be a way
     * back to a sync per entry. */
    if (ss->stream == NULL && !ss->closing && ss->stash_len > 0)
        ss->backlogged = 1;
    if (ss->stream == NULL && !ss->closing && ss->stash_len == 0 && ss->parked == NULL)
        ipc_conn_set_reading(c, 1);
}

/* Who a connection belongs to, for per-user limits: the SID on Windows, the
 * uid on POSIX. */
static void peer_key(const struct ipc_peer *p, char *buf, size_t n)
{
    if (p->sid[0])
        snprintf(buf, n, "%s", p->sid);
    else
        snprintf(buf, n, "uid %ld", p->uid);
}

/* Refuses a request with a "busy" reply and closes the connection. */
static void refuse_busy(ipc_conn *c, struct session *ss, const char *msg)
{
    size_t len = 0;
    uint8_t *frame = error_frame(SVCD__RESULT__RESULT_BUSY, msg, &len);

    close_with(c, ss, frame, len);
}

/* Sends a refused session its "busy" reply, naming the limit, and closes
 * it. */
static void refuse(struct server *sv, ipc_conn *c, struct session *ss)
{
    char msg[WORKER_WHO_MAX + 160], who[WORKER_WHO_MAX];
    const struct config *cfg = &sv->svc->cfg;

    if (ss->refused == REFUSE_TOTAL) {
        snprintf(msg, sizeof(msg),
                 "svcd is busy: %llu connections are open (max_connections); try again shortly",
                 (unsigned long long)cfg->max_connections);
    } else {
        svc_describe_peer(ipc_conn_peer(c), who, sizeof(who));
        snprintf(msg, sizeof(msg),
                 "too many connections from %s: %llu are open, the limit is %llu "
                 "(max_connections_per_user); close some and try again",
                 who, (unsigned long long)ss->refused_open,
                 (unsigned long long)cfg->max_connections_per_user);
    }
    refuse_busy(c, ss, msg);
}

/* What other sessions hold: the admitted connections of the user with key
 * `key`, its refused ones still waiting for their first request, and the
 * connections of everyone (admitted or refused: each holds a descriptor). */
static void count_open(const struct server *sv, const struct session *ss, const char *key,
                       uint64_t *user, uint64_t *user_refused, uint64_t *total)
{
    char other[IPC_SID_MAX];

    *user = *user_refused = *total = 0;
    for (const struct session *o = sv->sessions; o; o = o->next_session) {
        if (o == ss || !o->accounted || o->closing)
            continue;
        *total += 1;
        peer_key(ipc_conn_peer(o->conn), other, sizeof(other));
        if (strcmp(key, other) != 0)
            continue;
        *user += o->admitted;
        *user_refused += o->refused != REFUSE_NONE;
    }
}

/* Beyond max_connections, this many more are admitted for users that hold
 * none yet: whoever fills the service, another user still gets in. */
static uint64_t reserve_of(const struct config *cfg)
{
    uint64_t r = cfg->max_connections / 8;

    return r < 4 ? 4 : r;
}

/* Admits the session or says which limit refuses it, from what the others
 * hold now. Returns how many refused connections its user holds besides. */
static uint64_t decide(struct server *sv, ipc_conn *c, struct session *ss)
{
    const struct config *cfg = &sv->svc->cfg;
    char key[IPC_SID_MAX];
    uint64_t user, refused, total;

    peer_key(ipc_conn_peer(c), key, sizeof(key));
    count_open(sv, ss, key, &user, &refused, &total);
    ss->accounted = 1;
    ss->admitted = 0;
    ss->refused = REFUSE_NONE;
    if (user >= cfg->max_connections_per_user) {
        ss->refused = REFUSE_USER;
        ss->refused_open = user;
    } else if (total >= cfg->max_connections &&
               (user > 0 || total >= cfg->max_connections + reserve_of(cfg))) {
        ss->refused = REFUSE_TOTAL;
    } else {
        ss->admitted = 1;
    }
    return refused;
}

/* Counts a connection against its user as soon as the user is known (at
 * accept on POSIX, at the first read on Windows), so that connections that
 * never send a byte count too. Within the limits it is admitted; over one
 * it is refused at its first request (the reply says which limit). Past
 * REFUSED_PER_USER refused ones of the same user, it is refused at once
 * and closed, so a refused user cannot hold descriptors either. */
static void account(struct server *sv, ipc_conn *c, struct session *ss)
{
    char who[WORKER_WHO_MAX], msg[WORKER_WHO_MAX + 200];

    if (decide(sv, c, ss) < REFUSED_PER_USER || ss->admitted)
        return;
    svc_describe_peer(ipc_conn_peer(c), who, sizeof(who));
    snprintf(msg, sizeof(msg),
             "refused a connection from %s at once: it holds %llu connections (the limit is "
             "%llu, max_connections_per_user) and %u more that are refused already",
             who, (unsigned long long)ss->refused_open,
             (unsigned long long)sv->svc->cfg.max_connections_per_user, REFUSED_PER_USER);
    svc_note(sv->svc, msg);
    refuse(sv, c, ss);
}

/* Serves a whole request only from an admitted connection. A refused one
 * is looked at again (others may have closed since it came); if still
 * over a limit, it gets its "busy" reply now, and closes. */
static int admit(struct server *sv, ipc_conn *c, struct session *ss)
{
    if (!ss->accounted)
        account(sv, c, ss);
    else if (!ss->admitted)
        decide(sv, c, ss);
    if (ss->closing)
        return 0;
    ss->requested = 1;
    if (ss->admitted)
        return 1;
    refuse(sv, c, ss);
    return 0;
}

static void answer(struct server *sv, ipc_conn *c, struct session *ss, const uint8_t *payload,
                   size_t len)
{
    struct dispatch_out out;

    /* the policy in force now, not the one the connection was accepted
     * under: a reload that takes a group away applies to the next request
     * of a connection already open */
    if (dispatch_payload(sv->svc, sv->authz, ipc_conn_peer(c), payload, len, &out) < 0) {
        ss->closing = 1;
        ipc_conn_close(c, 0);
        return;
    }
    if (out.close_after) {
        query_free(out.stream);
        close_with(c, ss, out.frame, out.frame_len);
        return;
    }
    if (out.frame)
        send_frame(c, ss, out.frame, out.frame_len);
    if (out.stream) {
        ss->stream = out.stream;
        ss->next_stream = sv->streams;
        sv->streams = ss;
        ipc_conn_set_reading(c, 0);
        pump(sv, c, ss);
    }
}

/* Holds a request until its caller is known (take_parked), so that the
 * first request of a user is neither answered from nothing nor waited for
 * on the loop; what the client sends meanwhile is stashed, in order.
 * Takes `payload`. */
static void park(ipc_conn *c, struct session *ss, uint8_t *payload, uint32_t len)
{
    ss->parked = payload;
    ss->parked_len = len;
    ss->parked_until = clock_mono_us() + PARK_MAX_US;
    ipc_conn_set_reading(c, 0);
}

/* Answers the held requests whose caller is known now, or whose time is
 * up (then with what is known: authz_known), and what their clients sent
 * meanwhile. */
static void take_parked(struct server *sv)
{
    uint64_t now = clock_mono_us();

    for (struct session *ss = sv->sessions; ss; ss = ss->next_session) {
        if (ss->parked == NULL || ss->closing)
            continue;
        if (ipc_conn_peer_update(ss->conn) && now < ss->parked_until)
            continue;
        uint8_t *payload = ss->parked;
        ss->parked = NULL;
        ss->waited = 1;
        if (admit(sv, ss->conn, ss))
            answer(sv, ss->conn, ss, payload, ss->parked_len);
        free(payload);
        /* what came meanwhile, as if it had come now (a request during a
         * follow ends it, one behind a reply waits for it) */
        if (!ss->closing && ss->stash_len > 0)
            take_stash(sv, ss->conn, ss);
        if (!ss->closing && !ss->stream && ss->stash_len == 0)
            ipc_conn_set_reading(ss->conn, 1);
    }
}

/* A frame that cannot be read leaves the stream out of sync: say why, then
 * close this connection only. */
static void reject_frame(struct server *sv, ipc_conn *c, struct session *ss, int err)
{
    char msg[128];
    size_t len = 0;

    if (err == ERR_TOOBIG)
        snprintf(msg, sizeof(msg),
                 "frame larger than the %llu-byte limit (max_request_size); closing connection",
                 (unsigned long long)sv->svc->cfg.max_request_size);
    else if (err == ERR_PROTO)
        snprintf(msg, sizeof(msg), "zero-length frame; closing connection");
    else
        snprintf(msg, sizeof(msg), "cannot read frame: %s; closing connection", err_str(err));
    uint8_t *frame = error_frame(SVCD__RESULT__RESULT_BAD_REQUEST, msg, &len);
    close_with(c, ss, frame, len);
}

/* Ends an open stream early with a LogEnd giving the reason, then closes:
 * the client learns why its stream is incomplete. */
static void end_stream(ipc_conn *c, struct session *ss, const char *reason)
{
    uint8_t *frame = NULL;
    size_t len = 0;

    if (query_end(ss->stream, reason, &frame, &len) < 0)
        frame = NULL;
    close_with(c, ss, frame, len);
}

/* Holds bytes that arrive while a reply is still streaming (reading is
 * paused then, so at most one read's worth). */
static void stash(ipc_conn *c, struct session *ss, const uint8_t *data, size_t n)
{
    uint8_t *p = NULL;
    size_t len = 0;

    if (ss->stash_len + n <= STASH_MAX)
        p = realloc(ss->stash, ss->stash_len + n);
    if (p == NULL) {
        uint8_t *frame = error_frame(SVCD__RESULT__RESULT_BAD_REQUEST,
                                     "too many requests sent ahead of a streaming reply; "
                                     "closing connection",
                                     &len);
        close_with(c, ss, frame, len);
        return;
    }
    memcpy(p + ss->stash_len, data, n);
    ss->stash = p;
    ss->stash_len += n;
    ipc_conn_set_reading(c, 0);
}

static void consume(struct server *sv, ipc_conn *c, struct session *ss, const uint8_t *data,
                    size_t n)
{
    while (n > 0 && !ss->closing) {
        size_t used;
        int rc;

        if (ss->stream && ss->stream->follow) {
            /* A followed stream is one-way until it ends. */
            end_stream(c, ss, "request sent during a follow stream; closing connection");
            return;
        }
        /* Still answering, or the client is not reading its replies, or
         * earlier requests wait: hold what it sends, in order, until the
         * output drains. */
        if (ss->stream || ss->parked || ss->stash_len > 0 ||
            ipc_conn_pending(c) >= PUMP_HIGH_WATER) {
            stash(c, ss, data, n);
            return;
        }
        if (ss->round != sv->round) {
            ss->round = sv->round;
            ss->round_frames = 0;
        }
        if (ss->round_frames >= FRAMES_PER_ROUND) { /* others first */
            ss->backlogged = 1;
            stash(c, ss, data, n);
            return;
        }
        if (!frame_reader_partial(&ss->fr))
            ss->partial_us = clock_mono_us();
        rc = frame_reader_feed(&ss->fr, data, n, &used);
        data += used;
        n -= used;
        if (rc < 0) {
            reject_frame(sv, c, ss, rc);
            return;
        }
        if (rc == 1) {
            uint32_t len;
            uint8_t *payload = frame_reader_take(&ss->fr, &len);
            ss->partial_us = 0;
            ss->last_us = clock_mono_us();
            ss->round_frames++;
            if (ipc_conn_peer_update(c) && !ss->waited) {
                park(c, ss, payload, len);
                continue;
            }
            if (admit(sv, c, ss))
                answer(sv, c, ss, payload, len);
            free(payload);
        }
    }
}

static void on_accept(void *ctx, ipc_conn *c)
{
    struct server *sv = ctx;
    struct session *ss = calloc(1, sizeof(*ss));

    if (ss == NULL) {
        ipc_conn_close(c, 0);
        return;
    }
    frame_reader_init(&ss->fr, (uint32_t)sv->svc->cfg.max_request_size);
    ss->conn = c;
    ss->last_us = clock_mono_us();
    ss->next_session = sv->sessions;
    sv->sessions = ss;
    ipc_conn_set_data(c, ss);
    /* A refusal is answered, not dropped: the client gets "busy" as the
     * reply to its request, so it can tell the user why. */
    if (ipc_conn_peer(c)->uid >= 0 || ipc_conn_peer(c)->sid[0])
        account(sv, c, ss);
    else if (ipc_server_conn_count(sv->ipc) >
             sv->svc->cfg.max_connections + reserve_of(&sv->svc->cfg))
        ss->refused = REFUSE_TOTAL; /* who it is is not known yet: counted at its request */
}

static void on_data(void *ctx, ipc_conn *c, const uint8_t *data, size_t n)
{
    struct session *ss = ipc_conn_data(c);

    if (ss == NULL)
        return;
    if (!ss->accounted && !ss->closing) /* a pipe client is known from its first read */
        account(ctx, c, ss);
    if (!ss->closing)
        consume(ctx, c, ss, data, n);
}

static void on_drain(void *ctx, ipc_conn *c)
{
    struct session *ss = ipc_conn_data(c);

    if (ss && !ss->closing) {
        pump(ctx, c, ss); /* the next frames, or requests held back */
    }
}

static void unlink_stream(struct server *sv, struct session *ss)
{
    for (struct session **pp = &sv->streams; *pp; pp = &(*pp)->next_stream) {
        if (*pp == ss) {
            *pp = ss->next_stream;
            return;
        }
    }
}

void server_set_authz(struct server *sv, const struct authz *az, struct authz *old)
{
    sv->authz = az;
    authz_close(old);
}

int server_endpoint_groups(struct server *sv)
{
    struct ipc_server_opts o = {sv->system_mode, -1, -1};

    authz_endpoint(sv->authz, &o);
    return ipc_server_set_groups(sv->ipc, &o);
}

static void on_close(void *ctx, ipc_conn *c, int err)
{
    struct session *ss = ipc_conn_data(c);
    struct server *sv = ctx;

    if (err < 0 && err != ERR_CLOSED)
        diag(DIAG_DEBUG, "connection from pid %ld ended: %s", ipc_conn_peer(c)->pid, err_str(err));
    if (ss == NULL)
        return;
    unlink_stream(sv, ss);
    for (struct session **pp = &sv->sessions; *pp; pp = &(*pp)->next_session) {
        if (*pp == ss) {
            *pp = ss->next_session;
            break;
        }
    }
    frame_reader_free(&ss->fr);
    query_free(ss->stream);
    free(ss->stash);
    free(ss->parked);
    free(ss);
}

int server_open(struct server *sv, struct svc *s, const struct authz *az, const char *endpoint,
                int system_mode)
{
    struct ipc_handlers h = {sv, on_accept, on_data, on_drain, on_close, on_round_end, hold_output};
    struct ipc_server_opts o = {system_mode, -1, -1};

    authz_endpoint(az, &o);
    sv->svc = s;
    sv->authz = az;
    sv->system_mode = system_mode;
    sv->streams = NULL;
    sv->sessions = NULL;
    sv->pumped_seq = 0;
    sv->round = 0;
    sv->scan_turn = 0;
    return ipc_server_open(endpoint, &o, &h, &sv->ipc);
}

/* Resumes streams that paused: followed streams that caught up once
 * something new was written, and, when `scan`, one of the scans that yielded
 * (in turn), so that a request arriving meanwhile waits one slice at most,
 * not one per scan (bench/bench_busy.c). Returns 1 when a scan is still
 * unfinished (the loop must not sleep). A stream may end and leave the list
 * while this runs, so the next one is taken before pumping. */
static int pump_streams(struct server *sv, int scan)
{
    int new_entries = sv->svc->log.last_seq != sv->pumped_seq, busy = 0;
    unsigned yielded = 0, pick;
    struct session *next;

    sv->pumped_seq = sv->svc->log.last_seq;
    for (struct session *ss = sv->streams; ss; ss = ss->next_stream)
        yielded += ss->yielded && !ss->closing;
    pick = scan && yielded ? sv->scan_turn++ % yielded : 0; /* only where one goes on */
    for (struct session *ss = sv->streams; ss; ss = next) {
        next = ss->next_stream;
        if (ss->closing)
            continue;
        if (ss->yielded && (!scan || pick-- != 0))
            continue;
        if (ss->yielded || (ss->waiting && new_entries)) {
            ss->yielded = ss->waiting = 0;
            pump(sv, ss->conn, ss);
        }
    }
    for (struct session *ss = sv->streams; ss; ss = ss->next_stream)
        busy |= ss->yielded && !ss->closing;
    return busy;
}

/* Notes whether the session's output is stuck: bytes are queued and the
 * peer has taken none of them since stall_us. Any byte read restarts the
 * clock. */
static void track_stall(struct session *ss, uint64_t now)
{
    uint64_t sent = ipc_conn_sent(ss->conn);

    if (ipc_conn_pending(ss->conn) == 0) {
        ss->stall_us = 0;
        return;
    }
    if (ss->stall_us == 0 || sent != ss->stall_sent) {
        ss->stall_us = now;
        ss->stall_sent = sent;
    }
}

/* When the session must have done something by, or 0 for never: a whole
 * request (request_timeout), any request (idle_timeout), or reading its
 * output (stall_timeout). A follow stream that waits is never idle. */
static uint64_t session_deadline(const struct server *sv, const struct session *ss)
{
    const struct config *cfg = &sv->svc->cfg;

    if (ss->stall_us)
        return ss->stall_us + cfg->stall_timeout_us;
    if (ss->stream)
        return 0;
    if (ss->parked) /* a whole request svcd holds: take_parked answers it by then */
        return 0;
    if (ss->partial_us)
        return ss->partial_us + cfg->request_timeout_us;
    if (!ss->requested) /* no request yet: a refused one closes the session */
        return ss->last_us + cfg->request_timeout_us;
    return ss->last_us + cfg->idle_timeout_us;
}

/* Ends a session whose deadline passed, saying why where the client can
 * still hear it; a reader that stopped reading is recorded in the log. */
static void expire(struct server *sv, struct session *ss)
{
    char who[WORKER_WHO_MAX], msg[WORKER_WHO_MAX + 200], took[32];
    const struct config *cfg = &sv->svc->cfg;
    size_t len = 0;

    if (ss->stall_us) {
        svc_describe_peer(ipc_conn_peer(ss->conn), who, sizeof(who));
        clock_format_duration(cfg->stall_timeout_us, took, sizeof(took));
        snprintf(msg, sizeof(msg),
                 "cut off %s: it read none of its %llu KiB of queued output for %s "
                 "(stall_timeout)",
                 who, (unsigned long long)(ipc_conn_pending(ss->conn) / 1024), took);
        if (svc_note(sv->svc, msg))
            eventlog_report(EVENTLOG_CUT_OFF, msg);
        ss->closing = 1;
        ipc_conn_close(ss->conn, 0); /* nothing more can reach it */
        return;
    }
    if (ss->partial_us || !ss->requested) {
        clock_format_duration(cfg->request_timeout_us, took, sizeof(took));
        snprintf(msg, sizeof(msg),
                 "no complete request within %s (request_timeout); closing connection", took);
        uint8_t *frame = error_frame(SVCD__RESULT__RESULT_BAD_REQUEST, msg, &len);
        close_with(ss->conn, ss, frame, len);
        return;
    }
    diag(DIAG_DEBUG, "closing idle connection from pid %ld", ipc_conn_peer(ss->conn)->pid);
    ss->closing = 1;
    ipc_conn_close(ss->conn, 0); /* idle: like an HTTP keep-alive, closed silently */
}

/* Ends the sessions whose time is up. Returns the milliseconds until the
 * next deadline, or -1 for none. */
static int expire_sessions(struct server *sv)
{
    uint64_t now = clock_mono_us(), next = 0;

    for (struct session *ss = sv->sessions; ss; ss = ss->next_session) {
        if (ss->closing)
            continue;
        track_stall(ss, now);
        if (ss->parked && (next == 0 || ss->parked_until < next))
            next = ss->parked_until; /* take_parked answers it then */
        uint64_t due = session_deadline(sv, ss);
        if (due && due <= now)
            expire(sv, ss);
        else if (due && (next == 0 || due < next))
            next = due;
    }
    return next ? (int)((next - now + 999) / 1000) : -1;
}

/* Whether a session holds requests it can be answered now: one whose
 * client does not read its replies waits for the socket instead (on_drain
 * pumps it again), or the loop would spin on it. */
static int backlog_ready(const struct session *ss)
{
    return ss->backlogged && !ss->closing && ipc_conn_pending(ss->conn) < PUMP_HIGH_WATER;
}

/* Answers what backlogged sessions hold, up to FRAMES_PER_ROUND each.
 * Returns 1 when some still hold requests (the loop must not sleep). */
static int take_backlog(struct server *sv)
{
    int busy = 0;

    for (struct session *ss = sv->sessions; ss; ss = ss->next_session) {
        if (!ss->backlogged || ss->closing || ss->stream || ss->parked ||
            ipc_conn_pending(ss->conn) >= PUMP_HIGH_WATER)
            continue;
        ss->backlogged = 0;
        take_stash(sv, ss->conn, ss);
        if (!ss->stream && !ss->closing && ss->stash_len == 0)
            ipc_conn_set_reading(ss->conn, 1);
    }
    for (struct session *ss = sv->sessions; ss; ss = ss->next_session)
        busy |= backlog_ready(ss);
    return busy;
}

/* The round's input is handled: backlogs get their share, then one sync
 * makes every entry the round wrote durable before ipc writes its replies
 * (group commit). */
static void on_round_end(void *ctx)
{
    struct server *sv = ctx;

    take_parked(sv);
    take_backlog(sv);
    svc_group_commit(sv->svc);
}

/* Replies wait for the round's commit once an entry of the round is owed
 * a sync; before that nothing they say is unsynced, and they go at once. */
static int hold_output(void *ctx)
{
    const struct server *sv = ctx;

    return sv->svc->group_owed;
}

static int backlog_waits(const struct server *sv)
{
    for (const struct session *ss = sv->sessions; ss; ss = ss->next_session)
        if (backlog_ready(ss))
            return 1;
    return 0;
}

int server_run_once(struct server *sv, int timeout_ms)
{
    int rc, due;

    due = expire_sessions(sv);
    if (due >= 0 && (timeout_ms < 0 || due < timeout_ms))
        timeout_ms = due;
    /* Entries written since the last round (heartbeats); unfinished scans
     * and held requests keep the loop from sleeping. */
    if (pump_streams(sv, 1) || backlog_waits(sv))
        timeout_ms = 0;
    sv->round++;
    svc_group_begin(sv->svc);
    rc = ipc_server_run_once(sv->ipc, timeout_ms);
    svc_group_commit(sv->svc); /* the round ended early: nothing may stay unsynced */
    pump_streams(sv, 0);       /* entries this round's requests wrote */
    return rc;
}

void server_end_streams(struct server *sv, const char *reason)
{
    pump_streams(sv, 0); /* the "stopping" entry first */
    for (struct session *ss = sv->streams; ss; ss = ss->next_stream)
        if (!ss->closing && ss->stream)
            end_stream(ss->conn, ss, reason);
    /* Let the last frames go out, briefly: a stuck reader must not hold up
     * the stop. */
    for (int round = 0; round < 20 && sv->streams; round++)
        ipc_server_run_once(sv->ipc, 25);
}

void server_wake(struct server *sv)
{
    ipc_server_wake(sv->ipc);
}

void server_close(struct server *sv)
{
    ipc_server_close(sv->ipc);
    sv->ipc = NULL;
}
