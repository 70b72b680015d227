/* The dispatcher from request bytes to response frames, with a real service
 * state and log in a temporary directory but no sockets. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dispatch.h"
#include "err.h"
#include "frame.h"
#include "tmpdir.h"
#include "version.h"

static char dir[256];
static struct svc s;
static struct authz *az;
/* uids no real account has, so only the gid given here decides: the policy
 * is the system one with control_group root (gid 0) and read_group nogroup. */
static struct ipc_peer alice = {.pid = 4242, .uid = 3999001, .gid = 0, .name = "alice"};
static struct ipc_peer rita = {.pid = 4343, .uid = 3999002, .gid = 65534, .name = "rita"};
static struct ipc_peer mallory = {.pid = 4444, .uid = 3999003, .gid = 3999003, .name = "mallory"};

static void setup(void)
{
    struct config cfg;
    char err[AUTHZ_ERR_MAX];

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    config_defaults(&cfg, 0);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/logs", dir);
    snprintf(cfg.control_group, sizeof(cfg.control_group), "root");
    snprintf(cfg.read_group, sizeof(cfg.read_group), "nogroup");
    cr_assert_eq(authz_open(&cfg, 1, &az, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(svc_start(&s, &cfg, 0), 0);
}

static void teardown(void)
{
    svc_finish(&s);
    authz_close(az);
    tmpdir_remove(dir);
}

TestSuite(dispatch, .init = setup, .fini = teardown);

static Svcd__Response *decode(const uint8_t *frame, size_t len)
{
    uint32_t plen;
    Svcd__Response *r;

    cr_assert_eq(frame_get_header(frame, FRAME_MAX_PAYLOAD, &plen), 0);
    cr_assert_eq(plen + 4, len);
    cr_assert_eq(codec_unpack_response(frame + 4, plen, &r), 0);
    return r;
}

static Svcd__Response *call_as(const struct ipc_peer *who, Svcd__Request *req,
                               struct dispatch_out *out)
{
    uint8_t *frame;
    size_t len;

    /* the user database answers off the loop (userdb.h); the server holds a
     * request meanwhile, and so does this caller */
    for (int i = 0; i < 5000 && authz_known(az, who) == AUTHZ_WAIT; i++)
        poll(NULL, 0, 1);
    cr_assert_eq(codec_frame(&req->base, &frame, &len), 0);
    cr_assert_eq(dispatch_payload(&s, az, who, frame + 4, len - 4, out), 0);
    free(frame);
    if (out->frame == NULL)
        return NULL;
    Svcd__Response *r = decode(out->frame, out->frame_len);
    free(out->frame);
    out->frame = NULL;
    return r;
}

static Svcd__Response *call(Svcd__Request *req, struct dispatch_out *out)
{
    return call_as(&alice, req, out);
}

static Svcd__Request request(Svcd__Request__CommandCase cmd)
{
    static Svcd__StatusRequest st = SVCD__STATUS_REQUEST__INIT;
    static Svcd__PauseRequest pa = SVCD__PAUSE_REQUEST__INIT;
    static Svcd__ResumeRequest re = SVCD__RESUME_REQUEST__INIT;
    Svcd__Request req = SVCD__REQUEST__INIT;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = 77;
    req.command_case = cmd;
    if (cmd == SVCD__REQUEST__COMMAND_STATUS)
        req.status = &st;
    else if (cmd == SVCD__REQUEST__COMMAND_PAUSE)
        req.pause = &pa;
    else if (cmd == SVCD__REQUEST__COMMAND_RESUME)
        req.resume = &re;
    return req;
}

Test(dispatch, status_reports_the_service)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_STATUS);
    struct dispatch_out out;
    Svcd__Response *r = call(&req, &out);

    cr_assert_eq(r->id, 77);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_STATUS);
    cr_assert_eq(r->status->state, SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING);
    cr_assert_eq(r->status->pid, (uint32_t)s.pid);
    cr_assert_str_eq(r->status->version, SVCD_VERSION);
    cr_assert_eq(r->status->last_seq, 1, "the started entry");
    cr_assert_eq(r->status->interval_us, 1000000);
    cr_assert_str_eq(r->status->log_path, s.log.path);
    svcd__response__free_unpacked(r, NULL);
}

