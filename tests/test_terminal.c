/* svcclient on a terminal, as journalctl: colours and the pager, driven
 * through the real binaries on a pseudo-terminal (forkpty) against a real
 * svcd, and the same commands through a pipe. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "svcdtest.h"
#include "tmpdir.h"

static struct svcdtest t;
static struct proc_result res;
static char fake[SVCDTEST_PATH_MAX + 16]; /* the recording pager script */

/* What a run on the pseudo-terminal showed. */
struct ptyrun {
    int exit_code;      /* -1: killed for the timeout, or by a signal */
    int marker_at_exit; /* the `marker` file existed when svcclient had exited */
    size_t len;
    char out[1 << 18]; /* everything written to the terminal, NUL-terminated */
};

static struct ptyrun pr;

/* Variables a run starts without, so the user's own cannot change a test. */
static const char *const scrubbed[] = {"PAGER",        "SYSTEMD_PAGER", "LESS",
                                       "SYSTEMD_LESS", "NO_COLOR",      "SYSTEMD_COLORS"};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: the environment (TERM=xterm; each "NAME=value" of env set,
 * each bare "NAME" unset), then svcclient. */
static void pty_child(char *const argv[], char *const env[])
{
    for (size_t i = 0; i < sizeof(scrubbed) / sizeof(scrubbed[0]); i++)
        unsetenv(scrubbed[i]);
    setenv("TERM", "xterm", 1);
    for (size_t i = 0; env && env[i]; i++) {
        char *eq = strchr(env[i], '=');
        if (eq == NULL) {
            unsetenv(env[i]);
            continue;
        }
        *eq = '\0';
        setenv(env[i], eq + 1, 1);
    }
    execv(argv[0], argv);
    _exit(126);
}

/* Reads what the terminal has; returns 0, or -1 once every writer is gone. */
static int pty_drain(int fd, struct ptyrun *r)
{
    ssize_t n = read(fd, r->out + r->len, sizeof(r->out) - 1 - r->len);

    if (n > 0) {
        r->len += (size_t)n;
        r->out[r->len] = '\0';
        return 0;
    }
    return n < 0 && errno == EINTR ? 0 : -1;
}

/* Runs svcclient (args NULL-terminated, after --endpoint) on a new 24x80
 * pseudo-terminal with env as pty_child says; `keys`, when not NULL, are
 * typed on it keys_after_ms after the start. Reads the terminal until
 * svcclient and whatever it started are gone, at most timeout_ms.
 * `marker` (may be NULL): a file whose existence is noted at svcclient's
 * exit. */
