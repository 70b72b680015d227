#include "dispatch.h"
#include "clock.h"
#include "err.h"
#include "json.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

int dispatch_error_frame(uint64_t id, Svcd__Result result, const char *msg, uint8_t **frame,
                         size_t *len)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;

    resp.id = id;
    resp.result = result;
    resp.error = (char *)msg;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    return codec_frame(&resp.base, frame, len);
}

/* Who paused, in parts: the user's name ("" when the database has none:
 * the peer's name is then only "uid N"), uid or SID, and pid. */
static void paused_peer(const struct ipc_peer *p, Svcd__Peer *out)
{
    char own[32];

    snprintf(own, sizeof(own), "uid %ld", p->uid);
    out->user = (char *)(p->sid[0] || strcmp(p->name, own) != 0 ? p->name : "");
    out->uid = p->sid[0] ? -1 : p->uid;
    out->sid = (char *)p->sid;
    out->pid = p->pid;
}

static int answer_status(struct svc *s, uint64_t id, struct dispatch_out *out)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__Status st = SVCD__STATUS__INIT;
    Svcd__Peer by = SVCD__PEER__INIT;
    uint64_t now = clock_mono_us();

    st.state = (Svcd__ServiceState)s->worker.state;
    st.pid = (uint32_t)s->pid;
    st.version = SVCD_VERSION;
    st.protocol_version = CODEC_PROTOCOL_VERSION;
    st.started_at_us = s->started_wall_us;
    st.uptime_us = now - s->started_mono;
    st.interval_us = s->cfg.interval_us;
    st.entries_written = s->log.written;
    st.last_seq = s->log.last_seq;
    st.last_time_us = s->log.last_time_us;
    st.log_path = s->log.path;
    st.log_size = s->log.size;
    st.paused_since_us = s->worker.paused_since_us;
    st.paused_by = s->worker.paused_by;
    if (s->worker.state == WORKER_PAUSED && !s->paused_by_manager) {
        paused_peer(&s->paused_peer, &by);
        st.paused_by_peer = &by;
    }
    st.paused_by_service_manager = s->worker.state == WORKER_PAUSED && s->paused_by_manager;
    st.endpoint = s->cfg.endpoint;
    st.degraded = s->degraded;
    st.degraded_error = s->degraded ? s->degraded_error : "";
    st.degraded_since_us = s->degraded ? s->degraded_since_us : 0;
    st.entries_held = s->held.n;
    st.entries_lost = s->held.lost;
    st.rotation_blocked = s->log.rotate_blocked ? s->log.rotate_blocked_why : "";
    st.rotation_blocked_since_us = s->log.rotate_blocked ? s->log.rotate_blocked_since_us : 0;
    resp.id = id;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    resp.body_case = SVCD__RESPONSE__BODY_STATUS;
    resp.status = &st;
    return codec_frame(&resp.base, &out->frame, &out->frame_len);
}

static int answer_change(struct svc *s, const struct ipc_peer *who, uint64_t id, int pause,
                         struct dispatch_out *out)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__StateChange ch = SVCD__STATE_CHANGE__INIT;
    char msg[256];
    int rc;

    rc = pause ? svc_pause(s, who, msg, sizeof(msg)) : svc_resume(s, who, msg, sizeof(msg));
    if (rc == 0) /* a repeat changes nothing: audited, but rate-limited */
        svc_audit_noop(s, who, pause ? "pause" : "resume",
                       pause ? "already paused" : "was not paused");
    else
        svc_audit(s, who, pause ? "pause" : "resume", 1,
                  rc < 0  ? "but the service is stopping"
                  : pause ? "paused"
                          : "resumed");
    if (rc < 0)
        return dispatch_error_frame(id, SVCD__RESULT__RESULT_STOPPING, msg, &out->frame,
                                    &out->frame_len);
    ch.changed = rc == 1;
    ch.state = (Svcd__ServiceState)s->worker.state;
    ch.message = msg;
    resp.id = id;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    resp.body_case = SVCD__RESPONSE__BODY_STATE_CHANGE;
    resp.state_change = &ch;
    return codec_frame(&resp.base, &out->frame, &out->frame_len);
}