Test(dispatch, pause_and_resume_record_who_and_are_idempotent)
{
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    Svcd__Request re = request(SVCD__REQUEST__COMMAND_RESUME);
    struct dispatch_out out;
    Svcd__Response *r;

    r = call(&pa, &out);
    cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_STATE_CHANGE);
    cr_assert(r->state_change->changed);
    cr_assert_eq(r->state_change->state, SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED);
    svcd__response__free_unpacked(r, NULL);
    cr_assert_str_eq(s.worker.paused_by, "alice (uid 3999001, pid 4242)");

    r = call(&pa, &out);
    cr_assert_not(r->state_change->changed);
    cr_assert_str_eq(r->state_change->message, "already paused (by alice (uid 3999001, pid 4242))");
    svcd__response__free_unpacked(r, NULL);

    r = call(&re, &out);
    cr_assert(r->state_change->changed);
    cr_assert_eq(r->state_change->state, SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING);
    svcd__response__free_unpacked(r, NULL);
    r = call(&re, &out);
    cr_assert_not(r->state_change->changed);
    svcd__response__free_unpacked(r, NULL);
    /* started; then for each request an audit entry, and for each change
     * (not the repeats) the state entry */
    cr_assert_eq(s.log.last_seq, 7);
}

Test(dispatch, logs_streams_chunks_then_an_end)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_LOGS);
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct dispatch_out out;
    uint64_t total = 0;
    int rc;

    for (int i = 0; i < 2000; i++)
        svc_tick(&s), s.worker.next_due = 0; /* force a heartbeat per tick */
    req.logs = &lr;
    lr.tail = 1500;
    cr_assert_null(call(&req, &out));
    cr_assert_not_null(out.stream);
    do {
        uint8_t *frame;
        size_t len;
        rc = query_next(out.stream, &frame, &len);
        cr_assert_geq(rc, 0);
        Svcd__Response *r = decode(frame, len);
        free(frame);
        cr_assert_eq(r->id, 77);
        if (rc == 1) {
            cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_LOG_CHUNK);
            cr_assert_leq(r->log_chunk->n_entries, QUERY_CHUNK_ENTRIES);
            total += r->log_chunk->n_entries;
        } else {
            cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_LOG_END);
            cr_assert_eq(r->log_end->count, total);
        }
        svcd__response__free_unpacked(r, NULL);
    } while (rc == 1);
    cr_assert_eq(total, 1500);
    query_free(out.stream);
}

Test(dispatch, unsupported_version_gets_a_clear_error)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_STATUS);
    struct dispatch_out out;
    Svcd__Response *r;

    req.version = 9;
    r = call(&req, &out);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_UNSUPPORTED_VERSION);
    cr_assert_eq(r->id, 77);
    cr_assert_eq(r->server_version, 1);
    cr_assert_str_eq(r->error, "protocol version 9 is not supported; this service speaks version "
                               "1 (upgrade the older of svcclient and svcd)");
    cr_assert_not(out.close_after);
    svcd__response__free_unpacked(r, NULL);
}

Test(dispatch, missing_command_is_rejected)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND__NOT_SET);
    struct dispatch_out out;
    Svcd__Response *r = call(&req, &out);

    cr_assert_eq(r->result, SVCD__RESULT__RESULT_UNKNOWN_COMMAND);
    svcd__response__free_unpacked(r, NULL);
}

Test(dispatch, unknown_command_number_is_rejected)
{
    /* version=1, id=5, then field 99 (a command this service does not know). */
    const uint8_t raw[] = {0x08, 0x01, 0x10, 0x05, 0x9a, 0x06, 0x00};
    struct dispatch_out out;

    cr_assert_eq(dispatch_payload(&s, az, &alice, raw, sizeof(raw), &out), 0);
    Svcd__Response *r = decode(out.frame, out.frame_len);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_UNKNOWN_COMMAND);
    cr_assert_eq(r->id, 5);
    svcd__response__free_unpacked(r, NULL);
    free(out.frame);
}

static char *log_text(void);

Test(dispatch, status_gives_who_paused_in_parts)
{
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    Svcd__Request st = request(SVCD__REQUEST__COMMAND_STATUS);
    struct dispatch_out out;
    Svcd__Response *r;

    r = call(&st, &out);
    cr_assert_null(r->status->paused_by_peer, "nobody paused it");
    svcd__response__free_unpacked(r, NULL);
    svcd__response__free_unpacked(call(&pa, &out), NULL);
    r = call(&st, &out);
    cr_assert_not_null(r->status->paused_by_peer);
    cr_assert_str_eq(r->status->paused_by_peer->user, "alice");
    cr_assert_eq(r->status->paused_by_peer->uid, 3999001);
    cr_assert_eq(r->status->paused_by_peer->pid, 4242);
    cr_assert_str_eq(r->status->paused_by_peer->sid, "");
    cr_assert_not(r->status->paused_by_service_manager);
    cr_assert_str_eq(r->status->paused_by, "alice (uid 3999001, pid 4242)", "old clients' text");
    svcd__response__free_unpacked(r, NULL);
}

