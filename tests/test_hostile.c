/* A hostile client against the real svcd: every kind of malformed input the
 * protocol can carry, each answered with a precise error or a closed
 * connection, and after each a fresh connection's `status` must still
 * succeed. svcd runs with short timeouts so the slow cases stay quick. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "frame.h"
#include "proc.h"
#include "raw.h"
#include "tmpdir.h"

static char dir[256], sock[320], state[320], svcd_log[320];
static pid_t svcd_pid = -1;

/* A history of 20 000 entries (about 2.5 MB), so a stream can outgrow any
 * socket and queue buffer. */
static void write_history(void)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/svcd.log", state);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 1; i <= 20000; i++)
        fprintf(f,
                "{\"seq\":%d,\"time\":\"2026-11-24T%02d:%02d:%02d.000000Z\",\"level\":\"info\","
                "\"source\":\"worker\",\"msg\":\"history entry %d, padded to make the stream "
                "long enough to fill every buffer\"}\n",
                i, i / 3600, (i / 60) % 60, i % 60, i);
    cr_assert_eq(fclose(f), 0);
}

/* Starts svcd on the suite's folder with `request_timeout` and
 * `idle_timeout`. */
static void start_svcd(char *request_timeout, char *idle_timeout)
{
    char *argv[] = {SVCD_BIN,
                    "run",
                    "--endpoint",
                    sock,
                    "--state-dir",
                    state,
                    "--interval",
                    "50ms",
                    "--control-group",
                    "root",
                    "--request-timeout",
                    request_timeout,
                    "--idle-timeout",
                    idle_timeout,
                    "--stall-timeout",
                    "500ms",
                    NULL};
    svcd_pid = proc_spawn(argv, NULL, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    cr_assert_eq(proc_wait_connect(sock, 5000), 0, "svcd did not start");
}

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(svcd_log, sizeof(svcd_log), "%s/svcd.out", dir);
    cr_assert_eq(mkdir(state, 0755), 0);
    write_history();
    start_svcd("300ms", "700ms");
}

/* For a case that must not race the timeouts (300 connects take longer
 * than 300 ms under valgrind): the same svcd with both at `timeout`. */
static void restart_svcd(char *timeout)
{
    cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), 0, "svcd must stop cleanly");
    svcd_pid = -1;
    start_svcd(timeout, timeout);
}

static void teardown(void)
{
    if (svcd_pid > 0)
        cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), 0, "svcd must stop cleanly");
    svcd_pid = -1;
    tmpdir_remove(dir);
}

static int hconnect(void)
{
    int fd = raw_connect(sock);
    cr_assert_geq(fd, 0, "connect: %s", strerror(errno));
    return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
    cr_assert_eq(raw_send_all(fd, p, n), 0, "send: %s", strerror(errno));
}

static void send_req(int fd, Svcd__Request *req)
{
    cr_assert_eq(raw_send_req(fd, req), 0, "send: %s", strerror(errno));
}

static void send_payload(int fd, const void *payload, uint32_t n)
{
    cr_assert_eq(raw_send_payload(fd, payload, n), 0, "send: %s", strerror(errno));
}

/* The check after every case: a new connection is served at once. */
static void status_still_works(void)
{
    int fd = hconnect();
    Svcd__Request req = raw_status_req(4242);

    send_req(fd, &req);
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    cr_assert_not_null(r, "svcd no longer answers status");
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    cr_assert_eq(r->id, 4242);
    svcd__response__free_unpacked(r, NULL);
    close(fd);
    cr_assert_eq(kill(svcd_pid, 0), 0, "svcd is alive");
}

/* Expects one error reply with `result` whose text starts with `text`
 * (and, when `also` is not NULL, contains it), then (if `closes`) the end of
 * the connection. The reply is freed before any assertion, so a failed one
 * reports the text and leaks nothing. */
static void expect_error_with(int fd, Svcd__Result result, const char *text, const char *also,
                              int closes)
{
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    char err[512] = "";
    int got;

    cr_assert_not_null(r, "an error reply, not a silent close");
    got = r->result;
    snprintf(err, sizeof(err), "%s", r->error ? r->error : "");
    svcd__response__free_unpacked(r, NULL);
    cr_assert_eq(got, result, "result %d, expected %d (%s)", got, result, err);
    cr_assert(strncmp(err, text, strlen(text)) == 0, "error '%s', expected '%s…'", err, text);
    cr_assert(also == NULL || strstr(err, also) != NULL, "error '%s' does not name '%s'", err,
              also);
    if (closes)
        cr_assert(raw_closed_within(fd, 2000), "the connection is closed after the error");
}

