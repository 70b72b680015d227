/* Group commit (issue 13, case 3): the durable entries of one loop round
 * share one sync, and no reply leaves before it. The log store runs on the
 * real file system behind logfs.h's seam, which here counts syncs and
 * records how much of the file each one covered. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authz.h"
#include "clock.h"
#include "codec.h"
#include "err.h"
#include "frame.h"
#include "logfs.h"
#include "logtest.h"
#include "raw.h"
#include "server.h"
#include "svc.h"
#include "tmpdir.h"

static char dir[256], state[320], sock[320];
static struct svc s;
static struct ipc_peer alice = {.pid = 4242, .uid = 3999001, .gid = 0, .name = "alice"};

static struct {
    unsigned syncs;
    int fail;             /* the next sync fails with ERR_IO */
    int fail_appends;     /* appends from now on fail with ERR_NOSPC */
    fs_file *synced_f;    /* the file of the last sync that worked */
    uint64_t synced_size; /* and its size then */
} fx;

static int counting_sync(fs_file *f)
{
    fx.syncs++;
    if (fx.fail) {
        fx.fail = 0;
        return ERR_IO;
    }
    fx.synced_f = f;
    cr_assert_eq(logfs_real.size(f, &fx.synced_size), 0);
    return 0;
}

static int failing_append(fs_file *f, const void *data, size_t n)
{
    if (fx.fail_appends)
        return ERR_NOSPC;
    return logfs_real.append(f, data, n);
}

static struct logfs counting;

static void setup(void)
{
    struct config cfg;

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    counting = logfs_real;
    counting.sync = counting_sync;
    counting.append = failing_append;
    memset(&fx, 0, sizeof(fx));
    logfs = &counting;
    config_defaults(&cfg, 0);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state);
    snprintf(cfg.endpoint, sizeof(cfg.endpoint), "%s", sock);
    cfg.interval_us = 3600ull * 1000000ull; /* no heartbeat during the test */
    cr_assert_eq(svc_start(&s, &cfg, 0), 0);
}

static void teardown(void)
{
    svc_finish(&s);
    logfs = &logfs_real;
    tmpdir_remove(dir);
}

/* Every byte of the open log file was covered by a sync that worked. */
static int all_durable(void)
{
    return s.log.dirty == 0 && fx.synced_f == s.log.f && fx.synced_size == s.log.size;
}

TestSuite(groupcommit, .init = setup, .fini = teardown, .timeout = 60);

Test(groupcommit, outside_a_group_each_durable_entry_is_synced_at_once)
{
    unsigned before = fx.syncs;

    for (int i = 0; i < 5; i++) {
        svc_audit(&s, &alice, "status", 1, NULL);
        cr_assert(all_durable(), "entry %d on disk when svc_audit returns", i + 1);
    }
    cr_assert_eq(fx.syncs - before, 5);
}

Test(groupcommit, the_entries_of_a_group_share_one_sync)
{
    char msg[256];
    unsigned before = fx.syncs;

    svc_group_begin(&s);
    cr_assert_eq(svc_pause(&s, &alice, msg, sizeof(msg)), 1);
    for (int i = 0; i < 50; i++)
        svc_audit(&s, &alice, "status", 1, NULL);
    cr_assert_eq(fx.syncs, before, "no sync inside the group");
    cr_assert(!all_durable(), "written, not yet synced");
    svc_group_commit(&s);
    cr_assert_eq(fx.syncs - before, 1, "one sync for the group");
    cr_assert(all_durable(), "every entry of the group is on disk after the commit");
    svc_group_commit(&s);
    cr_assert_eq(fx.syncs - before, 1, "nothing owed: no second sync");
}

Test(groupcommit, a_failed_group_sync_degrades_and_is_retried_as_a_sync)
{
    svc_group_begin(&s);
    svc_audit(&s, &alice, "status", 1, NULL);
    fx.fail = 1;
    svc_group_commit(&s);
    cr_assert_eq(s.degraded, 1, "the failed sync is reported");
    cr_assert(strstr(s.degraded_error, "cannot sync "), "%s", s.degraded_error);
    cr_assert_eq(s.held.n, 0, "the entry is in the file: not held, never written twice");
    svc_tick(&s);
    cr_assert_eq(s.degraded, 0, "%s", s.degraded_error);
    cr_assert(all_durable());
}

/* Entries written before a later one of the group failed (and was held in
 * memory) are acknowledged by the round's replies: the commit syncs them. */