Test(dispatch, a_pause_by_the_service_manager_names_no_user)
{
    Svcd__Request st = request(SVCD__REQUEST__COMMAND_STATUS);
    struct dispatch_out out;
    char msg[256];
    Svcd__Response *r;

    cr_assert_eq(svc_pause(&s, NULL, msg, sizeof(msg)), 1);
    r = call(&st, &out);
    cr_assert_null(r->status->paused_by_peer);
    cr_assert(r->status->paused_by_service_manager);
    svcd__response__free_unpacked(r, NULL);
}

/* The table is the only list: every command in it is answered only with
 * its right, and a command not in it is refused before any right. */
Test(dispatch, each_command_needs_the_right_its_table_entry_names)
{
    static const struct {
        Svcd__Request__CommandCase cmd;
        const char *name;
        unsigned right;
    } want[] = {
        {SVCD__REQUEST__COMMAND_STATUS, "status", AUTHZ_READ},
        {SVCD__REQUEST__COMMAND_LOGS, "logs", AUTHZ_READ},
        {SVCD__REQUEST__COMMAND_PAUSE, "pause", AUTHZ_CONTROL},
        {SVCD__REQUEST__COMMAND_RESUME, "resume", AUTHZ_CONTROL},
    };
    size_t n = 0;

    for (const struct dispatch_command *c = dispatch_commands(); c->name; c++)
        n++;
    cr_assert_eq(n, sizeof(want) / sizeof(want[0]), "one entry per command");
    for (size_t i = 0; i < n; i++) {
        const struct dispatch_command *c = dispatch_command_of(want[i].cmd);
        cr_assert_not_null(c, "%s is in the table", want[i].name);
        cr_assert_str_eq(c->name, want[i].name);
        cr_assert_eq(c->right, want[i].right, "%s needs the right it always needed", c->name);
        cr_assert_not_null(c->run);
    }
    cr_assert_null(dispatch_command_of(SVCD__REQUEST__COMMAND__NOT_SET));
    cr_assert_null(dispatch_command_of((Svcd__Request__CommandCase)99));
}

/* Each command, asked by someone with no right at all, is refused naming
 * the right its table entry gives; asked by someone with exactly that
 * right, it is answered. */
Test(dispatch, the_right_checked_is_the_one_in_the_table)
{
    for (const struct dispatch_command *c = dispatch_commands(); c->name; c++) {
        Svcd__Request req = request(c->cmd);
        Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
        const char *rname = c->right == AUTHZ_CONTROL ? "control" : "read";
        char want[96];
        struct dispatch_out out;
        Svcd__Response *r;

        if (c->cmd == SVCD__REQUEST__COMMAND_LOGS)
            req.logs = &lr;
        r = call_as(&mallory, &req, &out);
        cr_assert_eq(r->result, SVCD__RESULT__RESULT_DENIED, "%s by a stranger", c->name);
        snprintf(want, sizeof(want), "permission denied: %s needs the %s right,", c->name, rname);
        cr_assert(strstr(r->error, want) == r->error, "%s", r->error);
        svcd__response__free_unpacked(r, NULL);
        /* rita has the read right only */
        r = call_as(&rita, &req, &out);
        if (c->right == AUTHZ_READ) {
            cr_assert_neq(r ? r->result : SVCD__RESULT__RESULT_OK, SVCD__RESULT__RESULT_DENIED,
                          "%s with the read right", c->name);
        } else {
            cr_assert_eq(r->result, SVCD__RESULT__RESULT_DENIED, "%s with the read right only",
                         c->name);
        }
        if (r)
            svcd__response__free_unpacked(r, NULL);
        if (out.stream)
            query_free(out.stream);
    }
}