static void expect_error(int fd, Svcd__Result result, const char *text, int closes)
{
    expect_error_with(fd, result, text, NULL, closes);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 60);

Test(hostile, zero_length_frame)
{
    int fd = hconnect();
    send_payload(fd, NULL, 0);
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, "zero-length frame; closing connection", 1);
    close(fd);
    status_still_works();
}

Test(hostile, length_just_over_the_limit)
{
    uint8_t hdr[4];
    int fd = hconnect();
    frame_put_header(hdr, 64 * 1024 + 1); /* max_request_size is 64 KiB by default */
    send_all(fd, hdr, 4);
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST,
                 "frame larger than the 65536-byte limit (max_request_size); closing connection",
                 1);
    close(fd);
    status_still_works();
}

Test(hostile, length_of_four_gigabytes)
{
    const uint8_t hdr[4] = {0xff, 0xff, 0xff, 0xff};
    int fd = hconnect();
    send_all(fd, hdr, 4);
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST,
                 "frame larger than the 65536-byte limit (max_request_size); closing connection",
                 1);
    close(fd);
    status_still_works();
}

Test(hostile, truncated_body_then_hang_up)
{
    uint8_t buf[14] = {0, 0, 0, 100};
    int fd = hconnect();
    send_all(fd, buf, sizeof(buf));
    close(fd);
    status_still_works();
}

Test(hostile, truncated_body_then_silence_hits_the_request_timeout)
{
    uint8_t buf[14] = {0, 0, 0, 100};
    int fd = hconnect();
    send_all(fd, buf, sizeof(buf));
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST,
                 "no complete request within 0.300s (request_timeout); closing connection", 1);
    close(fd);
    status_still_works();
}

Test(hostile, connect_and_say_nothing)
{
    int fd = hconnect();
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, "no complete request within 0.300s", 1);
    close(fd);
    status_still_works();
}

Test(hostile, slowloris_one_byte_at_a_time)
{
    Svcd__Request req = raw_status_req(1);
    uint8_t *frame;
    size_t len, i;
    int fd = hconnect();

    cr_assert_eq(codec_frame(&req.base, &frame, &len), 0);
    /* 100 ms a byte: the whole request would take longer than 300 ms. */
    for (i = 0; i < len; i++) {
        if (send(fd, frame + i, 1, MSG_NOSIGNAL) != 1)
            break;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 100) > 0)
            break; /* the server spoke: the timeout */
    }
    free(frame);
    cr_assert_lt(i, len, "a trickled request is cut off before it completes");
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, "no complete request within 0.300s", 1);
    close(fd);
    status_still_works();
}

Test(hostile, garbage_bytes_in_a_well_formed_frame)
{
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x13, 0x37};
    int fd = hconnect();
    send_payload(fd, junk, sizeof(junk));
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST,
                 "malformed request: not a valid svcd.Request message", 1);
    close(fd);
    status_still_works();
}

Test(hostile, a_known_field_with_the_wrong_wire_type)
{
    const uint8_t bad[] = {0x0a, 0x01, 0x41}; /* version (a varint) sent as bytes */
    int fd = hconnect();
    send_payload(fd, bad, sizeof(bad));
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, "malformed request", 1);
    close(fd);
    status_still_works();
}

Test(hostile, a_length_field_longer_than_the_frame)
{
    const uint8_t bad[] = {0x08, 0x01, 0x6a, 0xff, 0xff, 0xff, 0xff, 0x07}; /* logs, 2 GiB */
    int fd = hconnect();
    send_payload(fd, bad, sizeof(bad));
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, "malformed request", 1);
    close(fd);
    status_still_works();
}