/* Refuses what the decoded request cannot show (codec_scan_logs): a grep
 * cut at a NUL byte would search for less than was asked, and a level
 * protobuf-c cut to 32 bits would be reported as another number. */
static int check_wire(const struct codec_logs_wire *w, char *msg, size_t n)
{
    if (w->grep_nul) {
        snprintf(msg, n,
                 "grep text contains a NUL byte (at byte %zu of %zu); log messages never do, "
                 "so search for the text around it",
                 w->grep_nul_at, w->grep_len);
        return ERR_INVAL;
    }
    if (w->level_wide) {
        snprintf(msg, n, "unknown level %lld (1 debug to 5 error)", (long long)w->level_sent);
        return ERR_INVAL;
    }
    return 0;
}

/* Turns a request's bounds into a filter; a reason in msg when they are
 * not acceptable. */
static int make_filter(const struct config *cfg, const Svcd__LogsRequest *lr,
                       const struct codec_logs_wire *w, struct logfilter *f, char *msg, size_t n)
{
    size_t glen = lr->grep ? strlen(lr->grep) : 0;

    memset(f, 0, sizeof(*f));
    if (check_wire(w, msg, n) < 0)
        return ERR_INVAL;
    if (glen > cfg->max_grep) {
        snprintf(msg, n, "grep text is %zu bytes; at most %llu are allowed (max_grep)", glen,
                 (unsigned long long)cfg->max_grep);
        return ERR_INVAL;
    }
    if (lr->tail > cfg->max_tail && lr->tail != UINT32_MAX) {
        snprintf(msg, n, "a tail of %u entries is over the limit of %llu (max_tail)", lr->tail,
                 (unsigned long long)cfg->max_tail);
        return ERR_INVAL;
    }
    if (lr->tail == UINT32_MAX && cfg->max_tail < UINT32_MAX && !lr->since_us && !lr->until_us) {
        snprintf(msg, n, "every entry was asked for, but tails are limited to %llu (max_tail)",
                 (unsigned long long)cfg->max_tail);
        return ERR_INVAL;
    }
    if (!json_utf8_valid(lr->grep ? lr->grep : "", glen)) {
        snprintf(msg, n, "grep text is not valid UTF-8");
        return ERR_INVAL;
    }
    if (lr->since_us < 0 || lr->until_us < 0 ||
        (lr->since_us && lr->until_us && lr->since_us > lr->until_us)) {
        snprintf(msg, n, "invalid time range: since must not be after until");
        return ERR_INVAL;
    }
    if ((int)lr->min_level < 0 || lr->min_level > SVCD__LEVEL__LEVEL_ERROR) {
        snprintf(msg, n, "unknown level %d (1 debug to 5 error)", (int)lr->min_level);
        return ERR_INVAL;
    }
    f->since_us = lr->since_us;
    f->until_us = lr->until_us;
    if ((int)lr->max_level < 0 || lr->max_level > SVCD__LEVEL__LEVEL_ERROR ||
        (lr->max_level && lr->max_level < lr->min_level)) {
        snprintf(msg, n, "unknown level range %d..%d (1 debug to 5 error, lowest first)",
                 (int)lr->min_level, (int)lr->max_level);
        return ERR_INVAL;
    }
    f->min_level = (int)lr->min_level;
    f->max_level = (int)lr->max_level;
    memcpy(f->grep, lr->grep ? lr->grep : "", glen + 1);
    f->grep_len = glen;
    f->ignore_case = lr->ignore_case;
    return 0;
}