Test(dispatch, an_unknown_type_is_rejected_even_for_a_stranger)
{
    /* version=1, id=6, then field 98: a command no table entry names. */
    const uint8_t raw[] = {0x08, 0x01, 0x10, 0x06, 0x92, 0x06, 0x00};
    struct dispatch_out out;

    cr_assert_eq(dispatch_payload(&s, az, &mallory, raw, sizeof(raw), &out), 0);
    Svcd__Response *r = decode(out.frame, out.frame_len);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_UNKNOWN_COMMAND, "not answered, nor denied");
    cr_assert_eq(r->id, 6);
    cr_assert(strstr(r->error, "unknown or missing command"), "%s", r->error);
    svcd__response__free_unpacked(r, NULL);
    free(out.frame);
    cr_assert_null(strstr(log_text(), "mallory"), "no audit entry: nothing was refused a right");
}

Test(dispatch, garbage_gets_an_error_and_closes)
{
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    struct dispatch_out out;

    cr_assert_eq(dispatch_payload(&s, az, &alice, junk, sizeof(junk), &out), 0);
    cr_assert(out.close_after);
    Svcd__Response *r = decode(out.frame, out.frame_len);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_BAD_REQUEST);
    svcd__response__free_unpacked(r, NULL);
    free(out.frame);
}

Test(dispatch, bad_log_filters_are_refused_with_a_reason)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_LOGS);
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct dispatch_out out;
    char longtext[300];
    Svcd__Response *r;

    req.logs = &lr;
    lr.grep = "\xff\xfe";
    r = call(&req, &out);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_BAD_REQUEST);
    cr_assert_str_eq(r->error, "grep text is not valid UTF-8");
    svcd__response__free_unpacked(r, NULL);

    memset(longtext, 'a', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    lr.grep = longtext;
    r = call(&req, &out);
    cr_assert_str_eq(r->error, "grep text is 299 bytes; at most 255 are allowed (max_grep)");
    svcd__response__free_unpacked(r, NULL);

    lr.grep = "";
    lr.since_us = 2000;
    lr.until_us = 1000;
    r = call(&req, &out);
    cr_assert_str_eq(r->error, "invalid time range: since must not be after until");
    svcd__response__free_unpacked(r, NULL);

    lr.since_us = lr.until_us = 0;
    lr.min_level = (Svcd__Level)9;
    r = call(&req, &out);
    cr_assert_str_eq(r->error, "unknown level 9 (1 debug to 5 error)");
    svcd__response__free_unpacked(r, NULL);
}

/* The whole log file as text. */
static char *log_text(void)
{
    FILE *f = fopen(s.log.path, "rb");
    static char buf[1 << 20];
    size_t n;

    cr_assert_not_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

Test(dispatch, a_read_only_member_reads_but_may_not_pause)
{
    Svcd__Request st = request(SVCD__REQUEST__COMMAND_STATUS);
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    struct dispatch_out out;
    Svcd__Response *r;

    r = call_as(&rita, &st, &out);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    svcd__response__free_unpacked(r, NULL);

    r = call_as(&rita, &pa, &out);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_DENIED);
    cr_assert_eq(r->id, 77);
    cr_assert_str_eq(r->error, "permission denied: pause needs the control right, which rita (uid "
                               "3999002) does not have; ask an administrator to add rita to group "
                               "'root' (control_group), or run svcclient as root");
    svcd__response__free_unpacked(r, NULL);
    cr_assert_eq(s.worker.state, WORKER_RUNNING, "nothing changed");
    cr_assert_not_null(strstr(log_text(),
                              "\"level\":\"warning\",\"logger\":\"audit\",\"msg\":"
                              "\"pause by rita (uid 3999002, pid 4343): denied, no "
                              "control right\",\"user_name\":\"rita\",\"user_id\":3999002,"
                              "\"pid\":4343}\n"));
    cr_assert_eq(s.log.dirty, 0, "the audit entry is on disk before the reply");
}

Test(dispatch, a_stranger_may_not_even_read)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_LOGS);
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct dispatch_out out;
    Svcd__Response *r;

    req.logs = &lr;
    r = call_as(&mallory, &req, &out);
    cr_assert_null(out.stream, "no log stream for a stranger");
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_DENIED);
    cr_assert_str_eq(r->error, "permission denied: logs needs the read right, which mallory (uid "
                               "3999003) does not have; ask an administrator to add mallory to "
                               "group 'nogroup' (read_group) or 'root' (control_group), or run "
                               "svcclient as root");
    svcd__response__free_unpacked(r, NULL);
    cr_assert_not_null(strstr(log_text(), "logs by mallory (uid 3999003, pid 4444): denied, no "
                                          "read right"));
}

