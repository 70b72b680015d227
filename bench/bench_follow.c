/* Follow latency (issue 13): from an entry's write to a follower holding it,
 * against `tail -F` on a file appended at the same rate, in the same run and
 * at the same time (so the machine's noise hits both alike); then the same
 * svcd with 100 followers at once, against the single follower.
 * svcd writes a heartbeat every 10 ms; an entry's latency is the wall clock
 * when the follower has read it minus the entry's `time` (set just before
 * svcd writes it). The baseline's lines carry the wall clock just before
 * their write. Then the physical baseline for the fan-out: 100 `tail -F`
 * processes on one file appended at the same rate, against the single
 * `tail -F` of the first part, so the 100-follower ratio can be judged
 * against what the OS itself does when 100 readers are woken per line on
 * this machine. Usage: bench_follow [ENTRIES] (per follower, default 500);
 * BENCH_SVCD=path measures another svcd build. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "codec.h"
#include "frame.h"
#include "raw.h"

#define FOLLOWERS 100
#define PERIOD_MS 10

static double wall_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static pid_t start_svcd(const char *sock, const char *state)
{
    pid_t pid = fork();

    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        const char *bin = getenv("BENCH_SVCD") ? getenv("BENCH_SVCD") : SVCD_BIN;
        execl(bin, bin, "run", "--endpoint", sock, "--state-dir", state, "--control-group", "root",
              "--max-connections-per-user", "100000", "--interval", "10ms", (char *)NULL);
        _exit(127);
    }
    bench_wait_ready(sock);
    return pid;
}

/* A connection following the log from its end. */
static int follow(const char *sock)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    int fd = raw_connect(sock);

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = 1;
    req.command_case = SVCD__REQUEST__COMMAND_LOGS;
    req.logs = &lr;
    lr.follow = 1;
    if (fd < 0 || raw_send_req(fd, &req) < 0) {
        fprintf(stderr, "bench: cannot follow %s\n", sock);
        exit(1);
    }
    return fd;
}

/* A follower's bytes not yet taken: one read takes whatever arrived, so a
 * wake costs the bench one system call, not two per frame. */
struct inbuf {
    uint8_t *p;
    size_t len;
};

/* Takes what arrived on a follower; each entry of each complete frame is a
 * sample (unless `skip`). */
static void take_frames(int fd, struct inbuf *in, struct bench_samples *s, int skip)
{
    const size_t cap = FRAME_MAX_PAYLOAD + 4;
    ssize_t n;
    uint32_t len;

    if (in->p == NULL && (in->p = malloc(cap)) == NULL)
        exit(1);
    n = read(fd, in->p + in->len, cap - in->len);
    double now = wall_us();
    if (n <= 0) {
        fprintf(stderr, "bench: the follow stream broke\n");
        exit(1);
    }
    in->len += (size_t)n;
    while (in->len >= 4 && frame_get_header(in->p, FRAME_MAX_PAYLOAD, &len) == 0 &&
           in->len >= 4 + (size_t)len) {
        Svcd__Response *resp = svcd__response__unpack(NULL, len, in->p + 4);
        if (resp == NULL) {
            fprintf(stderr, "bench: undecodable frame\n");
            exit(1);
        }
        if (resp->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK && !skip)
            for (size_t i = 0; i < resp->log_chunk->n_entries; i++)
                bench_sample(s, now - (double)resp->log_chunk->entries[i]->time_us);
        svcd__response__free_unpacked(resp, NULL);
        memmove(in->p, in->p + 4 + len, in->len - 4 - len);
        in->len -= 4 + len;
    }
}

/* The baseline's writer: a line holding the wall clock every PERIOD_MS. */
static pid_t start_writer(const char *path)
{
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
            char line[32];
            next.tv_nsec += PERIOD_MS * 1000000L;
            if (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                next.tv_sec++;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
            int n = snprintf(line, sizeof(line), "%.0f\n", wall_us());
            if (write(fd, line, (size_t)n) != n)
                _exit(1);
        }
    }
    return pid;
}

