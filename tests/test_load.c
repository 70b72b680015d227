/* Load: 200 clients x 500 mixed requests (status, tails, pause/resume) on
 * persistent connections, while 50 follow streams stay open and 200 idle
 * connections sit there, against the real svcd. Every request must be
 * answered correctly, every follower must see consecutive entries, and a
 * second identical round must not grow svcd's memory (no leak). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "raw.h"
#include "tmpdir.h"

#define CLIENTS  200
#define REQUESTS 500
#define FOLLOWS  50
#define IDLE     200
#define TAIL     5

static char dir[256], sock[320], state[320], svcd_log[320];
static pid_t svcd_pid = -1;
static atomic_int errors, stop_follows;
static atomic_long answered, followed;
static char first_error[512];
static pthread_mutex_t error_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    va_list ap;

    if (atomic_fetch_add(&errors, 1) == 0) {
        pthread_mutex_lock(&error_lock);
        va_start(ap, fmt);
        vsnprintf(first_error, sizeof(first_error), fmt, ap);
        va_end(ap);
        pthread_mutex_unlock(&error_lock);
    }
}

static long rss_kib(void)
{
    char path[64], line[256];
    long kib = -1;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)svcd_pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Reads a tail's frames; returns the entry count, or -1 if it went wrong. */
static long read_tail(int fd, uint64_t id)
{
    long n = 0;
    for (;;) {
        Svcd__Response *r = raw_recv_resp(fd, 10000);
        if (r == NULL || r->id != id || r->result != SVCD__RESULT__RESULT_OK) {
            if (r)
                svcd__response__free_unpacked(r, NULL);
            return -1;
        }
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_END) {
            long end = (long)r->log_end->count;
            svcd__response__free_unpacked(r, NULL);
            return end == n ? n : -1;
        }
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK)
            n += (long)r->log_chunk->n_entries;
        svcd__response__free_unpacked(r, NULL);
    }
}

/* One request of the mix: mostly status, some tails, a few pause/resume. */
static int one_request(int fd, uint64_t id, int kind)
{
    Svcd__PauseRequest pa = SVCD__PAUSE_REQUEST__INIT;
    Svcd__ResumeRequest re = SVCD__RESUME_REQUEST__INIT;
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_status_req(id);
    Svcd__Response__BodyCase want = SVCD__RESPONSE__BODY_STATUS;

    if (kind == 0) {
        req.command_case = SVCD__REQUEST__COMMAND_PAUSE;
        req.pause = &pa;
        want = SVCD__RESPONSE__BODY_STATE_CHANGE;
    } else if (kind == 50) {
        req.command_case = SVCD__REQUEST__COMMAND_RESUME;
        req.resume = &re;
        want = SVCD__RESPONSE__BODY_STATE_CHANGE;
    } else if (kind % 5 == 1) {
        lr.tail = TAIL;
        req = raw_logs_req(id, &lr);
    }
    if (raw_send_req(fd, &req) < 0)
        return -1;
    if (req.command_case == SVCD__REQUEST__COMMAND_LOGS) {
        long n = read_tail(fd, id);
        return n >= 0 && n <= TAIL ? 0 : -1;
    }
    Svcd__Response *r = raw_recv_resp(fd, 10000);
    int ok = r && r->id == id && r->result == SVCD__RESULT__RESULT_OK && r->body_case == want;
    if (r)
        svcd__response__free_unpacked(r, NULL);
    return ok ? 0 : -1;
}

static void *client_thread(void *arg)
{
    long t = (long)arg;
    int fd = raw_connect(sock);

    if (fd < 0) {
        fail("client %ld cannot connect", t);
        return NULL;
    }
    for (long i = 0; i < REQUESTS; i++) {
        if (one_request(fd, (uint64_t)(i + 1), (int)((i + t) % 100)) < 0) {
            fail("client %ld: request %ld was not answered correctly", t, i + 1);
            break;
        }
        atomic_fetch_add(&answered, 1);
    }
    close(fd);
    return NULL;
}

