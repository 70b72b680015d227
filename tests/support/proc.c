#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* With SVCD_TEST_WRAP set (e.g. "valgrind -q --error-exitcode=99 ..."),
 * svcd and svcclient run under that command, so a whole suite checks the
 * real binaries with a tool. Returns a new argv (free with free; its strings
 * point into a static copy of the variable), or NULL to run argv as is. */
static char **wrap(char *const argv[])
{
    static char words[4096];
    const char *w = getenv("SVCD_TEST_WRAP"), *base = strrchr(argv[0], '/');
    char **out;
    size_t n = 0, m = 0;

    base = base ? base + 1 : argv[0];
    if (w == NULL || *w == '\0' || (strcmp(base, "svcd") && strcmp(base, "svcclient")))
        return NULL;
    snprintf(words, sizeof(words), "%s", w);
    while (argv[m])
        m++;
    out = calloc(m + 64, sizeof(char *));
    for (char *save = NULL, *t = strtok_r(words, " ", &save); t && n < 63;
         t = strtok_r(NULL, " ", &save))
        out[n++] = t;
    for (size_t i = 0; i <= m; i++)
        out[n + i] = argv[i];
    return out;
}

/* environ plus extras; an extra "NAME=" with no value removes NAME. */
static char **build_env(char *const extra[])
{
    size_t n = 0, m = 0, k = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        int overridden = 0;
        for (size_t j = 0; j < m; j++) {
            size_t kl = strcspn(extra[j], "=") + 1;
            if (strncmp(environ[i], extra[j], kl) == 0)
                overridden = 1;
        }
        if (!overridden)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < m; j++)
        if (extra[j][strcspn(extra[j], "=") + 1] != '\0')
            env[k++] = extra[j];
    env[k] = NULL;
    return env;
}

static void reap(pid_t pid, int timeout_ms, int *status, int *killed)
{
    long deadline = now_ms() + timeout_ms;
    *killed = 0;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            return;
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            *killed = 1;
            return;
        }
        usleep(2000);
    }
}

int proc_run(char *const argv[], char *const env_extra[], int timeout_ms, struct proc_result *r)
{
    int out[2], err[2], status, killed;
    size_t no = 0, ne = 0;
    posix_spawn_file_actions_t fa;
    char **env = build_env(env_extra);
    pid_t pid;

    memset(r, 0, sizeof(*r));
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    char **wrapped = wrap(argv);
    char *const *run = wrapped ? wrapped : argv;
    int spawned = posix_spawnp(&pid, run[0], &fa, NULL, run, env);
    free(wrapped);
    if (spawned != 0) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    r->pid = (long)pid;
    close(out[1]);
    close(err[1]);
    long deadline = now_ms() + timeout_ms;
    int open_fds = 2;
    struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
    while (open_fds > 0 && now_ms() < deadline) {
        if (poll(p, 2, 50) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
                continue;
            char *buf = i == 0 ? r->out : r->err;
            size_t cap = i == 0 ? sizeof(r->out) : sizeof(r->err);
            size_t *len = i == 0 ? &no : &ne;
            char sink[4096];
            ssize_t got = *len + 1 < cap ? read(p[i].fd, buf + *len, cap - 1 - *len)
                                         : read(p[i].fd, sink, sizeof(sink));
            if (got <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                open_fds--;
            } else if (*len + 1 < cap) {
                *len += (size_t)got;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (p[i].fd >= 0)
            close(p[i].fd);
    reap(pid, deadline > now_ms() ? (int)(deadline - now_ms()) : 0, &status, &killed);
    r->exit_code = (!killed && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return 0;
}

pid_t proc_spawn(char *const argv[], char *const env_extra[], const char *log_path)
{
    posix_spawn_file_actions_t fa;
    char **env = build_env(env_extra);
    pid_t pid;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    char **wrapped = wrap(argv);
    char *const *run = wrapped ? wrapped : argv;
    int rc = posix_spawnp(&pid, run[0], &fa, NULL, run, env);
    posix_spawn_file_actions_destroy(&fa);
    free(wrapped);
    free(env);
    return rc == 0 ? pid : -1;
}

int proc_stop(pid_t pid, int sig, int timeout_ms)
{
    int status, killed;

    kill(pid, sig);
    reap(pid, timeout_ms, &status, &killed);
    if (killed || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

int proc_wait_path(const char *path, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    struct stat st;

    while (now_ms() < deadline) {
        if (stat(path, &st) == 0)
            return 0;
        usleep(5000);
    }
    return -1;
}

int proc_wait_connect(const char *path, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    while (now_ms() < deadline) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(5000);
    }
    return -1;
}