static void pty_run(const char *const *args, char *const env[], const char *keys, int keys_after_ms,
                    const char *marker, int timeout_ms)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    char *argv[24] = {SVCCLIENT_BIN, "--endpoint", t.sock};
    char *envcopy[16];
    long long start = now_ms();
    int fd, status, n = 3, exited = 0, typed = keys == NULL, open_ = 1;
    pid_t pid;

    for (; *args && n < 23; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    for (n = 0; env && env[n] && n < 15; n++)
        envcopy[n] = strdup(env[n]);
    envcopy[n] = NULL;
    memset(&pr, 0, sizeof(pr));
    pr.exit_code = -1;
    pid = forkpty(&fd, NULL, NULL, &ws);
    cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
    if (pid == 0)
        pty_child(argv, envcopy);
    for (int i = 0; envcopy[i]; i++)
        free(envcopy[i]);
    while ((open_ || !exited) && now_ms() - start < timeout_ms) {
        struct pollfd p = {fd, POLLIN, 0};
        if (!typed && now_ms() - start >= keys_after_ms) {
            cr_assert_eq(write(fd, keys, strlen(keys)), (ssize_t)strlen(keys));
            typed = 1;
        }
        if (open_ && poll(&p, 1, 20) > 0 && pty_drain(fd, &pr) < 0)
            open_ = 0;
        if (!open_ && exited)
            break;
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = 1;
            pr.marker_at_exit = marker && access(marker, F_OK) == 0;
            pr.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (!open_ && !exited)
            usleep(10000);
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    close(fd);
}

/* An environment for pty_run and piped: "NAME=value" or a bare "NAME". */
#define ENV(...) ((char *[]){__VA_ARGS__, NULL})

#define ptyrun(env, ...) pty_run((const char *[]){__VA_ARGS__, NULL}, env, NULL, 0, NULL, 20000)

/* The same svcclient through pipes (proc_run). */
static int client_run(const char *const *args, char *const env[])
{
    char *argv[24] = {SVCCLIENT_BIN, "--endpoint", t.sock};
    int n = 3;

    for (; *args && n < 23; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    cr_assert_eq(proc_run(argv, env, 20000, &res), 0);
    return res.exit_code;
}

#define piped(env, ...) client_run((const char *[]){__VA_ARGS__, NULL}, env)

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The pager the tests name: records its arguments, LESS, and its input,
 * then, after a moment, that it ended. */
static void write_fake_pager(void)
{
    char script[2048];

    snprintf(script, sizeof(script),
             "#!/bin/sh\n"
             "printf '%%s\\n' \"$*\" > '%s/pager.args'\n"
             "printf '%%s' \"${LESS-(unset)}\" > '%s/pager.less'\n"
             "printf '%%s' \"${LESSSECURE-(unset)}\" > '%s/pager.secure'\n"
             "cat > '%s/pager.in'\n"
             "sleep 0.5\n"
             "echo done > '%s/pager.done'\n",
             t.dir, t.dir, t.dir, t.dir, t.dir);
    cr_assert_eq(tmpdir_write(t.dir, "fakepager", script, strlen(script)), 0);
    snprintf(fake, sizeof(fake), "%s/fakepager", t.dir);
    cr_assert_eq(chmod(fake, 0755), 0);
}

/* The contents of the file `name` in the test's folder, or NULL when the
 * pager did not write it (caller frees). */
static char *recorded(const char *name)
{
    size_t len;
    return tmpdir_read(t.dir, name, &len);
}

static void forget_recordings(void)
{
    const char *names[] = {"pager.args", "pager.less", "pager.in", "pager.done"};
    char path[SVCDTEST_PATH_MAX + 16];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", t.dir, names[i]);
        unlink(path);
    }
}

static void setup(void)
{
    /* long heartbeats at the fastest interval: a few hundred of them are
     * more than a pipe holds, so a pager that quits is noticed */
    static char msg[220];

    memset(msg, 'x', 200);
    strcpy(msg + 200, " {n}");
    svcdtest_prepare(&t);
    svcdtest_start(&t, (const char *[]){"--interval", "10ms", "--heartbeat-message", msg,
                                        "--control-group", "root", NULL});
    write_fake_pager();
}

static void teardown(void)
{
    svcdtest_finish(&t, 5000);
}

TestSuite(terminal, .init = setup, .fini = teardown, .timeout = 120);

/* Waits until svcd has written at least n entries (asserts, at most 60 s). */
static void wait_entries(long n)
{
    for (int i = 0; i < 3000; i++) {
        cr_assert_eq(piped(NULL, "status", "--json"), 0, "%s", res.err);
        const char *seq = strstr(res.out, "\"last_seq\":");
        cr_assert_not_null(seq, "%s", res.out);
        if (atol(seq + strlen("\"last_seq\":")) >= n)
            return;
        usleep(20000);
    }
    cr_assert_fail("svcd wrote fewer than %ld entries", n);
}

Test(terminal, colour_on_a_terminal_none_through_a_pipe)
{
    ptyrun(NULL, "logs", "-n", "1", "--level", "notice", "--no-pager");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "\033[1mnotice"), "a notice is bold on a terminal: %s", pr.out);
    cr_assert_eq(piped(NULL, "logs", "-n", "1", "--level", "notice"), 0, "%s", res.err);
    cr_assert(strstr(res.out, "notice  service: started"), "%s", res.out);
    cr_assert_null(strstr(res.out, "\033["), "a pipe gets no colour: %s", res.out);
}

Test(terminal, no_color_set_and_term_dumb_turn_colour_off_an_empty_no_color_does_not)
{
    ptyrun(ENV("NO_COLOR=1"), "logs", "-n", "1", "--level", "notice", "--no-pager");
    cr_assert_eq(pr.exit_code, 0);
    cr_assert(strstr(pr.out, "notice  service: started"), "%s", pr.out);
    cr_assert_null(strstr(pr.out, "\033["), "NO_COLOR=1: %s", pr.out);
    ptyrun(ENV("TERM=dumb"), "logs", "-n", "1", "--level", "notice", "--no-pager");
    cr_assert_eq(pr.exit_code, 0);
    cr_assert(strstr(pr.out, "notice  service: started"), "%s", pr.out);
    cr_assert_null(strstr(pr.out, "\033["), "TERM=dumb: %s", pr.out);
    ptyrun(ENV("NO_COLOR="), "logs", "-n", "1", "--level", "notice", "--no-pager");
    cr_assert_eq(pr.exit_code, 0);
    cr_assert(strstr(pr.out, "\033[1mnotice"), "an empty NO_COLOR keeps colour: %s", pr.out);
}