/* Follows from now until told to stop; the entries must be consecutive. */
static void *follow_thread(void *arg)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request req = raw_logs_req(1, &lr);
    long t = (long)arg;
    uint64_t prev = 0;
    int fd = raw_connect(sock);

    lr.tail = 1;
    lr.follow = 1;
    if (fd < 0 || raw_send_req(fd, &req) < 0) {
        fail("follower %ld cannot start", t);
        return NULL;
    }
    while (!atomic_load(&stop_follows)) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 200) == 0)
            continue; /* nothing new (paused, say): check for the end of the round */
        Svcd__Response *r = raw_recv_resp(fd, 5000);
        if (r == NULL || r->result != SVCD__RESULT__RESULT_OK) {
            fail("follower %ld: stream broke after seq %ld", t, (long)prev);
            break;
        }
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK) {
            for (size_t i = 0; i < r->log_chunk->n_entries; i++) {
                uint64_t seq = r->log_chunk->entries[i]->seq;
                if (prev && seq != prev + 1)
                    fail("a follower saw seq %ld after %ld", (long)seq, (long)prev);
                prev = seq;
            }
            atomic_fetch_add(&followed, (long)r->log_chunk->n_entries);
        }
        svcd__response__free_unpacked(r, NULL);
    }
    close(fd);
    return NULL;
}

/* A connection that asks once, then sits idle through the round. */
static int idle_conn(void)
{
    Svcd__Request req = raw_status_req(1);
    int fd = raw_connect(sock);
    cr_assert_geq(fd, 0);
    cr_assert_eq(raw_send_req(fd, &req), 0);
    Svcd__Response *r = raw_recv_resp(fd, 10000);
    cr_assert_not_null(r);
    svcd__response__free_unpacked(r, NULL);
    return fd;
}

static void round_of_load(void)
{
    pthread_t clients[CLIENTS], follows[FOLLOWS];
    int idle[IDLE];

    atomic_store(&stop_follows, 0);
    for (int i = 0; i < IDLE; i++)
        idle[i] = idle_conn();
    for (long i = 0; i < FOLLOWS; i++)
        cr_assert_eq(pthread_create(&follows[i], NULL, follow_thread, (void *)i), 0);
    for (long i = 0; i < CLIENTS; i++)
        cr_assert_eq(pthread_create(&clients[i], NULL, client_thread, (void *)i), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(clients[i], NULL);
    atomic_store(&stop_follows, 1);
    for (int i = 0; i < FOLLOWS; i++)
        pthread_join(follows[i], NULL);
    for (int i = 0; i < IDLE; i++)
        close(idle[i]);
    usleep(300 * 1000); /* svcd notices every close */
}

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(svcd_log, sizeof(svcd_log), "%s/svcd.out", dir);
}

static void teardown(void)
{
    if (svcd_pid > 0)
        cr_expect_eq(proc_stop(svcd_pid, SIGTERM, 10000), 0, "svcd stops cleanly");
    svcd_pid = -1;
    tmpdir_remove(dir);
}

TestSuite(load, .init = setup, .fini = teardown, .timeout = 240);

Test(load, many_clients_follows_and_idle_connections_all_served_without_leaking)
{
    const char *wrap = getenv("SVCD_TEST_WRAP");
    if (wrap && *wrap)
        cr_skip_test("the load test under SVCD_TEST_WRAP (valgrind) would take many minutes; "
                     "the plain and ASan runs cover it");
    char *argv[] = {SVCD_BIN,
                    "run",
                    "--endpoint",
                    sock,
                    "--state-dir",
                    state,
                    "--interval",
                    "20ms",
                    "--control-group",
                    "root",
                    "--max-connections",
                    "1000",
                    "--max-connections-per-user",
                    "1000",
                    NULL};
    svcd_pid = proc_spawn(argv, NULL, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    cr_assert_eq(proc_wait_connect(sock, 5000), 0);

    round_of_load();
    cr_assert_eq(atomic_load(&errors), 0, "%d errors; first: %s", atomic_load(&errors),
                 first_error);
    cr_assert_eq(atomic_load(&answered), (long)CLIENTS * REQUESTS);
    long first = rss_kib();

    round_of_load();
    cr_assert_eq(atomic_load(&errors), 0, "%d errors; first: %s", atomic_load(&errors),
                 first_error);
    cr_assert_eq(atomic_load(&answered), 2L * CLIENTS * REQUESTS);
    cr_assert_gt(atomic_load(&followed), (long)FOLLOWS * 10, "the followers saw entries");
    long second = rss_kib();
    cr_log_info("svcd RSS after round 1: %ld KiB, after round 2: %ld KiB", first, second);
#if !defined(__SANITIZE_ADDRESS__)
    cr_assert_lt(second - first, 2048,
                 "svcd grew %ld KiB in a second identical round (%ld -> %ld KiB): a leak",
                 second - first, first, second);
#endif
}