Test(hostile, a_response_message_sent_as_a_request)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__Status st = SVCD__STATUS__INIT;
    uint8_t *frame;
    size_t len;
    int fd = hconnect();

    /* Protobuf has no type tag: its id (field 1) reads as a version. */
    resp.id = 7;
    resp.result = SVCD__RESULT__RESULT_DENIED;
    resp.error = "not a request";
    resp.body_case = SVCD__RESPONSE__BODY_STATUS;
    resp.status = &st;
    cr_assert_eq(codec_frame(&resp.base, &frame, &len), 0);
    send_all(fd, frame, len);
    free(frame);
    expect_error(fd, SVCD__RESULT__RESULT_UNSUPPORTED_VERSION,
                 "protocol version 7 is not supported", 0);
    close(fd);
    status_still_works();
}

Test(hostile, an_unknown_command)
{
    const uint8_t raw[] = {0x08, 0x01, 0x10, 0x05, 0x9a, 0x06, 0x00}; /* field 99 */
    int fd = hconnect();
    send_payload(fd, raw, sizeof(raw));
    expect_error(fd, SVCD__RESULT__RESULT_UNKNOWN_COMMAND, "unknown or missing command", 0);
    close(fd);
    status_still_works();
}

Test(hostile, no_command_at_all)
{
    const uint8_t raw[] = {0x08, 0x01, 0x10, 0x05};
    int fd = hconnect();
    send_payload(fd, raw, sizeof(raw));
    expect_error(fd, SVCD__RESULT__RESULT_UNKNOWN_COMMAND, "unknown or missing command", 0);
    close(fd);
    status_still_works();
}

Test(hostile, no_protocol_version)
{
    Svcd__Request req = raw_status_req(3);
    int fd = hconnect();
    req.version = 0;
    send_req(fd, &req);
    expect_error(fd, SVCD__RESULT__RESULT_UNSUPPORTED_VERSION,
                 "request has no protocol version; this service speaks version 1", 0);
    close(fd);
    status_still_works();
}

Test(hostile, a_future_protocol_version)
{
    Svcd__Request req = raw_status_req(3);
    int fd = hconnect();
    req.version = UINT32_MAX;
    send_req(fd, &req);
    expect_error(fd, SVCD__RESULT__RESULT_UNSUPPORTED_VERSION,
                 "protocol version 4294967295 is not supported", 0);
    close(fd);
    status_still_works();
}

static void bad_logs(Svcd__LogsRequest *lr, const char *text)
{
    Svcd__Request req = raw_logs_req(11, lr);
    int fd = hconnect();
    send_req(fd, &req);
    expect_error(fd, SVCD__RESULT__RESULT_BAD_REQUEST, text, 0);
    /* the same connection goes on working after a refused request */
    Svcd__Request st = raw_status_req(12);
    send_req(fd, &st);
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    cr_assert_not_null(r);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    svcd__response__free_unpacked(r, NULL);
    close(fd);
    status_still_works();
}

Test(hostile, an_inverted_time_range)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    lr.since_us = 2000000;
    lr.until_us = 1000000;
    bad_logs(&lr, "invalid time range: since must not be after until");
}

Test(hostile, a_negative_time)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    lr.since_us = -5;
    bad_logs(&lr, "invalid time range");
}

Test(hostile, invalid_utf8_in_grep)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    lr.grep = "\xc3\x28 overlong \xe0\x80\x80";
    bad_logs(&lr, "grep text is not valid UTF-8");
}

Test(hostile, grep_longer_than_the_limit)
{
    static char text[5000];
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    memset(text, 'x', sizeof(text) - 1);
    lr.grep = text;
    bad_logs(&lr, "grep text is 4999 bytes; at most 255 are allowed");
}

Test(hostile, an_absurd_level)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    lr.min_level = (Svcd__Level)1000;
    bad_logs(&lr, "unknown level 1000 (1 debug to 5 error)");
}

Test(hostile, a_negative_level)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    lr.min_level = (Svcd__Level)-3;
    bad_logs(&lr, "unknown level -3 (1 debug to 5 error)");
}

/* Reads a log stream to its LogEnd; returns the number of entries. */
static uint64_t read_stream(int fd, uint64_t id)
{
    uint64_t n = 0;
    for (;;) {
        Svcd__Response *r = raw_recv_resp(fd, 5000);
        cr_assert_not_null(r, "the stream ends with a LogEnd");
        cr_assert_eq(r->id, id);
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_END) {
            cr_assert_eq(r->log_end->count, n);
            svcd__response__free_unpacked(r, NULL);
            return n;
        }
        cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_LOG_CHUNK);
        n += r->log_chunk->n_entries;
        svcd__response__free_unpacked(r, NULL);
    }
}

