/* Status latency benchmark (issue: foundation), printed side by side:
 *  (a) whole-process wall time of `svcclient status` vs bench_floor (connect,
 *      64 bytes, reply) against a raw echo server;
 *  (b) status round trips on one persistent connection vs a raw 64-byte
 *      ping-pong with the echo server: rate, p50, p99.
 * Everything is measured in this one run; only ratios are meaningful. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "raw.h"
#include "frame.h"

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

/* The baseline server: one process per connection, echoes what it reads. */
static pid_t start_echo(const char *path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int lfd = bench_listen(path);
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            char buf[4096];
            ssize_t n;
            while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (write(fd, buf, (size_t)n) != n)
                    break;
            _exit(0);
        }
        close(fd);
    }
}

static double run_process(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;
    double t0 = bench_now_us();

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        perror("posix_spawn");
        exit(1);
    }
    waitpid(pid, &st, 0);
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench: %s failed\n", argv[0]);
        exit(1);
    }
    return bench_now_us() - t0;
}

/* One status round trip on an open connection; returns its latency. */
static double status_rtt(int fd, const uint8_t *frame, size_t len, uint8_t *buf, size_t cap)
{
    uint32_t plen;
    double t0 = bench_now_us();

    if (write(fd, frame, len) != (ssize_t)len || bench_read_full(fd, buf, 4) < 0 ||
        frame_get_header(buf, FRAME_MAX_PAYLOAD, &plen) < 0 || plen > cap ||
        bench_read_full(fd, buf, plen) < 0) {
        fprintf(stderr, "bench: status round trip failed\n");
        exit(1);
    }
    return bench_now_us() - t0;
}

static double echo_rtt(int fd, uint8_t *buf)
{
    double t0 = bench_now_us();
    memset(buf, 'x', 64);
    if (write(fd, buf, 64) != 64 || bench_read_full(fd, buf, 64) < 0) {
        fprintf(stderr, "bench: echo round trip failed\n");
        exit(1);
    }
    return bench_now_us() - t0;
}

int main(int argc, char **argv)
{
    int procs = argc > 1 ? atoi(argv[1]) : 200;
    int trips = argc > 2 ? atoi(argv[2]) : 20000;
    char dir[] = "/tmp/svcd-bench-XXXXXX", sock[64], echo[64], state[64];
    double *a = calloc((size_t)(procs > trips ? procs : trips), sizeof(double));
    double *b = calloc((size_t)(procs > trips ? procs : trips), sizeof(double));
    static uint8_t buf[1 << 20];

    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(echo, sizeof(echo), "%s/echo.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    pid_t svcd = bench_start_svcd(sock, state);
    pid_t echo_pid = start_echo(echo);
    bench_wait_ready(echo);

    /* (a) whole process: interleaved so drift hits both sides alike */
    char *client_argv[] = {SVCCLIENT_BIN, "--endpoint", sock, "status", NULL};
    char *floor_argv[] = {FLOOR_BIN, echo, NULL};
    for (int i = 0; i < 10; i++) {
        run_process(client_argv);
        run_process(floor_argv);
    }
    for (int i = 0; i < procs; i++) {
        a[i] = run_process(client_argv);
        b[i] = run_process(floor_argv);
    }
    double a50 = pct(a, procs, 0.5), b50 = pct(b, procs, 0.5);
    printf("(a) whole process, median of %d runs\n", procs);
    printf("    svcclient status        %8.0f us\n", a50);
    printf("    floor (connect+64B)     %8.0f us\n", b50);
    printf("    ratio                   %8.2fx   (target <= 1.30x)\n\n", a50 / b50);

    /* (b) persistent connection */
    size_t len;
    uint8_t *frame = bench_status_frame(&len);
    int sfd = raw_connect(sock), efd = raw_connect(echo);
    for (int i = 0; i < 1000; i++) {
        status_rtt(sfd, frame, len, buf, sizeof(buf));
        echo_rtt(efd, buf);
    }
    double ta = 0, tb = 0;
    for (int i = 0; i < trips; i++) {
        a[i] = status_rtt(sfd, frame, len, buf, sizeof(buf));
        b[i] = echo_rtt(efd, buf);
        ta += a[i];
        tb += b[i];
    }
    double sa50 = pct(a, trips, 0.5), sa99 = pct(a, trips, 0.99);
    double sb50 = pct(b, trips, 0.5), sb99 = pct(b, trips, 0.99);
    printf("(b) one persistent connection, %d round trips each\n", trips);
    printf("    %-22s %10s %9s %9s\n", "", "req/s", "p50 us", "p99 us");
    printf("    %-22s %10.0f %9.1f %9.1f\n", "svcd status", trips / (ta / 1e6), sa50, sa99);
    printf("    %-22s %10.0f %9.1f %9.1f\n", "raw echo ping-pong", trips / (tb / 1e6), sb50, sb99);
    printf("    p50 ratio              %8.2fx   (target <= 2.00x)\n", sa50 / sb50);

    free(frame);
    close(sfd);
    close(efd);
    bench_stop(echo_pid, SIGKILL);
    bench_stop(svcd, SIGTERM);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    free(a);
    free(b);
    return 0;
}