Test(groupcommit, entries_written_before_a_failed_one_are_still_synced)
{
    char msg[256];

    svc_group_begin(&s);
    cr_assert_eq(svc_pause(&s, &alice, msg, sizeof(msg)), 1);
    fx.fail_appends = 1;
    svc_audit(&s, &alice, "status", 1, NULL);
    cr_assert_gt(s.held.n, 0, "the failed entry is held in memory");
    svc_group_commit(&s);
    cr_assert(all_durable(), "the pause written before it is on disk after the commit");
    fx.fail_appends = 0;
}

Test(groupcommit, repeated_no_op_controls_are_audited_within_the_limit)
{
    unsigned before = fx.syncs;

    for (int i = 0; i < 200; i++)
        svc_audit_noop(&s, &alice, "pause", "already paused");
    cr_assert_eq(fx.syncs - before, SVC_AUDIT_BURST, "only the audited ones cost a sync");
    s.noop_audit.window_start -= SVC_AUDIT_WINDOW_US; /* the window ends */
    svc_tick(&s);
    size_t len;
    char name[400];
    snprintf(name, sizeof(name), "state/svcd.log");
    char *text = tmpdir_read(dir, name, &len);
    cr_assert(strstr(text, "suppressed 180 audit entries of granted controls that changed "
                           "nothing (more than 20 in 10 s)"),
              "%s", text);
    free(text);
}

/* One request of `cmd` (pause, resume, or logs with `lr`), framed. */
static uint8_t *request_frame(uint64_t id, int cmd, Svcd__LogsRequest *lr, size_t *len)
{
    Svcd__PauseRequest pr = SVCD__PAUSE_REQUEST__INIT;
    Svcd__ResumeRequest rr = SVCD__RESUME_REQUEST__INIT;
    Svcd__Request req = SVCD__REQUEST__INIT;
    uint8_t *frame;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = id;
    req.command_case = cmd;
    if (cmd == SVCD__REQUEST__COMMAND_PAUSE)
        req.pause = &pr;
    else if (cmd == SVCD__REQUEST__COMMAND_RESUME)
        req.resume = &rr;
    else
        req.logs = lr;
    cr_assert_eq(codec_frame(&req.base, &frame, len), 0);
    return frame;
}

/* Appends a framed request to the `all` buffer of `cap` bytes at *total. */
static void add_request(uint8_t *all, size_t cap, size_t *total, uint64_t id, int cmd,
                        Svcd__LogsRequest *lr)
{
    size_t len;
    uint8_t *f = request_frame(id, cmd, lr, &len);

    cr_assert_leq(*total + len, cap);
    memcpy(all + *total, f, len);
    *total += len;
    free(f);
}

/* Reads the replies that have arrived, without waiting; returns how many
 * answer requests of id `min_id` and up. */
static int take_replies(int fd, struct frame_reader *fr, uint64_t min_id)
{
    uint8_t buf[65536];
    int n = 0;

    for (;;) {
        ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (r <= 0)
            return n;
        for (size_t off = 0; off < (size_t)r;) {
            size_t used;
            int rc = frame_reader_feed(fr, buf + off, (size_t)r - off, &used);
            off += used;
            cr_assert_geq(rc, 0);
            if (rc != 1)
                continue;
            uint32_t len;
            uint8_t *f = frame_reader_take(fr, &len);
            Svcd__Response *resp = svcd__response__unpack(NULL, len, f);
            cr_assert_not_null(resp);
            n += resp->id >= min_id;
            svcd__response__free_unpacked(resp, NULL);
            free(f);
        }
    }
}

/* Sends `total` bytes of pipelined requests on one connection to a real
 * server over `s`, runs its loop until `want` replies to ids `min_id` and
 * up arrived (at most `rounds` rounds), checking at each that everything
 * written before a readable reply is on disk. Returns the syncs it took. */
