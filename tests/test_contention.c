/* Many clients at once against a stalled svcd: a burst of connections fills
 * the listen queue while svcd is stopped (SIGSTOP), real svcclient runs
 * arrive behind it, and once svcd continues every one of them is served.
 * A client that finds the queue full waits (within its --timeout) instead
 * of mistaking the unconnected socket for an impostor's. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "svcdtest.h"
#include "tmpdir.h"

#define BURST_MIN 600  /* what the listen queue must hold (issue 13) */
#define BURST_MAX 9000 /* past any SOMAXCONN: the queue is full before */
#define CLIENTS   40   /* real svcclient runs waiting behind the burst */
/* Under a wrapper (valgrind: SVCD_TEST_WRAP) each client costs seconds of
 * CPU: fewer of them still show that every waiting client is served. */
#define CLIENTS_WRAPPED 8
#define CLIENT_WAIT     120000

static struct svcdtest t;
static int burst[BURST_MAX];
static int nburst;

static void setup(void)
{
    svcdtest_prepare(&t);
    /* Limits out of the way: this is about the queue before accept. */
    svcdtest_start(&t, (const char *[]){"--control-group", "root", "--max-connections", "100000",
                                        "--max-connections-per-user", "100000", NULL});
}

static void close_burst(void)
{
    for (int i = 0; i < nburst; i++)
        close(burst[i]);
    nburst = 0;
}

static void teardown(void)
{
    close_burst();
    svcdtest_finish(&t, 10000);
}

TestSuite(contention, .init = setup, .fini = teardown, .timeout = 240);

/* Waits (at most 5 s) until the kernel reports `pid` stopped. */
static void wait_stopped(pid_t pid)
{
    char path[64], buf[512];

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "svcd is gone");
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *p = strrchr(buf, ')'); /* "pid (comm) S ..." */
        if (p && p[1] == ' ' && p[2] == 'T')
            return;
        usleep(5000);
    }
    cr_assert_fail("svcd did not stop on SIGSTOP");
}

/* Non-blocking connects until the listen queue refuses one (EAGAIN) or
 * BURST_MAX are in. Returns 1 when the queue was found full. */
static int fill_queue(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    cr_assert_lt(strlen(t.sock), sizeof(sa.sun_path));
    memcpy(sa.sun_path, t.sock, strlen(t.sock) + 1);
    while (nburst < BURST_MAX) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        cr_assert_geq(fd, 0, "socket: %s (raise the open-file limit)", strerror(errno));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            burst[nburst++] = fd;
            continue;
        }
        int e = errno;
        close(fd);
        cr_assert_eq(e, EAGAIN, "connect #%d: %s", nburst + 1, strerror(e));
        return 1;
    }
    return 0;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;

    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < BURST_MAX + 256) {
        rl.rlim_cur = rl.rlim_max < BURST_MAX + 256 ? rl.rlim_max : BURST_MAX + 256;
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    if (rl.rlim_cur < BURST_MIN + 256)
        cr_skip_test("the open-file limit (%lu) is too low for a burst of %d connections",
                     (unsigned long)rl.rlim_cur, BURST_MIN);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static char buf[8192];
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

Test(contention, a_full_accept_queue_is_waited_for_and_every_client_is_served)
{
    char *client_out[CLIENTS], timeout[] = "120";
    pid_t clients[CLIENTS];
    struct proc_result r;
    int full;
    const char *wrap = getenv("SVCD_TEST_WRAP");
    const int n = wrap && *wrap ? CLIENTS_WRAPPED : CLIENTS;

    raise_fd_limit();
    cr_assert_eq(kill(t.pid, SIGSTOP), 0);
    wait_stopped(t.pid);
    full = fill_queue();
    cr_assert_geq(nburst, BURST_MIN,
                  "a burst of %d connections must fit in svcd's listen queue (SOMAXCONN), "
                  "only %d did",
                  BURST_MIN, nburst);
    if (full)
        cr_log_info("the listen queue was full after %d connections", nburst);
    else
        cr_log_info("the listen queue took all %d connections: the clients below do not "
                    "meet a full queue",
                    nburst);

    if (full) {
        /* Out of time while the queue stays full: "busy", and what to do. */
        char *quick[] = {SVCCLIENT_BIN, "--endpoint", t.sock, "--timeout", "300ms", "status", NULL};
        cr_assert_eq(proc_run(quick, NULL, 20000, &r), 0);
        cr_assert_eq(r.exit_code, 3, "%s", r.err);
        cr_assert(strstr(r.err, "svcd is busy: it took no new connection within --timeout "
                                "(300 ms); try again in a moment, or with a longer --timeout"),
                  "%s", r.err);
        cr_assert_null(strstr(r.err, "unexpected owner"), "a busy svcd is no impostor: %s", r.err);
    }

    for (int i = 0; i < n; i++) {
        char *argv[] = {SVCCLIENT_BIN, "--endpoint", t.sock, "--timeout", timeout, "status", NULL};
        cr_assert_geq(asprintf(&client_out[i], "%s/client%d.out", t.dir, i), 0);
        clients[i] = proc_spawn(argv, NULL, client_out[i]);
        cr_assert_gt(clients[i], 0);
    }
    /* While svcd is stopped nobody can have been served: a client that
     * ended already took the full queue for something else. */
    usleep(300000);
    for (int i = 0; i < n; i++) {
        int status;
        cr_assert_eq(waitpid(clients[i], &status, WNOHANG), 0,
                     "client %d ended while svcd was stopped (exit %d): %s", i,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(client_out[i]));
    }

    close_burst(); /* the queued connections stay queued until accepted */
    cr_assert_eq(kill(t.pid, SIGCONT), 0);
    for (int i = 0; i < n; i++) {
        int code = proc_stop(clients[i], 0, CLIENT_WAIT);
        const char *out = read_file(client_out[i]);
        cr_assert_eq(code, 0, "client %d was not served (exit %d): %s", i, code, out);
        cr_assert_null(strstr(out, "unexpected owner"), "client %d: %s", i, out);
        free(client_out[i]);
    }

    char *status[] = {SVCCLIENT_BIN, "--endpoint", t.sock, "status", NULL};
    cr_assert_eq(proc_run(status, NULL, 20000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "svcd serves on after the burst: %s", r.err);
}
