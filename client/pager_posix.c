/* pager.h on POSIX: the pager is a child on a pipe that replaces stdout,
 * with the spooler (pager.h) between them: a second child. */
#define _GNU_SOURCE /* syscall */
#include "pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGER_CMD_MAX  4096
#define PAGER_ARGS_MAX 64
static pid_t pager_pid = -1, spool_pid = -1;
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

/* Moves `in` and `out` to 0 and 1 and closes every other descriptor but
 * stderr (the socket to svcd among them: svcd must see svcclient close it,
 * not wait for the spooler). Returns 0 or -1. */
static int spool_descriptors(int in, int out)
{
    struct rlimit rl;
    long max = 65536;
    /* above 2 first, so neither is overwritten by the other's dup2 */
    int in3 = fcntl(in, F_DUPFD, 3), out3 = fcntl(out, F_DUPFD, 3);

    if (in3 < 0 || out3 < 0 || dup2(in3, STDIN_FILENO) < 0 || dup2(out3, STDOUT_FILENO) < 0)
        return -1;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return 0;
#endif
    /* no close_range (an older kernel): every descriptor the limit allows */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        max = (long)rl.rlim_cur;
    for (long fd = 3; fd < max && fd < (1L << 20); fd++)
        close((int)fd);
    return 0;
}

/* In the spooler child: copies `in` to `out` (made non-blocking), reading
 * `in` whenever it has bytes and the buffer has room, so svcclient never
 * waits for the pager. Ends when `in` ends and all is written, or the pager
 * is gone (EPIPE, or POLLERR while there is nothing to write):
 * svcclient's next write then fails, as with no spooler. Never returns. */
static void spool_run(int in, int out)
{
    struct pager_spool sp = {0};
    int open_in = 1, rc = 0;

    signal(SIGINT, SIG_IGN); /* Ctrl-C is for svcclient and the pager (less -K) */
    signal(SIGPIPE, SIG_IGN);
    if (spool_descriptors(in, out) < 0)
        _exit(1);
    in = STDIN_FILENO;
    out = STDOUT_FILENO;
    if (fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_NONBLOCK) < 0)
        _exit(1);
    while (open_in || sp.head < sp.len) {
        struct pollfd p[2] = {{.fd = -1, .events = POLLIN}, {.fd = out, .events = 0}};
        int room = open_in && pager_spool_room(&sp) == 0;
        if (open_in && !room && sp.head == sp.len) {
            rc = 1; /* no memory even for one read: end, svcclient sees EPIPE */
            break;
        }
        if (room)
            p[0].fd = in;
        if (sp.head < sp.len)
            p[1].events = POLLOUT;
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            rc = 1;
            break;
        }
        if (sp.head == sp.len && (p[1].revents & (POLLERR | POLLHUP)))
            break; /* the pager quit while there was nothing to give it */
        if (p[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
            ssize_t w = write(out, sp.buf + sp.head, sp.len - sp.head);
            if (w < 0 && errno != EAGAIN && errno != EINTR)
                break; /* the pager quit: so does the spooler */
            if (w > 0)
                sp.head += (size_t)w;
        }
        if (room && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(in, sp.buf + sp.len, sp.cap - sp.len);
            if (r > 0)
                sp.len += (size_t)r;
            else if (r == 0 || (errno != EINTR && errno != EAGAIN))
                open_in = 0;
        }
    }
    pager_spool_free(&sp);
    _exit(rc);
}

/* Starts the spooler from `in` (read) to `out` (the pager's pipe). Returns
 * its pid, or -1 (svcclient then writes to the pager itself). */
static pid_t spool_start(int in, int out)
{
    pid_t pid = fork();

    if (pid == 0)
        spool_run(in, out);
    return pid;
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

/* Puts the spooler between `*w` (the pager's pipe) and us: on success *w
 * becomes the spooler's input. Without one (no pipe or process left), *w
 * stays the pager's pipe: the output still works, only without the
 * spooler's patience. */
static void start_spool_on(int *w)
{
    int sp[2];

    if (cloexec_pipe(sp) < 0)
        return;
    spool_pid = spool_start(sp[0], *w);
    close(sp[0]);
    if (spool_pid < 0) {
        close(sp[1]);
        return;
    }
    close(*w);
    *w = sp[1];
}

/* Waits for the spooler, which ends once its input is closed and drained
 * (or the pager is gone). */
static void stop_spool(void)
{
    if (spool_pid > 0)
        reap(spool_pid);
    spool_pid = -1;
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
    if (r != 0) { /* not started: print directly */
        close(data[1]);
        reap(pid);
        return 0;
    }
    start_spool_on(&data[1]);
    if (redirect(data[1]) < 0) {
        close(data[1]);
        stop_spool();
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
    stop_spool();    /* it hands the pager the rest, then ends */
    reap(pager_pid); /* the user reads on: we end when the pager does */
    pager_pid = -1;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
}