static unsigned serve_pipelined(const uint8_t *all, size_t total, int want, uint64_t min_id,
                                int rounds)
{
    struct config cfg;
    struct authz *az;
    struct server sv;
    struct frame_reader fr;
    char err[AUTHZ_ERR_MAX];
    int got = 0;

    config_defaults(&cfg, 0);
    cr_assert_eq(authz_open(&cfg, 0, &az, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(server_open(&sv, &s, az, sock, 0), 0);
    int fd = raw_connect(sock);
    cr_assert_geq(fd, 0);
    cr_assert_eq(raw_send_all(fd, all, total), 0);
    frame_reader_init(&fr, 1 << 20);
    unsigned before = fx.syncs;
    for (int round = 0; round < rounds && got < want; round++) {
        cr_assert_eq(server_run_once(&sv, 100), 0);
        int n = take_replies(fd, &fr, min_id);
        if (n > 0)
            cr_assert(all_durable(), "replies arrived before their entries were synced");
        got += n;
    }
    cr_assert_eq(got, want, "every request answered");
    frame_reader_free(&fr);
    close(fd);
    server_close(&sv);
    authz_close(az);
    return fx.syncs - before;
}

/* Through the server: 40 durable entries' worth of pipelined pauses from
 * one connection (the first pauses, the rest are audited no-ops), in one
 * write. Whenever a reply can be read, everything written before it is
 * on disk; and the round's entries share syncs (old code: one each). */
Test(groupcommit, a_rounds_replies_leave_after_its_one_sync)
{
    uint8_t all[4096];
    size_t total = 0;

    for (uint64_t i = 1; i <= 20; i++)
        add_request(all, sizeof(all), &total, i, SVCD__REQUEST__COMMAND_PAUSE, NULL);
    unsigned syncs = serve_pipelined(all, total, 20, 1, 50);
    cr_assert_leq(syncs, 2, "%u syncs for the 21 durable entries of these pauses", syncs);
}

/* Controls held behind a query that yields (a grep over a long history)
 * are answered when it ends, outside the loop's read phase: they must
 * still share the round's sync (the review found one sync each, a way back
 * to issue 13's case 3 stall). */
Test(groupcommit, controls_behind_a_yielding_query_share_a_sync)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    static uint8_t all[16384];
    size_t total = 0;

    for (int i = 0; i < 60000; i++)
        cr_assert_eq(logtest_append(&s.log, "hay", 0, clock_mono_us()), 0);
    cr_assert_eq(logstore_sync(&s.log, clock_mono_us()), 0);
    lr.tail = UINT32_MAX;
    lr.grep = "needle";
    add_request(all, sizeof(all), &total, 1, SVCD__REQUEST__COMMAND_LOGS, &lr);
    for (uint64_t i = 0; i < 64; i++)
        add_request(all, sizeof(all), &total, 100 + i,
                    i % 2 ? SVCD__REQUEST__COMMAND_RESUME : SVCD__REQUEST__COMMAND_PAUSE, NULL);
    unsigned syncs = serve_pipelined(all, total, 64, 100, 2000);
    cr_assert_leq(syncs, 4, "%u syncs for the 64 state changes behind the query", syncs);
}

/* A client that sends more than a round answers and never reads: once its
 * replies fill the output queue, its held requests wait for the socket,
 * and the loop sleeps meanwhile (the review found it spinning: each round
 * saw the backlog, skipped it for the full queue, and ran again at once). */
Test(groupcommit, a_backlog_behind_a_full_output_queue_lets_the_loop_sleep)
{
    struct config cfg;
    struct authz *az;
    struct server sv;
    char err[AUTHZ_ERR_MAX];
    size_t total = 0, cap = 40000 * 16;
    uint8_t *all = malloc(cap);

    cr_assert_not_null(all);
    for (uint64_t i = 1; i <= 40000; i++) {
        Svcd__Request req = raw_status_req(i);
        uint8_t *f;
        size_t len;
        cr_assert_eq(codec_frame(&req.base, &f, &len), 0);
        cr_assert_leq(total + len, cap);
        memcpy(all + total, f, len);
        total += len;
        free(f);
    }
    config_defaults(&cfg, 0);
    cr_assert_eq(authz_open(&cfg, 0, &az, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(server_open(&sv, &s, az, sock, 0), 0);
    int fd = raw_connect(sock);
    cr_assert_geq(fd, 0);
    /* Sent while the server reads, until it takes no more: its replies
     * fill the socket and its output queue, it stops reading, and what it
     * took past a round's share waits as a backlog. */
    size_t sent = 0;
    for (int idle = 0, round = 0; round < 5000 && idle < 100 && sent < total; round++) {
        ssize_t w = send(fd, all + sent, total - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w > 0)
            sent += (size_t)w;
        idle = w > 0 ? 0 : idle + 1;
        cr_assert_eq(server_run_once(&sv, 1), 0);
    }
    cr_assert_gt(sent, 64 * 16, "more requests than a round answers were taken in");
    /* Now only the client's reading could move anything: a second of
     * rounds that each may wait 100 ms is a handful of rounds, not a spin. */
    int rounds = 0;
    for (uint64_t end = clock_mono_us() + 1000000; clock_mono_us() < end; rounds++)
        cr_assert_eq(server_run_once(&sv, 100), 0);
    cr_assert_lt(rounds, 100, "%d rounds in a second with nothing to do", rounds);
    close(fd);
    server_close(&sv);
    authz_close(az);
    free(all);
}