Test(terminal, color_always_colours_a_pipe_never_a_terminal_and_json_never)
{
    cr_assert_eq(piped(ENV("NO_COLOR=1"), "logs", "-n", "1", "--level", "notice", "--color=always"),
                 0, "%s", res.err);
    cr_assert(strstr(res.out, "\033[1mnotice"), "--color=always beats a pipe and NO_COLOR: %s",
              res.out);
    ptyrun(NULL, "logs", "-n", "1", "--level", "notice", "--color", "never", "--no-pager");
    cr_assert_eq(pr.exit_code, 0);
    cr_assert(strstr(pr.out, "notice  service: started"), "%s", pr.out);
    cr_assert_null(strstr(pr.out, "\033["), "--color never: %s", pr.out);
    ptyrun(NULL, "logs", "-n", "1", "--level", "notice", "-o", "json", "--color=always",
           "--no-pager");
    cr_assert_eq(pr.exit_code, 0);
    cr_assert(strstr(pr.out, "\"msg\""), "%s", pr.out);
    cr_assert_null(strstr(pr.out, "\033["), "JSON is never coloured: %s", pr.out);
    cr_assert_eq(piped(NULL, "logs", "--color=sometimes"), 2);
    cr_assert(strstr(res.err, "--color: 'sometimes' is not auto, always or never"), "%s", res.err);
}

Test(terminal, status_dot_is_green_running_and_yellow_paused)
{
    ptyrun(NULL, "status");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "\033[1;32m●\033[0m svcd - logging service"), "%s", pr.out);
    cr_assert_eq(piped(NULL, "status"), 0);
    cr_assert(strncmp(res.out, "● svcd - logging service", strlen("● svcd")) == 0, "%s", res.out);
    cr_assert_eq(piped(NULL, "pause"), 0, "%s", res.err);
    ptyrun(NULL, "status");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "\033[1;33m○\033[0m svcd - logging service"), "%s", pr.out);
    ptyrun(NULL, "status", "--json");
    cr_assert_null(strstr(pr.out, "\033["), "status --json: %s", pr.out);
}

Test(terminal, logs_on_a_terminal_go_through_pager_with_lesss_options)
{
    char pager[sizeof(fake) + 16];

    snprintf(pager, sizeof(pager), "PAGER=%s one two", fake);
    ptyrun(ENV(pager), "logs", "-n", "3", "--level", "notice");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    char *args = recorded("pager.args"), *less = recorded("pager.less");
    char *in = recorded("pager.in");
    cr_assert_not_null(args, "the pager ran; terminal: %s", pr.out);
    cr_assert_str_eq(args, "one two\n");
    cr_assert_str_eq(less, "FRSXMK", "LESS unset: journalctl's");
    cr_assert(strstr(in, "\033[1mnotice  service: started"), "colour goes to the pager: %s", in);
    cr_assert_null(strstr(pr.out, "service: started"), "not on the terminal itself: %s", pr.out);
    free(args);
    free(less);
    free(in);

    forget_recordings();
    ptyrun(ENV(pager, "LESS=R"), "logs", "-n", "3");
    less = recorded("pager.less");
    cr_assert_not_null(less);
    cr_assert_str_eq(less, "R", "the user's own LESS is kept");
    free(less);
}

/* Under sudo, less runs in its secure mode (no shell, no files), as
 * journalctl does; not for the user's own svcclient. */
Test(terminal, the_pager_is_secure_under_sudo)
{
    char pager[sizeof(fake) + 16];

    snprintf(pager, sizeof(pager), "PAGER=%s", fake);
    ptyrun(ENV(pager), "logs", "-n", "3");
    char *sec = recorded("pager.secure");
    cr_assert_not_null(sec, "the pager ran: %s", pr.out);
    if (!getenv("SUDO_UID") && !getenv("PKEXEC_UID") && !getenv("SYSTEMD_PAGERSECURE"))
        cr_assert_str_eq(sec, geteuid() == getuid() ? "(unset)" : "1");
    free(sec);
    forget_recordings();
    if (geteuid() != 0)
        cr_skip_test("needs root to stand for sudo's root (SUDO_UID)");
    ptyrun(ENV(pager, "SUDO_UID=1000"), "logs", "-n", "3");
    sec = recorded("pager.secure");
    cr_assert_not_null(sec);
    cr_assert_str_eq(sec, "1", "root through sudo");
    free(sec);
    forget_recordings();
    ptyrun(ENV(pager, "SUDO_UID=1000", "SYSTEMD_PAGERSECURE=0"), "logs", "-n", "3");
    sec = recorded("pager.secure");
    cr_assert_not_null(sec);
    cr_assert_str_eq(sec, "(unset)", "SYSTEMD_PAGERSECURE=0 turns it off");
    free(sec);
}

