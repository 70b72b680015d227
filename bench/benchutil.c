#define _GNU_SOURCE
#include "benchutil.h"
#include "codec.h"
#include "frame.h"
#include "raw.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int bench_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "bench: cannot make a socket for %s\n", path);
        exit(1);
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
        perror("bench: listen");
        exit(1);
    }
    return fd;
}

void bench_wait_ready(const char *path)
{
    for (int i = 0; i < 1000; i++) {
        int fd = raw_connect(path);
        if (fd >= 0) {
            close(fd);
            return;
        }
        usleep(5000);
    }
    fprintf(stderr, "bench: %s never became ready\n", path);
    exit(1);
}

int bench_read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;

    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int bench_write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int bench_read_frame(int fd, uint8_t *buf, size_t cap)
{
    uint32_t len;

    if (cap < 4 || bench_read_full(fd, buf, 4) < 0 ||
        frame_get_header(buf, (uint32_t)(cap - 4), &len) < 0 ||
        bench_read_full(fd, buf + 4, len) < 0)
        return -1;
    return (int)len;
}

uint8_t *bench_status_frame(size_t *len)
{
    Svcd__Request req = raw_status_req(1);
    uint8_t *frame;

    if (codec_frame(&req.base, &frame, len) < 0) {
        fprintf(stderr, "bench: cannot build a status request\n");
        exit(1);
    }
    return frame;
}

pid_t bench_start_svcd(const char *sock, const char *state)
{
    pid_t pid = fork();

    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        const char *bin = getenv("BENCH_SVCD") ? getenv("BENCH_SVCD") : SVCD_BIN;
        execl(bin, bin, "run", "--endpoint", sock, "--state-dir", state, "--control-group", "root",
              "--max-connections-per-user", "100000", (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    bench_wait_ready(sock);
    return pid;
}

void bench_stop(pid_t pid, int sig)
{
    kill(pid, sig);
    waitpid(pid, NULL, 0);
}

void bench_sample(struct bench_samples *s, double us)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, (size_t)s->cap * sizeof(double));
        if (s->v == NULL)
            exit(1);
    }
    s->v[s->n++] = us;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_pct(struct bench_samples *s, double p)
{
    if (s->n == 0)
        return 0;
    qsort(s->v, (size_t)s->n, sizeof(double), cmp_double);
    return s->v[(int)(p * (s->n - 1) + 0.5)];
}