Test(dispatch, granted_pause_and_resume_are_audited_with_the_outcome)
{
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    Svcd__Request re = request(SVCD__REQUEST__COMMAND_RESUME);
    struct dispatch_out out;

    svcd__response__free_unpacked(call(&pa, &out), NULL);
    svcd__response__free_unpacked(call(&pa, &out), NULL);
    svcd__response__free_unpacked(call(&re, &out), NULL);
    const char *t = log_text();
    cr_assert_not_null(strstr(t, "\"level\":\"notice\",\"logger\":\"audit\",\"msg\":\"pause by "
                                 "alice (uid 3999001, pid 4242): granted, paused\""));
    cr_assert_not_null(strstr(t, "pause by alice (uid 3999001, pid 4242): granted, already "
                                 "paused"));
    cr_assert_not_null(strstr(t, "resume by alice (uid 3999001, pid 4242): granted, resumed"));
}

/* docs/security.md: the state change is logged first, then its audit entry. */
Test(dispatch, the_audit_entry_follows_the_state_change_it_records)
{
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    Svcd__Request re = request(SVCD__REQUEST__COMMAND_RESUME);
    struct dispatch_out out;

    svcd__response__free_unpacked(call(&pa, &out), NULL);
    svcd__response__free_unpacked(call(&re, &out), NULL);
    const char *t = log_text();
    const char *paused = strstr(t, "\"logger\":\"client\",\"msg\":\"paused by alice");
    const char *audit_pause = strstr(t, "\"logger\":\"audit\",\"msg\":\"pause by alice");
    const char *resumed = strstr(t, "\"logger\":\"client\",\"msg\":\"resumed by alice");
    const char *audit_resume = strstr(t, "\"logger\":\"audit\",\"msg\":\"resume by alice");
    cr_assert(paused && audit_pause && resumed && audit_resume, "%s", t);
    cr_assert_lt(paused, audit_pause, "the pause's audit entry comes after 'paused by'");
    cr_assert_lt(audit_pause, resumed);
    cr_assert_lt(resumed, audit_resume, "the resume's audit entry comes after 'resumed by'");
}

Test(dispatch, a_burst_of_denied_requests_is_counted_not_logged_one_by_one)
{
    Svcd__Request pa = request(SVCD__REQUEST__COMMAND_PAUSE);
    struct dispatch_out out;

    for (int i = 0; i < 100; i++) {
        Svcd__Response *r = call_as(&mallory, &pa, &out);
        cr_assert_eq(r->result, SVCD__RESULT__RESULT_DENIED, "every one is still refused");
        svcd__response__free_unpacked(r, NULL);
    }
    cr_assert_eq(count_of(log_text(), "\"logger\":\"audit\""), SVC_AUDIT_BURST);
    s.denied_audit.window_start -= SVC_AUDIT_WINDOW_US; /* the window ends */
    svc_tick(&s);
    const char *t = log_text();
    cr_assert_not_null(strstr(t, "suppressed 80 audit entries of denied requests (more than 20 "
                                 "in 10 s)"));
    /* a new window audits again */
    svcd__response__free_unpacked(call_as(&mallory, &pa, &out), NULL);
    cr_assert_eq(count_of(log_text(), "denied, no control right"), SVC_AUDIT_BURST + 1);
}

Test(dispatch, per_request_limits_come_from_the_config)
{
    Svcd__Request req = request(SVCD__REQUEST__COMMAND_LOGS);
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct dispatch_out out;
    Svcd__Response *r;

    s.cfg.max_tail = 100;
    s.cfg.max_grep = 4;
    req.logs = &lr;
    lr.tail = 101;
    r = call(&req, &out);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_BAD_REQUEST);
    cr_assert_str_eq(r->error, "a tail of 101 entries is over the limit of 100 (max_tail)");
    svcd__response__free_unpacked(r, NULL);

    lr.tail = UINT32_MAX;
    r = call(&req, &out);
    cr_assert_str_eq(r->error,
                     "every entry was asked for, but tails are limited to 100 (max_tail)");
    svcd__response__free_unpacked(r, NULL);

    lr.since_us = 1; /* a time range may still ask for all of itself */
    cr_assert_null(call(&req, &out));
    cr_assert_not_null(out.stream);
    query_free(out.stream);

    lr.since_us = 0;
    lr.tail = 100;
    lr.grep = "abcde";
    r = call(&req, &out);
    cr_assert_str_eq(r->error, "grep text is 5 bytes; at most 4 are allowed (max_grep)");
    svcd__response__free_unpacked(r, NULL);
}