static int answer_logs(struct svc *s, uint64_t id, const Svcd__LogsRequest *lr,
                       const struct codec_logs_wire *w, struct dispatch_out *out)
{
    struct logfilter filter;
    char why[160];
    int rc;

    if (make_filter(&s->cfg, lr, w, &filter, why, sizeof(why)) < 0)
        return dispatch_error_frame(id, SVCD__RESULT__RESULT_BAD_REQUEST, why, &out->frame,
                                    &out->frame_len);
    rc = query_open(&out->stream, id, s->log.path, &filter, lr->tail, lr->follow, &s->log.rotations,
                    &s->log.last_seq, &s->log.recent);
    if (rc == ERR_NOMEM)
        return rc;
    if (rc < 0) {
        char msg[PATHS_MAX + 64];
        snprintf(msg, sizeof(msg), "cannot read %s: %s", s->log.path, logstore_err_str(rc));
        return dispatch_error_frame(id, SVCD__RESULT__RESULT_INTERNAL, msg, &out->frame,
                                    &out->frame_len);
    }
    return 0;
}

/* Checks what every request must carry before its command is looked at. */
static int check_envelope(const Svcd__Request *req, char *msg, size_t n, Svcd__Result *res)
{
    if (req->version == CODEC_PROTOCOL_VERSION)
        return 0;
    *res = SVCD__RESULT__RESULT_UNSUPPORTED_VERSION;
    if (req->version == 0)
        snprintf(msg, n, "request has no protocol version; this service speaks version %d",
                 CODEC_PROTOCOL_VERSION);
    else
        snprintf(msg, n,
                 "protocol version %u is not supported; this service speaks version %d "
                 "(upgrade the older of svcclient and svcd)",
                 req->version, CODEC_PROTOCOL_VERSION);
    return ERR_PROTO;
}

/* Refuses a request the caller has no right to: audited, and answered with
 * what was refused, for whom, and how to get the right. */
static int deny(struct svc *s, const struct authz *az, const struct ipc_peer *who, uint64_t id,
                const char *cmd, unsigned right, struct dispatch_out *out)
{
    const char *rname = right == AUTHZ_CONTROL ? "control" : "read";
    char hint[AUTHZ_HINT_MAX], whom[IPC_SID_MAX + IPC_NAME_MAX + 8];
    char msg[sizeof(hint) + sizeof(whom) + 128];
    char why[32];

    authz_hint(az, who, right, hint, sizeof(hint));
    ipc_peer_describe(who, 0, whom, sizeof(whom));
    snprintf(msg, sizeof(msg),
             "permission denied: %s needs the %s right, which %s does not have; %s", cmd, rname,
             whom, hint);
    snprintf(why, sizeof(why), "no %s right", rname);
    svc_audit(s, who, cmd, 0, why);
    return dispatch_error_frame(id, SVCD__RESULT__RESULT_DENIED, msg, &out->frame, &out->frame_len);
}

/* The handlers of the table below: each answers one command whose right
 * the caller was found to have. `payload` is the request's bytes, for a
 * handler that must look at them again (logs). Returns 0 or ERR_NOMEM. */
static int run_status(struct svc *s, const struct ipc_peer *who, const Svcd__Request *req,
                      const uint8_t *payload, size_t n, struct dispatch_out *out)
{
    (void)who, (void)payload, (void)n;
    return answer_status(s, req->id, out);
}

static int run_pause(struct svc *s, const struct ipc_peer *who, const Svcd__Request *req,
                     const uint8_t *payload, size_t n, struct dispatch_out *out)
{
    (void)payload, (void)n;
    return answer_change(s, who, req->id, 1, out);
}

static int run_resume(struct svc *s, const struct ipc_peer *who, const Svcd__Request *req,
                      const uint8_t *payload, size_t n, struct dispatch_out *out)
{
    (void)payload, (void)n;
    return answer_change(s, who, req->id, 0, out);
}

