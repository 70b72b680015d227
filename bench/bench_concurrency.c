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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "frame.h"

static char sock_svcd[108], sock_echo[108];
static uint8_t *req_frame;
static size_t req_len;
static atomic_int running;
static atomic_long done;

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    memcpy(sa.sun_path, path, strlen(path) + 1);
    for (int i = 0; i < 500; i++) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        usleep(10000);
    }
    return -1;
}

static int read_exact(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One frame in, whatever its payload. */
static int read_frame(int fd, uint8_t *buf, size_t cap)
{
    uint32_t len;

    if (read_exact(fd, buf, 4) < 0 || frame_get_header(buf, (uint32_t)cap - 4, &len) < 0)
        return -1;
    return read_exact(fd, buf + 4, len);
}

static void *client(void *arg)
{
    const char *path = arg;
    uint8_t buf[8192];
    long n = 0;
    int fd = connect_to(path);

    if (fd < 0)
        return NULL;
    while (atomic_load(&running)) {
        if (write(fd, req_frame, req_len) != (ssize_t)req_len ||
            read_frame(fd, buf, sizeof(buf)) < 0)
            break;
        n++;
    }
    atomic_fetch_add(&done, n);
    close(fd);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Requests per second from `conns` connections over `secs`. */
static double measure(const char *path, int conns, double secs)
{
    pthread_t *t = calloc((size_t)conns, sizeof(*t));
    double start;

    atomic_store(&done, 0);
    atomic_store(&running, 1);
    start = now_s();
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, client, (void *)path);
    usleep((useconds_t)(secs * 1e6));
    atomic_store(&running, 0);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    free(t);
    return (double)atomic_load(&done) / (now_s() - start);
}

/* The baseline: a thread per connection, each echoing whole frames. */
static void *echo_conn(void *arg)
{
    int fd = (int)(long)arg;
    uint8_t buf[8192];

    for (;;) {
        uint32_t len;
        if (read_exact(fd, buf, 4) < 0 || frame_get_header(buf, sizeof(buf) - 4, &len) < 0 ||
            read_exact(fd, buf + 4, len) < 0 || write(fd, buf, len + 4) != (ssize_t)(len + 4))
            break;
    }
    close(fd);
    return NULL;
}

static void echo_server(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0)
        _exit(1);
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
    Svcd__Request req = SVCD__REQUEST__INIT;
    Svcd__StatusRequest st = SVCD__STATUS_REQUEST__INIT;
    char dir[] = "/tmp/svcd-bench-XXXXXX", state[64];
    pid_t svcd, echo;

    if (argc < 3 || mkdtemp(dir) == NULL)
        return 2;
    double secs = atof(argv[1]);
    snprintf(sock_svcd, sizeof(sock_svcd), "%s/svcd.sock", dir);
    snprintf(sock_echo, sizeof(sock_echo), "%s/echo.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    req.version = CODEC_PROTOCOL_VERSION;
    req.id = 1;
    req.command_case = SVCD__REQUEST__COMMAND_STATUS;
    req.status = &st;
    if (codec_frame(&req.base, &req_frame, &req_len) < 0)
        return 1;

    if ((svcd = fork()) == 0) {
        execl(SVCD_BIN, SVCD_BIN, "run", "--endpoint", sock_svcd, "--state-dir", state,
              "--control-group", "root", "--max-connections-per-user", "1000", (char *)NULL);
        _exit(127);
    }
    if ((echo = fork()) == 0)
        echo_server(sock_echo);
    printf("%-12s %14s %14s %8s\n", "connections", "svcd req/s", "echo req/s", "ratio");
    for (int i = 2; i < argc; i++) {
        int conns = atoi(argv[i]);
        double e = measure(sock_echo, conns, secs);
        double s = measure(sock_svcd, conns, secs);
        printf("%-12d %14.0f %14.0f %7.2fx (target >= 0.70)\n", conns, s, e, s / e);
    }
    kill(svcd, SIGTERM);
    kill(echo, SIGKILL);
    waitpid(svcd, NULL, 0);
    waitpid(echo, NULL, 0);
    unlink(sock_echo);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
