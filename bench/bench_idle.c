/* Idle cost: svcd with heartbeats running and no clients, against a
 * minimal C daemon that holds one listening Unix socket and one sleeping
 * thread. Memory from /proc/PID/smaps_rollup (RSS and PSS); CPU wake-ups
 * from the run counts in /proc/PID/task/ * /schedstat over a window.
 *
 * usage: bench_idle SECONDS */
#define _GNU_SOURCE
#include "benchutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* The baseline daemon. */
static void minimal_daemon(const char *path)
{
    pthread_t t;

    bench_listen(path); /* held open for the process's life */
    pthread_create(&t, NULL, sleeper, NULL);
    for (;;)
        pause();
}

/* "Rss:" or "Pss:" of the whole process, in KiB. */
static long rollup(pid_t pid, const char *key)
{
    char path[64], line[256];
    long v = -1;
    size_t klen = strlen(key);

    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0) {
            v = atol(line + klen);
            break;
        }
    fclose(f);
    return v;
}

/* Times any thread of pid was scheduled in (the third schedstat field). */
static long long runs(pid_t pid)
{
    char path[64];
    long long total = 0;
    struct dirent *e;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char p[400];
        unsigned long long a, b, c;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        FILE *f = fopen(p, "r");
        if (f && fscanf(f, "%llu %llu %llu", &a, &b, &c) == 3)
            total += (long long)c;
        if (f)
            fclose(f);
    }
    closedir(d);
    return total;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/svcd-idle-XXXXXX", shm[] = "/dev/shm/svcd-idle-XXXXXX";
    char sock[96], sock2[96], base_sock[96], state[96];
    pid_t svcd, svcd_shm, base;

    if (argc != 2 || mkdtemp(dir) == NULL || mkdtemp(shm) == NULL)
        return 2;
    int secs = atoi(argv[1]);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(sock2, sizeof(sock2), "%s/svcd2.sock", dir);
    snprintf(base_sock, sizeof(base_sock), "%s/base.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    svcd = bench_start_svcd(sock, state);
    svcd_shm = bench_start_svcd(sock2, shm); /* syncs cost no I/O wait: timer wake-ups only */
    if ((base = fork()) == 0)
        minimal_daemon(base_sock);
    sleep(2); /* started, settled */
    long long s0 = runs(svcd), t0 = runs(svcd_shm), b0 = runs(base);
    sleep((unsigned)secs);
    long long s1 = runs(svcd), t1 = runs(svcd_shm), b1 = runs(base);
    long srss = rollup(svcd, "Rss:"), spss = rollup(svcd, "Pss:");
    long brss = rollup(base, "Rss:"), bpss = rollup(base, "Pss:");

    printf("%-34s %8s %8s %12s\n", "", "RSS KiB", "PSS KiB", "wake-ups/s");
    printf("%-34s %8ld %8ld %12.2f\n", "svcd, 1 s heartbeats, log on disk", srss, spss,
           (double)(s1 - s0) / secs);
    printf("%-34s %8ld %8ld %12.2f\n", "svcd, 1 s heartbeats, log on tmpfs",
           rollup(svcd_shm, "Rss:"), rollup(svcd_shm, "Pss:"), (double)(t1 - t0) / secs);
    printf("%-34s %8ld %8ld %12.2f\n", "minimal daemon", brss, bpss, (double)(b1 - b0) / secs);
    printf("RSS ratio %.2fx (target <= 2.00), PSS ratio %.2fx. Wake-ups count every time a "
           "thread ran; on disk each heartbeat's fdatasync adds I/O waits.\n",
           (double)srss / (double)brss, (double)spss / (double)bpss);
    bench_stop(svcd, SIGTERM);
    bench_stop(svcd_shm, SIGTERM);
    bench_stop(base, SIGKILL);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, shm);
    return system(cmd) == 0 ? 0 : 1;
}