static int run_logs(struct svc *s, const struct ipc_peer *who, const Svcd__Request *req,
                    const uint8_t *payload, size_t n, struct dispatch_out *out)
{
    struct codec_logs_wire w;

    (void)who;
    /* protobuf-c took these bytes, so they are well-formed; a scan that
     * disagrees is refused like any malformed request. */
    if (codec_scan_logs(payload, n, &w) < 0)
        return dispatch_error_frame(req->id, SVCD__RESULT__RESULT_BAD_REQUEST,
                                    "malformed request: not a valid svcd.Request message",
                                    &out->frame, &out->frame_len);
    return answer_logs(s, req->id, req->logs, &w, out);
}

/* Every command the service answers, the right it needs and who answers it:
 * the one list, so a command cannot be answered without a right. */
static const struct dispatch_command commands[] = {
    {SVCD__REQUEST__COMMAND_STATUS, "status", AUTHZ_READ, run_status},
    {SVCD__REQUEST__COMMAND_LOGS, "logs", AUTHZ_READ, run_logs},
    {SVCD__REQUEST__COMMAND_PAUSE, "pause", AUTHZ_CONTROL, run_pause},
    {SVCD__REQUEST__COMMAND_RESUME, "resume", AUTHZ_CONTROL, run_resume},
    {SVCD__REQUEST__COMMAND__NOT_SET, NULL, 0, NULL},
};

const struct dispatch_command *dispatch_commands(void)
{
    return commands;
}

const struct dispatch_command *dispatch_command_of(Svcd__Request__CommandCase cmd)
{
    for (const struct dispatch_command *c = commands; c->name; c++)
        if (c->cmd == cmd)
            return c;
    return NULL;
}

/* Refuses a request whose right depends on groups the user database has
 * not told yet (authz_known): audited, and answered "busy, try again",
 * since granting could be wrong and "you are not a member" could be too. */
static int unsure(struct svc *s, const struct ipc_peer *who, uint64_t id, const char *cmd,
                  struct dispatch_out *out)
{
    char msg[IPC_NAME_MAX + 256], whom[IPC_NAME_MAX + 64];

    ipc_peer_describe(who, 0, whom, sizeof(whom));
    snprintf(msg, sizeof(msg),
             "cannot check the groups of %s now: the user database (NSS: files, LDAP, SSSD...) "
             "has not answered; try again shortly",
             whom);
    svc_audit(s, who, cmd, 0, "groups unknown: the user database did not answer");
    return dispatch_error_frame(id, SVCD__RESULT__RESULT_BUSY, msg, &out->frame, &out->frame_len);
}

int dispatch_payload(struct svc *s, const struct authz *az, const struct ipc_peer *who,
                     const uint8_t *payload, size_t n, struct dispatch_out *out)
{
    const struct dispatch_command *c;
    Svcd__Request *req;
    Svcd__Result res;
    char msg[256];
    int rc;

    memset(out, 0, sizeof(*out));
    if (codec_unpack_request(payload, n, &req) < 0) {
        out->close_after = 1;
        return dispatch_error_frame(0, SVCD__RESULT__RESULT_BAD_REQUEST,
                                    "malformed request: not a valid svcd.Request message",
                                    &out->frame, &out->frame_len);
    }
    if (check_envelope(req, msg, sizeof(msg), &res) < 0) {
        rc = dispatch_error_frame(req->id, res, msg, &out->frame, &out->frame_len);
        goto free_req;
    }
    c = dispatch_command_of(req->command_case);
    if (c == NULL) {
        rc = dispatch_error_frame(req->id, SVCD__RESULT__RESULT_UNKNOWN_COMMAND,
                                  "unknown or missing command (expected status, pause, resume "
                                  "or logs)",
                                  &out->frame, &out->frame_len);
        goto free_req;
    }
    /* Checked on every request, from what the OS says of the caller. */
    if (!(authz_rights(az, who) & c->right)) {
        if (authz_known(az, who) != AUTHZ_KNOWN)
            rc = unsure(s, who, req->id, c->name, out);
        else
            rc = deny(s, az, who, req->id, c->name, c->right, out);
        goto free_req;
    }
    rc = c->run(s, who, req, payload, n, out);
free_req:
    protobuf_c_message_free_unpacked(&req->base, NULL);
    return rc;
}
