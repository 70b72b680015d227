/* Aggregate throughput with many persistent connections: svcd answering
 * status requests, against a minimal thread-per-connection echo server on
 * the same kind of socket, measured in the same run with the same clients.
 *
 * usage: bench_concurrency SECONDS CONNS...   (e.g. 3 8 64)
 * Prints one line per connection count with both rates and their ratio. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "raw.h"

static char sock_svcd[108], sock_echo[108];
static uint8_t *req_frame;
static size_t req_len;
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

/* The baseline: a thread per connection, each echoing whole frames. */
static void *echo_conn(void *arg)
{
    int fd = (int)(long)arg;
    uint8_t buf[8192];

    for (;;) {
        int len = bench_read_frame(fd, buf, sizeof(buf));
        if (len < 0 || write(fd, buf, (size_t)len + 4) != (ssize_t)len + 4)
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

int main(int argc, char **argv)
{
    char dir[] = "/tmp/svcd-bench-XXXXXX", state[64];
    pid_t svcd, echo;

    if (argc < 3 || mkdtemp(dir) == NULL)
        return 2;
    double secs = atof(argv[1]);
    snprintf(sock_svcd, sizeof(sock_svcd), "%s/svcd.sock", dir);
    snprintf(sock_echo, sizeof(sock_echo), "%s/echo.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    req_frame = bench_status_frame(&req_len);
    svcd = bench_start_svcd(sock_svcd, state);
    if ((echo = fork()) == 0)
        echo_server(sock_echo);
    bench_wait_ready(sock_echo); /* else the first run can find nobody listening (0 req/s) */
    printf("%-12s %14s %14s %8s\n", "connections", "svcd req/s", "echo req/s", "ratio");
    for (int i = 2; i < argc; i++) {
        int conns = atoi(argv[i]);
        double e = measure(sock_echo, conns, secs);
        double s = measure(sock_svcd, conns, secs);
        printf("%-12d %14.0f %14.0f %7.2fx (target >= 1.00)\n", conns, s, e, s / e);
    }
    bench_stop(svcd, SIGTERM);
    bench_stop(echo, SIGKILL);
    unlink(sock_echo);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
