/* status while big log queries run (issue 13, case 5), against status when
 * idle, in the same run: a rare `--grep` (searches backwards through the
 * whole history) and a huge `--tail` (counts every newline back to the first
 * file) are kept running at the same time, each started again as soon as it
 * ends, while status is asked for over and over:
 *  - `svcclient status` as a whole process (what a user waits for);
 *  - a status round trip on a persistent connection (the loop's turn).
 *  - the floor process (bench_floor: connect, 64 bytes, reply, exit)
 *    against an echo server that does nothing else: what the same load
 *    does to any short process on this machine, whatever serves it.
 * Idle and busy alternate by the second. Usage: bench_busy ENDPOINT SECONDS
 * (svcd already serving the history). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "frame.h"
#include "raw.h"

extern char **environ;

/* Runs argv with output discarded; `group`: in a process group of its own
 * (so that a pipeline can be stopped whole). */
static pid_t spawn(char *const argv[], int group)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    pid_t pid;

    posix_spawnattr_init(&at);
    if (group) {
        posix_spawnattr_setpgroup(&at, 0);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    }

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid, argv[0], &fa, &at, argv, environ) != 0) {
        perror("bench: posix_spawn");
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return pid;
}

/* The floor's server: answers each connection's 64 bytes and closes it. */
static pid_t start_echo(const char *path)
{
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    int lfd = bench_listen(path);
    for (;;) {
        char buf[64];
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0 && write(fd, buf, (size_t)n) != n)
            n = -1;
        close(fd);
    }
}

/* One whole client process (`svcclient status`, or the floor): its wall time. */
static double status_process(char *const argv[])
{
    double t0 = bench_now_us();
    int st;

    waitpid(spawn(argv, 0), &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench: %s failed\n", argv[0]);
        exit(1);
    }
    return bench_now_us() - t0;
}

static double status_rtt(int fd, const uint8_t *frame, size_t len)
{
    static uint8_t buf[1 << 16];
    double t0 = bench_now_us();

    if (write(fd, frame, len) != (ssize_t)len || bench_read_frame(fd, buf, sizeof(buf)) < 0) {
        fprintf(stderr, "bench: status round trip failed\n");
        exit(1);
    }
    return bench_now_us() - t0;
}

/* The scans kept running: started again whenever one ends. */
struct scans {
    char *const *argv[2];
    pid_t pid[2];
    int runs[2];
};

/* on: starts the scans that are not running; off: stops them (their
 * clients leave, so svcd ends their streams). */
static void keep_scanning(struct scans *sc, int on)
{
    for (int i = 0; i < 2; i++) {
        if (sc->pid[i] > 0 && !on)
            kill(-sc->pid[i], SIGKILL);
        if (sc->pid[i] > 0 && waitpid(sc->pid[i], NULL, on ? WNOHANG : 0) == sc->pid[i])
            sc->pid[i] = 0;
        if (on && sc->pid[i] == 0) {
            sc->pid[i] = spawn(sc->argv[i], 1);
            sc->runs[i]++;
        }
    }
}

/* Status for `seconds`, both ways in turn, with the scans running (`sc`)
 * or not. */
static void measure(const char *sock, const char *echo, double seconds, struct scans *sc,
                    struct bench_samples *proc, struct bench_samples *rtt,
                    struct bench_samples *floor)
{
    char *status_argv[] = {SVCCLIENT_BIN, "--endpoint", (char *)sock, "status", NULL};
    char *floor_argv[] = {FLOOR_BIN, (char *)echo, NULL};
    size_t len;
    uint8_t *frame = bench_status_frame(&len);
    int fd = raw_connect(sock);
    double end = bench_now_us() + seconds * 1e6;

    if (fd < 0) {
        fprintf(stderr, "bench: cannot connect to %s\n", sock);
        exit(1);
    }
    while (bench_now_us() < end) {
        if (sc)
            keep_scanning(sc, 1);
        bench_sample(proc, status_process(status_argv));
        bench_sample(floor, status_process(floor_argv));
        for (int i = 0; i < 20; i++)
            bench_sample(rtt, status_rtt(fd, frame, len));
    }
    if (sc)
        keep_scanning(sc, 0);
    close(fd);
    free(frame);
}

static void row(const char *what, struct bench_samples *idle, struct bench_samples *busy)
{
    double i99 = bench_pct(idle, 0.99), b99 = bench_pct(busy, 0.99);

    printf("    %-30s idle p50 %8.2f ms p99 %8.2f ms | busy p50 %8.2f ms p99 %8.2f ms"
           " | p99 %5.2fx",
           what, bench_pct(idle, 0.5) / 1000, i99 / 1000, bench_pct(busy, 0.5) / 1000, b99 / 1000,
           b99 / i99);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_busy ENDPOINT SECONDS\n");
        return 2;
    }
    char *sock = argv[1];
    double seconds = atof(argv[2]);
    char tail_cmd[1024];
    snprintf(tail_cmd, sizeof(tail_cmd),
             "'%s' --endpoint '%s' --timeout 60 logs --tail 999999999 | head -1", SVCCLIENT_BIN,
             sock);
    char *grep_argv[] = {SVCCLIENT_BIN, "--endpoint", sock, "--timeout", "60",
                         "logs",        "--tail",     "1",  "--grep",    "no-such-needle-anywhere",
                         NULL};
    char *tail_argv[] = {"/bin/sh", "-c", tail_cmd, NULL};
    struct scans sc = {{grep_argv, tail_argv}, {0, 0}, {0, 0}};
    struct bench_samples ip = {0}, ir = {0}, bp = {0}, br = {0}, ifl = {0}, bfl = {0};
    char dir[] = "/tmp/svcd-bench-busy-XXXXXX", echo[64];

    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir))
        return 1;
    snprintf(echo, sizeof(echo), "%s/echo.sock", dir);
    pid_t echo_pid = start_echo(echo);
    bench_wait_ready(echo);
    /* Idle and busy in turns of a second, so that the machine's own load,
     * which drifts, weighs on both alike. */
    for (double done = 0; done < seconds; done += 1) {
        measure(sock, echo, 1, NULL, &ip, &ir, &ifl);
        measure(sock, echo, 1, &sc, &bp, &br, &bfl);
    }
    bench_stop(echo_pid, SIGKILL);
    unlink(echo);
    rmdir(dir);
    printf("    status for %.0f s idle and %.0f s with a rare --grep and a huge --tail\n"
           "    running at once, in turns of 1 s (%d greps, %d tails started):\n",
           seconds, seconds, sc.runs[0], sc.runs[1]);
    row("svcclient status (process)", &ip, &bp);
    printf("  (target <= 2)\n");
    row("round trip, open connection", &ir, &br);
    printf("  (for reference)\n");
    row("floor process (connect+64B)", &ifl, &bfl);
    printf("  (the load's toll on any process)\n");
    printf("    svcclient status busy p99 vs the floor process busy p99: %.2fx\n",
           bench_pct(&bp, 0.99) / bench_pct(&bfl, 0.99));
    return 0;
}