/* `tail -F -n 0 path`, its output on the returned pipe. */
static pid_t start_tail(const char *path, int *out)
{
    int p[2];
    pid_t pid;

    if (pipe(p) < 0)
        exit(1);
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        execlp("tail", "tail", "-F", "-n", "0", path, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *out = p[0];
    return pid;
}

/* A tail's output not yet taken (a line may arrive in two reads). */
struct linebuf {
    char buf[4096];
    size_t have;
};

/* Lines a baseline tail printed: samples (unless `skip`). */
static void take_lines(int fd, struct linebuf *lb, struct bench_samples *s, int skip)
{
    ssize_t n = read(fd, lb->buf + lb->have, sizeof(lb->buf) - lb->have - 1);
    double now = wall_us();
    char *p = lb->buf, *nl;

    if (n <= 0) {
        fprintf(stderr, "bench: tail -F ended\n");
        exit(1);
    }
    lb->have += (size_t)n;
    lb->buf[lb->have] = '\0';
    while ((nl = strchr(p, '\n')) != NULL) {
        if (!skip)
            bench_sample(s, now - strtod(p, NULL));
        p = nl + 1;
    }
    lb->have -= (size_t)(p - lb->buf);
    memmove(lb->buf, p, lb->have);
}

/* The physical baseline: FOLLOWERS `tail -F` on one file appended every
 * PERIOD_MS, until each has printed `entries` lines; their latencies in
 * *s (the first 200 ms are not counted, as for svcd's followers). */
static void many_tails(const char *file, int entries, struct bench_samples *s)
{
    static struct linebuf lb[FOLLOWERS];
    static pid_t pids[FOLLOWERS];
    struct pollfd pf[FOLLOWERS];
    pid_t writer;
    int skip = 1;

    for (int i = 0; i < FOLLOWERS; i++) {
        int fd;
        pids[i] = start_tail(file, &fd);
        pf[i] = (struct pollfd){fd, POLLIN, 0};
    }
    usleep(500000); /* every tail is watching before the first line */
    writer = start_writer(file);
    for (double settle = bench_now_us() + 200000; s->n < entries * FOLLOWERS;) {
        if (poll(pf, FOLLOWERS, 5000) <= 0) {
            fprintf(stderr, "bench: no line for 5 s\n");
            exit(1);
        }
        if (skip && bench_now_us() > settle)
            skip = 0;
        for (int i = 0; i < FOLLOWERS; i++)
            if (pf[i].revents)
                take_lines(pf[i].fd, &lb[i], s, skip);
    }
    bench_stop(writer, SIGKILL);
    for (int i = 0; i < FOLLOWERS; i++) {
        bench_stop(pids[i], SIGKILL);
        close(pf[i].fd);
    }
}

/* The ideal fan-out: one process that encodes each entry once (a LogChunk
 * as svcd sends it) and writes the same bytes to `n` sockets every
 * PERIOD_MS, doing nothing else; read and decoded here exactly as svcd's
 * frames are. Its 100-against-1 ratio is what any single writer reaches
 * on this machine, so svcd's fan-out is judged against it too. */
static void fanout_floor(int n, int entries, struct bench_samples *s)
{
    static struct inbuf in[FOLLOWERS];
    struct pollfd pf[FOLLOWERS];
    int sv[FOLLOWERS][2], skip = 1;
    pid_t writer;

    for (int i = 0; i < n; i++)
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) < 0)
            exit(1);
    writer = fork();
    if (writer == 0) {
        Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT, *ep = &e;
        Svcd__LogChunk chunk = SVCD__LOG_CHUNK__INIT;
        Svcd__Response resp = SVCD__RESPONSE__INIT;
        struct timespec next;

        e.level = SVCD__LEVEL__LEVEL_INFO;
        e.source = "worker";
        e.message = "heartbeat";
        e.json = "{\"seq\":1,\"time\":\"2026-12-02T18:00:00.000000Z\",\"level\":\"info\","
                 "\"logger\":\"worker\",\"msg\":\"heartbeat\"}";
        e.user_id = e.pid = -1;
        chunk.n_entries = 1;
        chunk.entries = &ep;
        resp.id = 1;
        resp.body_case = SVCD__RESPONSE__BODY_LOG_CHUNK;
        resp.log_chunk = &chunk;
        for (int i = 0; i < n; i++)
            close(sv[i][1]);
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
            uint8_t *frame;
            size_t len;
            next.tv_nsec += PERIOD_MS * 1000000L;
            if (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                next.tv_sec++;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
            e.seq++;
            e.time_us = (int64_t)wall_us();
            if (codec_frame(&resp.base, &frame, &len) < 0)
                _exit(1);
            for (int i = 0; i < n; i++)
                if (write(sv[i][0], frame, len) != (ssize_t)len)
                    _exit(0);
            free(frame);
        }
    }
    for (int i = 0; i < n; i++) {
        close(sv[i][0]);
        pf[i] = (struct pollfd){sv[i][1], POLLIN, 0};
    }
    for (double settle = bench_now_us() + 200000; s->n < entries * n;) {
        if (poll(pf, (nfds_t)n, 5000) <= 0) {
            fprintf(stderr, "bench: the fan-out floor sent nothing for 5 s\n");
            exit(1);
        }
        if (skip && bench_now_us() > settle)
            skip = 0;
        for (int i = 0; i < n; i++)
            if (pf[i].revents)
                take_frames(pf[i].fd, &in[i], s, skip);
    }
    bench_stop(writer, SIGKILL);
    for (int i = 0; i < n; i++) {
        close(sv[i][1]);
        in[i].len = 0;
    }
}