Test(terminal, systemd_pager_wins_and_empty_or_cat_means_none)
{
    char sp[sizeof(fake) + 32], p[sizeof(fake) + 32];

    snprintf(sp, sizeof(sp), "SYSTEMD_PAGER=%s from-systemd", fake);
    snprintf(p, sizeof(p), "PAGER=%s from-pager", fake);
    ptyrun(ENV(sp, p), "logs", "-n", "1");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    char *args = recorded("pager.args");
    cr_assert_not_null(args);
    cr_assert_str_eq(args, "from-systemd\n");
    free(args);

    const char *none[] = {"SYSTEMD_PAGER=", "SYSTEMD_PAGER=cat"};
    for (size_t i = 0; i < 2; i++) {
        forget_recordings();
        ptyrun(ENV((char *)none[i], p), "logs", "-n", "1", "--level", "notice");
        cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
        cr_assert_null(recorded("pager.args"), "%s: no pager", none[i]);
        cr_assert(strstr(pr.out, "service: started"), "%s: on the terminal: %s", none[i], pr.out);
    }
}

Test(terminal, no_pager_through_a_pipe_with_no_pager_or_following)
{
    char p[sizeof(fake) + 16];
    char until[CLOCK_UTC_LEN];

    snprintf(p, sizeof(p), "PAGER=%s", fake);
    cr_assert_eq(piped(ENV(p), "logs", "-n", "1", "--level", "notice"), 0);
    cr_assert(strstr(res.out, "service: started"), "%s", res.out);
    cr_assert_null(recorded("pager.args"), "a pipe is never paged");

    ptyrun(ENV(p), "logs", "-n", "1", "--level", "notice", "--no-pager");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "service: started"), "%s", pr.out);
    cr_assert_null(recorded("pager.args"), "--no-pager");

    ptyrun(ENV(p, "TERM=dumb"), "logs", "-n", "1", "--level", "notice");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "service: started"), "%s", pr.out);
    cr_assert_null(recorded("pager.args"), "TERM=dumb");

    clock_format_utc(clock_wall_us() + 1500000, until);
    ptyrun(ENV(p), "logs", "-f", "-n", "1", "--until", until);
    cr_assert_eq(pr.exit_code, 0, "-f --until ends at until: %s", pr.out);
    cr_assert(strstr(pr.out, "heartbeat") || strstr(pr.out, "xxxx"), "%s", pr.out);
    cr_assert_null(recorded("pager.args"), "-f is never paged");
}

Test(terminal, svcclient_waits_for_the_pager_to_end)
{
    char p[sizeof(fake) + 16], done[SVCDTEST_PATH_MAX + 16];

    snprintf(p, sizeof(p), "PAGER=%s", fake);
    snprintf(done, sizeof(done), "%s/pager.done", t.dir);
    pty_run((const char *[]){"logs", "-n", "2", NULL}, ENV(p), NULL, 0, done, 20000);
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(pr.marker_at_exit, "the pager had ended (it sleeps after its input) before "
                                 "svcclient exited");
}

Test(terminal, a_pager_that_quits_at_once_ends_svcclient_quietly_with_success)
{
    const char *pagers[] = {"PAGER=true", "PAGER=head -1", "PAGER=sh -c 'exec head -c 10'"};

    wait_entries(400); /* ~100 KiB: more than the pipe to the pager holds */
    for (size_t i = 0; i < sizeof(pagers) / sizeof(pagers[0]); i++) {
        long long start = now_ms();
        pty_run((const char *[]){"logs", "-n", "all", NULL}, ENV((char *)pagers[i]), NULL, 0, NULL,
                20000);
        cr_assert_eq(pr.exit_code, 0, "%s: %s", pagers[i], pr.out);
        cr_assert_lt(now_ms() - start, 20000, "%s: svcclient did not hang", pagers[i]);
        cr_assert_null(strstr(pr.out, "svcclient"), "%s: quietly: %s", pagers[i], pr.out);
        cr_assert_lt(count_lines(pr.out), 3, "%s: the rest was not printed: %s", pagers[i], pr.out);
    }
}

