/* pager.h on POSIX: the pager is a child on a pipe that replaces stdout. */
#define _POSIX_C_SOURCE 200809L
#include "pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGER_CMD_MAX  4096
#define PAGER_ARGS_MAX 64

static pid_t pager_pid = -1;
static int saved_out = -1, saved_err = -1;
static volatile sig_atomic_t stopped;
static struct sigaction old_int, old_pipe;

const char *pager_default(void)
{
    return "less";
}

int pager_color_ready(void)
{
    return 0; /* a terminal takes ANSI colours as they are */
}

static void on_interrupt(int sig)
{
    (void)sig;
    stopped = 1;
}

/* A pipe whose ends are not inherited by what the child runs: the pager
 * must see the end of its input when we close ours. Returns 0 or -1. */
static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
}

/* Whether svcclient runs with rights its user may not have: root through
 * sudo or pkexec, or set-uid. SYSTEMD_PAGERSECURE=0 says the pager may
 * still do everything; =1 asks for the secure mode always. */
static int elevated(void)
{
    const char *secure = getenv("SYSTEMD_PAGERSECURE");

    if (secure && (strcmp(secure, "0") == 0 || strcmp(secure, "1") == 0))
        return secure[0] == '1';
    if (geteuid() != getuid())
        return 1;
    return geteuid() == 0 && (getenv("SUDO_UID") || getenv("PKEXEC_UID"));
}

/* In the child: the pager on the pipe `in`, as its own words when it has
 * no shell syntax (so a missing program is known, and the output is shown
 * without it), else through sh -c. Never returns; a failed exec's errno goes
 * to `report`, which exec closes when it succeeds. */
static void run_child(const char *cmd, int in, int report)
{
    const char *less = pager_less_value(getenv("SYSTEMD_LESS"), getenv("LESS"));
    char buf[PAGER_CMD_MAX], *argv[PAGER_ARGS_MAX];
    int n, e;

    if (dup2(in, STDIN_FILENO) < 0)
        goto failed;
    if (in != STDIN_FILENO)
        close(in);
    if (setenv("LESS", less, 1) < 0)
        goto failed;
    /* Elevated (sudo, pkexec, setuid), as journalctl does: less may not run
     * commands or open files for the user, unless SYSTEMD_PAGERSECURE=0. */
    if (elevated() && setenv("LESSSECURE", "1", 1) < 0)
        goto failed;
    n = pager_split(cmd, buf, sizeof(buf), argv, PAGER_ARGS_MAX);
    if (n > 0)
        execvp(argv[0], argv);
    else if (n == 0)
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    else
        errno = ENAMETOOLONG;
failed:
    e = errno;
    if (write(report, &e, sizeof(e)) < 0)
        e = 0; /* the parent then sees a pager that ended at once */
    _exit(127);
}

/* Waits for the child, whatever signals come meanwhile. */
static void reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* stdout (and a terminal stderr) onto the pipe's end `w`, the old ones
 * kept to give back. Returns 0 or -1 (nothing changed). */
static int redirect(int w)
{
    saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_out < 0)
        return -1;
    if (isatty(STDERR_FILENO))
        saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (dup2(w, STDOUT_FILENO) < 0) {
        close(saved_out);
        saved_out = -1;
        if (saved_err >= 0)
            close(saved_err);
        saved_err = -1;
        return -1;
    }
    if (saved_err >= 0 && dup2(w, STDERR_FILENO) < 0) {
        close(saved_err);
        saved_err = -1;
    }
    /* unbuffered: what the pager did not take is lost with it, not held
     * for the terminal afterwards */
    setvbuf(stdout, NULL, _IONBF, 0);
    return 0;
}

int pager_start(const char *cmd)
{
    struct sigaction sa;
    int data[2], report[2], e = 0;
    ssize_t r;
    pid_t pid;

    if (pager_pid > 0)
        return 1;
    if (cloexec_pipe(data) < 0)
        return 0;
    if (cloexec_pipe(report) < 0)
        goto close_data;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        goto close_report;
    if (pid == 0) {
        close(report[0]);
        close(data[1]);
        run_child(cmd, data[0], report[1]);
    }
    close(report[1]);
    close(data[0]);
    do
        r = read(report[0], &e, sizeof(e));
    while (r < 0 && errno == EINTR);
    close(report[0]);
    if (r != 0 || redirect(data[1]) < 0) { /* not started: print directly */
        close(data[1]);
        reap(pid);
        return 0;
    }
    close(data[1]);
    pager_pid = pid;
    stopped = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt; /* no SA_RESTART: a blocked write returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sa.sa_handler = SIG_IGN; /* a pager that quit is EPIPE, not death */
    sigaction(SIGPIPE, &sa, &old_pipe);
    return 1;
close_report:
    close(report[0]);
    close(report[1]);
close_data:
    close(data[0]);
    close(data[1]);
    return 0;
}

int pager_active(void)
{
    return pager_pid > 0;
}

int pager_stopped(void)
{
    return stopped;
}

void pager_write_failed(void)
{
    stopped = 1;
}

void pager_finish(void)
{
    if (pager_pid <= 0)
        return;
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO); /* closes our end of the pipe: its EOF */
    close(saved_out);
    saved_out = -1;
    if (saved_err >= 0) {
        dup2(saved_err, STDERR_FILENO);
        close(saved_err);
        saved_err = -1;
    }
    clearerr(stdout);
    clearerr(stderr);
    reap(pager_pid); /* the user reads on: we end when the pager does */
    pager_pid = -1;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
}
