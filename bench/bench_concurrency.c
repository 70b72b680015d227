/* Aggregate throughput with many persistent connections: svcd answering
 * status requests, against a minimal thread-per-connection echo server on
 * the same kind of socket, measured in the same run with the same clients.
 * A second baseline, a minimal single-threaded epoll server, shows what one
 * loop thread can reach on this machine at near-zero cost per request (the
 * floor for svcd's design). Both baselines answer each request with the
 * bytes of a real status reply (taken from svcd once), so every server
 * moves the same bytes per request.
 *
 * usage: bench_concurrency SECONDS CONNS...   (e.g. 3 8 64)
 * Prints one line per connection count with the three rates and the
 * ratios of svcd to each baseline. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "frame.h"
#include "raw.h"

static char sock_svcd[108], sock_echo[108], sock_loop[108];
static uint8_t *req_frame, reply_frame[8192];
static size_t req_len, reply_len;
static atomic_int running;
static atomic_long done;

static void *client(void *arg)
{
    const char *path = arg;
    uint8_t buf[8192];
    long n = 0;
    int fd = raw_connect(path);

    if (fd < 0)
        return NULL;
    while (atomic_load(&running)) {
        if (write(fd, req_frame, req_len) != (ssize_t)req_len ||
            bench_read_frame(fd, buf, sizeof(buf)) < 0)
            break;
        n++;
    }
    atomic_fetch_add(&done, n);
    close(fd);
    return NULL;
}

/* Requests per second from `conns` connections over `secs`. */
static double measure(const char *path, int conns, double secs)
{
    pthread_t *t = calloc((size_t)conns, sizeof(*t));
    double start;

    atomic_store(&done, 0);
    atomic_store(&running, 1);
    start = (bench_now_us() / 1e6);
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, client, (void *)path);
    usleep((useconds_t)(secs * 1e6));
    atomic_store(&running, 0);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    free(t);
    return (double)atomic_load(&done) / ((bench_now_us() / 1e6) - start);
}

/* The baseline: a thread per connection, each answering whole frames with
 * the status reply's bytes. */
static void *echo_conn(void *arg)
{
    int fd = (int)(long)arg;
    uint8_t buf[8192];

    for (;;) {
        int len = bench_read_frame(fd, buf, sizeof(buf));
        if (len < 0 || write(fd, reply_frame, reply_len) != (ssize_t)reply_len)
            break;
    }
    close(fd);
    return NULL;
}

static void echo_server(const char *path)
{
    int lfd = bench_listen(path);

    for (;;) {
        pthread_t t;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_create(&t, NULL, echo_conn, (void *)(long)fd);
        pthread_detach(t);
    }
}

/* The second baseline: one thread, one epoll set, every connection read
 * once per wake-up and answered with one write for all its whole frames. */
struct loop_conn {
    int fd;
    size_t have;
    uint8_t in[8192];
};

static void loop_answer(struct loop_conn *c)
{
    static uint8_t out[64 * 8192];
    size_t off = 0, n = 0;
    uint32_t len;
    ssize_t r = read(c->fd, c->in + c->have, sizeof(c->in) - c->have);

    if (r <= 0) {
        close(c->fd);
        free(c);
        return;
    }
    c->have += (size_t)r;
    while (c->have - off >= 4 && frame_get_header(c->in + off, sizeof(c->in) - 4, &len) == 0 &&
           c->have - off >= 4 + (size_t)len && n + reply_len <= sizeof(out)) {
        memcpy(out + n, reply_frame, reply_len);
        n += reply_len;
        off += 4 + len;
    }
    memmove(c->in, c->in + off, c->have - off);
    c->have -= off;
    if (n > 0 && bench_write_full(c->fd, out, n) < 0) {
        close(c->fd);
        free(c);
    }
}

static void loop_server(const char *path)
{
    int lfd = bench_listen(path), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[256];

    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
        _exit(1);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr != NULL) {
                loop_answer(evs[i].data.ptr); /* a closed one leaves the set itself */
                continue;
            }
            struct loop_conn *c = malloc(sizeof(*c));
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0 || c == NULL) {
                free(c);
                continue;
            }
            c->fd = fd;
            c->have = 0;
            ev.data.ptr = c;
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
    }
}

/* One real status reply from svcd: the bytes the baselines answer with. */
static void take_reply(const char *path)
{
    int fd = raw_connect(path), len;

    if (fd < 0 || write(fd, req_frame, req_len) != (ssize_t)req_len ||
        (len = bench_read_frame(fd, reply_frame, sizeof(reply_frame))) < 0) {
        fprintf(stderr, "bench: no status reply from svcd\n");
        exit(1);
    }
    reply_len = (size_t)len + 4;
    close(fd);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/svcd-bench-XXXXXX", state[64];
    pid_t svcd, echo, loop;

    if (argc < 3 || mkdtemp(dir) == NULL)
        return 2;
    double secs = atof(argv[1]);
    snprintf(sock_svcd, sizeof(sock_svcd), "%s/svcd.sock", dir);
    snprintf(sock_echo, sizeof(sock_echo), "%s/echo.sock", dir);
    snprintf(sock_loop, sizeof(sock_loop), "%s/loop.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    req_frame = bench_status_frame(&req_len);
    svcd = bench_start_svcd(sock_svcd, state);
    take_reply(sock_svcd);
    if ((echo = fork()) == 0)
        echo_server(sock_echo);
    if ((loop = fork()) == 0)
        loop_server(sock_loop);
    bench_wait_ready(sock_echo); /* else the first run can find nobody listening (0 req/s) */
    bench_wait_ready(sock_loop);
    printf("    %zu-byte requests, %zu-byte replies; echo: a thread per connection, loop: one "
           "epoll thread\n",
           req_len, reply_len);
    printf("%-12s %12s %12s %12s %9s %9s\n", "connections", "svcd req/s", "echo req/s",
           "loop req/s", "svcd/echo", "svcd/loop");
    for (int i = 2; i < argc; i++) {
        int conns = atoi(argv[i]);
        double e = measure(sock_echo, conns, secs);
        double l = measure(sock_loop, conns, secs);
        double s = measure(sock_svcd, conns, secs);
        printf("%-12d %12.0f %12.0f %12.0f %8.2fx %8.2fx  (target svcd/echo >= 1.00)\n", conns, s,
               e, l, s / e, s / l);
    }
    bench_stop(svcd, SIGTERM);
    bench_stop(echo, SIGKILL);
    bench_stop(loop, SIGKILL);
    unlink(sock_echo);
    unlink(sock_loop);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