Test(hostile, the_largest_tail_is_every_entry_not_an_allocation)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_logs_req(21, &lr);
    int fd = hconnect();
    lr.tail = UINT32_MAX;
    send_req(fd, &req);
    cr_assert_geq(read_stream(fd, 21), 1);
    close(fd);
    status_still_works();
}

Test(hostile, requests_sent_twice_before_reading_are_answered_in_order)
{
    Svcd__Request a = raw_status_req(31), b = raw_status_req(32);
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request c = raw_logs_req(33, &lr);
    uint8_t *fa, *fb, *fc, all[4096];
    size_t la, lb, lc;
    int fd = hconnect();

    lr.tail = 5;
    cr_assert_eq(codec_frame(&a.base, &fa, &la), 0);
    cr_assert_eq(codec_frame(&b.base, &fb, &lb), 0);
    cr_assert_eq(codec_frame(&c.base, &fc, &lc), 0);
    memcpy(all, fc, lc); /* a stream first, then two requests behind it */
    memcpy(all + lc, fa, la);
    memcpy(all + lc + la, fb, lb);
    send_all(fd, all, la + lb + lc);
    free(fa);
    free(fb);
    free(fc);
    cr_assert_eq(read_stream(fd, 33), 5);
    for (uint64_t id = 31; id <= 32; id++) {
        Svcd__Response *r = raw_recv_resp(fd, 2000);
        cr_assert_not_null(r);
        cr_assert_eq(r->id, id);
        cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
        svcd__response__free_unpacked(r, NULL);
    }
    close(fd);
    status_still_works();
}

Test(hostile, a_request_during_a_follow_ends_the_stream)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_logs_req(41, &lr), st = raw_status_req(42);
    int fd = hconnect();
    lr.tail = 1;
    lr.follow = 1;
    send_req(fd, &req);
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    cr_assert_not_null(r);
    svcd__response__free_unpacked(r, NULL);
    send_req(fd, &st);
    for (;;) {
        r = raw_recv_resp(fd, 2000);
        cr_assert_not_null(r, "the follow ends with a reason, not a silent close");
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_END)
            break;
        svcd__response__free_unpacked(r, NULL);
    }
    cr_assert_str_eq(r->log_end->reason, "request sent during a follow stream; closing connection");
    svcd__response__free_unpacked(r, NULL);
    cr_assert(raw_closed_within(fd, 2000));
    close(fd);
    status_still_works();
}

/* Waits (without reading `fd`) for the log to say a client was cut off. */
static int wait_cut_off(int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        size_t len;
        char *log = tmpdir_read(state, "svcd.log", &len);
        int found = log &&
                    strstr(log, "\"logger\":\"service\",\"msg\":\"cut off root (uid 0, pid ") &&
                    strstr(log, "of queued output for 0.500s (stall_timeout)");
        free(log);
        if (found)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

Test(hostile, a_reader_that_never_reads_is_cut_off_and_logged)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_logs_req(51, &lr);
    int fd = hconnect();

    lr.tail = UINT32_MAX; /* the 20 000 entries written before svcd started, and more */
    lr.follow = 1;
    send_req(fd, &req);
    cr_assert(wait_cut_off(5000), "no 'cut off' entry in the log");
    status_still_works(); /* everyone else is served meanwhile */
    cr_assert(raw_closed_within(fd, 5000), "the connection is closed");
    close(fd);
}

Test(hostile, pipelined_requests_from_a_client_that_never_reads)
{
    Svcd__Request req = raw_status_req(61);
    uint8_t *frame, *burst;
    size_t len, total = 0;
    int fd = hconnect();

    cr_assert_eq(codec_frame(&req.base, &frame, &len), 0);
    burst = malloc(len * 6000);
    for (int i = 0; i < 6000; i++, total += len)
        memcpy(burst + total, frame, len);
    /* The server stops reading once its replies back up, so this send may
     * stop short: that is the backpressure. */
    (void)send(fd, burst, total, MSG_DONTWAIT | MSG_NOSIGNAL);
    free(burst);
    free(frame);
    status_still_works(); /* others are served while this one is stuck */
    cr_assert(wait_cut_off(5000), "no 'cut off' entry in the log");
    cr_assert(raw_closed_within(fd, 5000), "the connection is closed");
    close(fd);
    status_still_works();
}