Test(dispatch, warnings_clients_can_cause_are_rate_limited_too)
{
    for (int i = 0; i < 30; i++)
        svc_note(&s, "cut off mallory: it read none of its output");
    cr_assert_eq(count_of(log_text(), "cut off mallory"), SVC_AUDIT_BURST);
    /* A quiet service (paused, log synced) still wakes when the window
     * ends, so the count is written without waiting for other work. */
    char msg[256];
    svc_pause(&s, NULL, msg, sizeof(msg));
    s.notes.window_start -= SVC_AUDIT_WINDOW_US - 3 * 1000000; /* ends in 3 s */
    cr_assert_eq(logstore_sync_due(&s.log, UINT64_MAX, 0), 0); /* synced now */
    int wait_ms = svc_tick(&s);
    cr_assert(wait_ms > 2000 && wait_ms <= 3000, "the loop sleeps %d ms", wait_ms);
    s.notes.window_start -= 3 * 1000000;
    svc_tick(&s);
    cr_assert_not_null(strstr(log_text(), "\"logger\":\"service\",\"msg\":\"suppressed 10 warnings "
                                          "about clients (more than 20 in 10 s)\""));
}

/* A rotation that cannot rename svcd.log (on Windows, a reader without
 * FILE_SHARE_DELETE; here a directory on the rotated name) is logged once,
 * shown in status while it lasts, and its end is logged too. */
Test(dispatch, a_blocked_rotation_is_logged_once_and_shown_in_status)
{
    Svcd__Request st = request(SVCD__REQUEST__COMMAND_STATUS);
    char squat[PATHS_MAX + 16], msg[64];
    struct dispatch_out out;
    Svcd__Response *r;
    const char *t, *hit;
    int warnings = 0;

    s.log.rotate_size = 4096;
    logstore_set_min_age(&s.log, 0); /* rotate as soon as it is full */
    snprintf(squat, sizeof(squat), "%s.%012llu", s.log.path, (unsigned long long)s.log.first_seq);
    cr_assert_eq(mkdir(squat, 0700), 0);
    cr_assert_eq(tmpdir_write(squat, "x", "x", 1), 0);
    for (int i = 0; i < 60; i++) /* ~130 bytes each: past 4 KiB */
        svc_pause(&s, NULL, msg, sizeof(msg)), svc_resume(&s, NULL, msg, sizeof(msg));
    cr_assert_neq(s.log.rotate_blocked, 0);
    t = log_text();
    for (hit = t; (hit = strstr(hit, "\"msg\":\"log rotation blocked: cannot rename svcd.log to "
                                     "svcd.log.000000000001")) != NULL;
         hit++)
        warnings++;
    cr_assert_eq(warnings, 1, "warned once, not at every entry: %s", t);
    cr_assert_null(strstr(t, "rotation resumed"));
    r = call(&st, &out);
    cr_assert(strstr(r->status->rotation_blocked, "cannot rename svcd.log to svcd.log."), "%s",
              r->status->rotation_blocked);
    cr_assert_eq(r->status->rotation_blocked_since_us, s.log.rotate_blocked_since_us);
    cr_assert_gt(r->status->rotation_blocked_since_us, 0);
    svcd__response__free_unpacked(r, NULL);

    char inside[PATHS_MAX + 32];
    snprintf(inside, sizeof(inside), "%s/x", squat);
    cr_assert_eq(remove(inside), 0);
    cr_assert_eq(rmdir(squat), 0);
    s.log.rotate_retry_mono = 0; /* as if the retry period had passed */
    svc_pause(&s, NULL, msg, sizeof(msg));
    cr_assert_eq(s.log.rotate_blocked, 0);
    cr_assert_eq(s.log.rotations, 1);
    cr_assert(strstr(log_text(),
                     "\"level\":\"notice\",\"logger\":\"service\",\"msg\":\"log rotation "
                     "resumed after "),
              "%s", log_text());
    r = call(&st, &out);
    cr_assert_str_eq(r->status->rotation_blocked, "");
    cr_assert_eq(r->status->rotation_blocked_since_us, 0);
    svcd__response__free_unpacked(r, NULL);
}