Test(terminal, a_pager_that_cannot_start_leaves_the_output_on_the_terminal)
{
    ptyrun(ENV("PAGER=/nonexistent/pager -x"), "logs", "-n", "1", "--level", "notice");
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert(strstr(pr.out, "service: started"), "printed directly: %s", pr.out);
    cr_assert_null(strstr(pr.out, "svcclient:"), "nothing said about it: %s", pr.out);
}

/* less itself, as found on PATH with nothing set: q and Ctrl-C (less -K)
 * in the middle of a long output end svcclient with success. */
Test(terminal, less_by_default_quit_with_q_or_ctrl_c_is_success)
{
    const char *keys[] = {"q", "\003"};

    if (access("/usr/bin/less", X_OK) != 0 && access("/bin/less", X_OK) != 0)
        cr_skip_test("less is not installed");
    wait_entries(400); /* more than one screen: less waits for a key */
    for (size_t i = 0; i < 2; i++) {
        pty_run((const char *[]){"logs", "-n", "all", NULL}, NULL, keys[i], 1500, NULL, 20000);
        cr_assert_eq(pr.exit_code, 0, "key %d: %s", keys[i][0], pr.out);
        cr_assert(strstr(pr.out, "xxxxxxxx"), "less showed entries: %s", pr.out);
        cr_assert_null(strstr(pr.out, "svcclient:"), "quietly: %s", pr.out);
        cr_assert_lt(count_lines(pr.out), 100, "less showed a screen, not all: %d lines",
                     count_lines(pr.out));
    }
}

/* --- a pager read slowly -------------------------------------------------- */

#define SPOOL_ENTRIES 5000

/* A svcd with a history of SPOOL_ENTRIES long entries (about 1.3 MB: more
 * than the socket and the pipe to the pager hold) that cuts off a client
 * not reading for 1 s (not less: a busy machine can pause svcclient that
 * long, and the test must fail only for a pager that is waited for). */
static void spool_setup(void)
{
    size_t cap = (size_t)SPOOL_ENTRIES * 400, len = 0;
    char *hist = malloc(cap), pad[201];
    char path[SVCDTEST_PATH_MAX + 16];

    cr_assert_not_null(hist);
    memset(pad, 'y', 200);
    pad[200] = '\0';
    for (int i = 1; i <= SPOOL_ENTRIES; i++) /* each about 300 bytes */
        len += (size_t)snprintf(hist + len, cap - len,
                                "{\"seq\":%d,\"time\":\"2026-11-30T10:00:%02d.%06dZ\",\"level\":"
                                "\"info\",\"logger\":\"worker\",\"msg\":\"old %d %s\"}\n",
                                i, i / 100 % 60, i % 100, i, pad);
    svcdtest_prepare(&t);
    snprintf(path, sizeof(path), "%s/svcd.log", t.state);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_lt(len, cap);
    cr_assert_eq(fwrite(hist, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    free(hist);
    svcdtest_start(&t, (const char *[]){"--stall-timeout", "1s", "--control-group", "root", NULL});
}

TestSuite(spool, .init = spool_setup, .fini = teardown, .timeout = 120);

/* A user who reads the first screen for a while before paging on gets the
 * whole output: svcclient keeps taking the stream while the pager waits
 * (before, svcd cut it after stall_timeout and the rest was lost). */
Test(spool, a_pager_read_slowly_still_gets_the_whole_output)
{
    char p[SVCDTEST_PATH_MAX * 2 + 64];

    snprintf(p, sizeof(p), "PAGER=sh -c 'sleep 4; grep -c \" old \" > %s/pager.count'", t.dir);
    pty_run((const char *[]){"logs", "-n", "all", NULL}, ENV(p), NULL, 0, NULL, 30000);
    cr_assert_eq(pr.exit_code, 0, "%s", pr.out);
    cr_assert_null(strstr(pr.out, "svcclient:"), "nothing went wrong: %s", pr.out);
    char *count = recorded("pager.count");
    cr_assert_not_null(count, "the pager ran");
    cr_assert_eq(atoi(count), SPOOL_ENTRIES, "the pager got %d of the %d old entries", atoi(count),
                 SPOOL_ENTRIES);
    free(count);
    cr_assert_eq(piped(NULL, "logs", "-n", "20", "--no-pager"), 0, "%s", res.err);
    cr_assert_null(strstr(res.out, "cut off"), "svcd cut nobody off: %s", res.out);
}