Test(hostile, random_payloads)
{
    unsigned seed = 12345;
    for (int i = 0; i < 200; i++) {
        uint8_t buf[256];
        uint32_t n = 1 + (uint32_t)(rand_r(&seed) % sizeof(buf));
        for (uint32_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rand_r(&seed);
        int fd = hconnect();
        send_payload(fd, buf, n);
        Svcd__Response *r = raw_recv_resp(fd, 2000);
        cr_assert_not_null(r, "payload %d: a reply to every payload", i);
        svcd__response__free_unpacked(r, NULL);
        close(fd);
    }
    status_still_works();
}

Test(hostile, an_idle_connection_is_closed)
{
    Svcd__Request req = raw_status_req(71);
    int fd = hconnect();
    send_req(fd, &req);
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    cr_assert_not_null(r);
    svcd__response__free_unpacked(r, NULL);
    cr_assert(raw_closed_within(fd, 3000), "closed after idle_timeout (700 ms)");
    close(fd);
    status_still_works();
}

Test(hostile, a_follow_is_never_idle)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_logs_req(81, &lr);
    int fd = hconnect();
    uint64_t n = 0;
    lr.tail = 0;
    lr.follow = 1;
    send_req(fd, &req);
    struct timespec t0, t1;
    long long ms;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* three idle_timeouts (700 ms) and more: what arrives after the third
     * came to a follow that idle_timeout did not end. Counted, not timed:
     * under valgrind fewer heartbeats come per second. */
    do {
        Svcd__Response *r = raw_recv_resp(fd, 5000);
        cr_assert_not_null(r, "the follow goes on past idle_timeout");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms > 2100 && r->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK)
            n += r->log_chunk->n_entries;
        svcd__response__free_unpacked(r, NULL);
    } while (n < 3); /* ends when heartbeats keep coming, else the assertion above fails */
    close(fd);
    status_still_works();
}

Test(hostile, half_closed_after_the_request)
{
    Svcd__Request req = raw_status_req(91);
    int fd = hconnect();
    send_req(fd, &req);
    shutdown(fd, SHUT_WR);
    Svcd__Response *r = raw_recv_resp(fd, 2000);
    cr_assert_not_null(r, "the reply still comes");
    cr_assert_eq(r->id, 91);
    svcd__response__free_unpacked(r, NULL);
    close(fd);
    status_still_works();
}

Test(hostile, more_connections_than_allowed)
{
    int fds[300];
    char uid[32];
    Svcd__Request req = raw_status_req(100);

    restart_svcd("20s");
    /* The first connection is served before the others come: svcd has then
     * seen the start-up probe's connection close, which would otherwise
     * still count as one of root's (CI saw the 16th refused). */
    fds[0] = hconnect();
    send_req(fds[0], &req);
    Svcd__Response *r = raw_recv_resp(fds[0], 5000);
    cr_assert_not_null(r);
    cr_assert_eq(r->result, SVCD__RESULT__RESULT_OK);
    svcd__response__free_unpacked(r, NULL);
    for (int i = 1; i < 300; i++)
        fds[i] = hconnect();
    /* Connections count against their user from accept: the 17th is past
     * max_connections_per_user (16) and refused at its request; the last
     * one, past the few refusals kept waiting, is refused at once. Either
     * refusal names the caller by uid; the name itself may still be on its
     * way from the name service at accept, where svcd refuses at once
     * rather than wait for it (CI saw "uid 0 (pid N)"). */
    snprintf(uid, sizeof(uid), "uid %ld", (long)getuid());
    req = raw_status_req(101);
    send_req(fds[16], &req);
    expect_error_with(fds[16], SVCD__RESULT__RESULT_BUSY, "too many connections from ", uid, 1);
    expect_error_with(fds[299], SVCD__RESULT__RESULT_BUSY, "too many connections from ", uid, 1);
    for (int i = 0; i < 300; i++)
        close(fds[i]);
    usleep(100 * 1000);
    status_still_works();
}