int main(int argc, char **argv)
{
    int entries = argc > 1 ? atoi(argv[1]) : 500, fds[FOLLOWERS], tfd, warm = 20;
    static struct inbuf in[FOLLOWERS];
    char dir[] = "/tmp/svcd-bench-follow-XXXXXX", sock[128], state[128], file[128];
    struct bench_samples one = {0}, base = {0}, many = {0}, tails = {0}, fl1 = {0}, fl100 = {0};
    static struct linebuf tail_lb;
    struct pollfd pf[FOLLOWERS + 1];

    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(file, sizeof(file), "%s/tailed.log", dir);
    pid_t svcd = start_svcd(sock, state);
    int fd = open(file, O_WRONLY | O_CREAT, 0600);
    close(fd);
    pid_t tail = start_tail(file, &tfd);
    usleep(300000); /* tail is watching before the first line */
    pid_t writer = start_writer(file);

    /* One follower and tail -F side by side. */
    fds[0] = follow(sock);
    pf[0] = (struct pollfd){fds[0], POLLIN, 0};
    pf[1] = (struct pollfd){tfd, POLLIN, 0};
    while (one.n < entries || base.n < entries) {
        if (poll(pf, 2, 5000) <= 0) {
            fprintf(stderr, "bench: no entry for 5 s\n");
            return 1;
        }
        if (pf[0].revents)
            take_frames(fds[0], &in[0], &one, warm > 0 ? warm-- : 0);
        if (pf[1].revents)
            take_lines(tfd, &tail_lb, &base, 0);
    }
    close(fds[0]);
    in[0].len = 0;
    bench_stop(writer, SIGKILL);
    bench_stop(tail, SIGKILL);

    /* FOLLOWERS at once. */
    for (int i = 0; i < FOLLOWERS; i++) {
        fds[i] = follow(sock);
        pf[i] = (struct pollfd){fds[i], POLLIN, 0};
    }
    int skip = 1;
    for (double settle = bench_now_us() + 200000; many.n < entries * FOLLOWERS;) {
        if (poll(pf, FOLLOWERS, 5000) <= 0) {
            fprintf(stderr, "bench: no entry for 5 s\n");
            return 1;
        }
        if (skip && bench_now_us() > settle)
            skip = 0;
        for (int i = 0; i < FOLLOWERS; i++)
            if (pf[i].revents)
                take_frames(fds[i], &in[i], &many, skip);
    }
    for (int i = 0; i < FOLLOWERS; i++)
        close(fds[i]);
    bench_stop(svcd, SIGTERM);
    /* the same file, appended from its end again */
    many_tails(file, entries, &tails);
    fanout_floor(1, entries, &fl1);
    fanout_floor(FOLLOWERS, entries, &fl100);

    double o50 = bench_pct(&one, 0.5), o99 = bench_pct(&one, 0.99), b50 = bench_pct(&base, 0.5),
           b99 = bench_pct(&base, 0.99), m50 = bench_pct(&many, 0.5), m99 = bench_pct(&many, 0.99),
           t50 = bench_pct(&tails, 0.5), t99 = bench_pct(&tails, 0.99), f1 = bench_pct(&fl1, 0.99),
           f50 = bench_pct(&fl100, 0.5), f99 = bench_pct(&fl100, 0.99);
    printf("    %d entries, one every %d ms, write to reader\n", entries, PERIOD_MS);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "svcd, 1 follower", o50 / 1000, o99 / 1000);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "tail -F, same rate, same time", b50 / 1000,
           b99 / 1000);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "svcd, 100 followers at once", m50 / 1000,
           m99 / 1000);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "100 tail -F at once (baseline)", t50 / 1000,
           t99 / 1000);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "ideal fan-out, 1 socket",
           bench_pct(&fl1, 0.5) / 1000, f1 / 1000);
    printf("    %-34s p50 %8.3f ms  p99 %8.3f ms\n", "ideal fan-out, 100 sockets", f50 / 1000,
           f99 / 1000);
    printf("    p50 1 follower vs tail -F         %6.2fx  (target <= 1)\n", o50 / b50);
    printf("    p99 100 followers vs 1 follower   %6.2fx  (target <= 2)\n", m99 / o99);
    printf("    p99 100 tail -F vs 1 tail -F      %6.2fx  (what the OS does with 100 readers)\n",
           t99 / b99);
    printf("    p99 ideal fan-out 100 vs 1        %6.2fx  (the floor for any one writer)\n",
           f99 / f1);
    printf("    p99 100 followers vs ideal 100    %6.2fx  (svcd's own cost of the fan-out)\n",
           m99 / f99);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) != 0;
}
