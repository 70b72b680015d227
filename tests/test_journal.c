/* svcd under systemd, driven through the real binary: its stderr lines take
 * sd-daemon(3) priority prefixes when stderr is the journal stream that
 * JOURNAL_STREAM names (so `journalctl -u svcd -p warning` works), and
 * stay as they were otherwise; WatchdogSec= gets WATCHDOG=1 from the loop. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "proc.h"
#include "tmpdir.h"

static char dir[256], sock[320], state[320], svcd_log[320];
static pid_t svcd_pid = -1;

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(sock, sizeof(sock), "%s/svcd.sock", dir);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(svcd_log, sizeof(svcd_log), "%s/svcd.err", dir);
    cr_assert_eq(tmpdir_write(dir, "svcd.err", "", 0), 0);
}

static void teardown(void)
{
    if (svcd_pid > 0)
        proc_stop(svcd_pid, SIGKILL, 5000);
    svcd_pid = -1;
    tmpdir_remove(dir);
}

TestSuite(journal, .init = setup, .fini = teardown, .timeout = 120);

/* "JOURNAL_STREAM=DEV:INO" of svcd_log, the file svcd's stderr goes to,
 * with `ino_off` added to the inode (1: a stream that is not fd 2). */
static void journal_stream_env(char *buf, size_t n, unsigned long long ino_off)
{
    struct stat st;

    cr_assert_eq(stat(svcd_log, &st), 0);
    snprintf(buf, n, "JOURNAL_STREAM=%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + ino_off);
}

/* Runs `svcd run` on the test's endpoint with `env` (and `extra`, an option
 * or NULL) until it listens, then stops it; returns what it wrote. */
static char *run_svcd(char *const env[], int expect_exit)
{
    char *argv[] = {SVCD_BIN,          "run",  "--endpoint", sock, "--state-dir", state,
                    "--control-group", "root", NULL};
    size_t len;

    svcd_pid = proc_spawn(argv, env, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    cr_assert_eq(proc_wait_connect(sock, 5000), 0, "svcd did not start");
    cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), expect_exit);
    svcd_pid = -1;
    return tmpdir_read(dir, "svcd.err", &len);
}

Test(journal, stderr_on_the_journal_carries_priorities_and_no_stamp)
{
    char js[128];
    journal_stream_env(js, sizeof(js), 0);
    char *env[] = {js, "NOTIFY_SOCKET=not-absolute", NULL};
    char *got = run_svcd(env, 0);

    cr_assert_not_null(got);
    cr_assert(strstr(got, "<4>warning: NOTIFY_SOCKET='not-absolute' is not an absolute") != NULL,
              "a warning is priority 4: %s", got);
    cr_assert(strstr(got, "<6>info: svcd ") != NULL, "the start is priority 6: %s", got);
    cr_assert(strstr(got, "<6>info: stopping: SIGTERM received") != NULL, "%s", got);
    for (char *line = got; *line; line = strchr(line, '\n') + 1) {
        cr_assert_eq(line[0], '<', "every line has a priority, none a time stamp: %s", line);
        cr_assert_neq(strchr(line, '\n'), NULL);
    }
    free(got);
}

Test(journal, an_error_on_the_journal_is_priority_3)
{
    char js[128];
    journal_stream_env(js, sizeof(js), 0);
    char *env[] = {js, NULL};
    char *argv[] = {SVCD_BIN, "run", "--state-dir", state, "--no-such-option", NULL};
    size_t len;

    svcd_pid = proc_spawn(argv, env, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    cr_assert_eq(proc_stop(svcd_pid, 0, 10000), 2, "a usage error");
    svcd_pid = -1;
    char *got = tmpdir_read(dir, "svcd.err", &len);
    cr_assert_not_null(got);
    cr_assert(strncmp(got, "<3>error: ", 10) == 0, "%s", got);
    free(got);
}

/* The line as it was: "YYYY-MM-DDTHH:MM:SS...Z svcd: LEVEL: " at its start. */
static void assert_stamped(const char *line, const char *level)
{
    char want[64];
    const char *sp = strchr(line, ' ');

    cr_assert(sp && sp - line >= 20 && line[4] == '-' && line[10] == 'T' && sp[-1] == 'Z',
              "a UTC time stamp first: %s", line);
    snprintf(want, sizeof(want), " svcd: %s: ", level);
    cr_assert(strncmp(sp, want, strlen(want)) == 0, "%s", line);
}

static void assert_output_as_before(char *const env[])
{
    char *got = run_svcd(env, 0);

    cr_assert_not_null(got);
    cr_assert(strchr(got, '<') == NULL, "no priority prefix: %s", got);
    assert_stamped(got, "warning");
    cr_assert(strstr(got, "NOTIFY_SOCKET='not-absolute' is not an absolute") != NULL, "%s", got);
    char *second = strchr(got, '\n') + 1;
    assert_stamped(second, "info");
    cr_assert(strncmp(strstr(second, ": info: "), ": info: svcd ", 13) == 0, "%s", second);
    free(got);
}

Test(journal, without_journal_stream_the_lines_stay_as_they_were)
{
    char *env[] = {"JOURNAL_STREAM=", "NOTIFY_SOCKET=not-absolute", NULL};
    assert_output_as_before(env);
}

Test(journal, a_journal_stream_that_is_not_stderr_changes_nothing)
{
    char js[128];
    journal_stream_env(js, sizeof(js), 1); /* the stream a parent had, say */
    char *env[] = {js, "NOTIFY_SOCKET=not-absolute", NULL};
    assert_output_as_before(env);
}

/* ---- WatchdogSec=: WATCHDOG=1 to a fake NOTIFY_SOCKET ---------------------- */

/* Starts svcd with a fake NOTIFY_SOCKET and `wpid` as WATCHDOG_PID ("WATCHDOG_PID="
 * for unset); returns the listener, READY=1 already read. */
static int start_watched(const char *wpid)
{
    char path[400], env_sock[420], got[1024];
    snprintf(path, sizeof(path), "%s/notify.sock", dir);
    snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", path);
    int fd = notify_listener(path);
    char *env[] = {env_sock, "WATCHDOG_USEC=200000", (char *)wpid, "JOURNAL_STREAM=", NULL};
    char *argv[] = {SVCD_BIN,          "run",  "--endpoint", sock, "--state-dir", state,
                    "--control-group", "root", NULL};

    svcd_pid = proc_spawn(argv, env, svcd_log);
    cr_assert_gt(svcd_pid, 0);
    notify_next(fd, got, sizeof(got));
    cr_assert(strncmp(got, "READY=1\n", 8) == 0, "%s", got);
    return fd;
}

Test(journal, watchdog_usec_gets_watchdog_1_repeatedly)
{
    char got[1024], *text;
    size_t len;
    int fd = start_watched("WATCHDOG_PID=");

    for (int i = 0; i < 4; i++) {
        notify_next(fd, got, sizeof(got));
        cr_assert_str_eq(got, "WATCHDOG=1", "keep-alive %d", i + 1);
    }
    cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), 0);
    svcd_pid = -1;
    close(fd);
    text = tmpdir_read(dir, "svcd.err", &len);
    cr_assert(strstr(text, "svcd: info: watchdog: WATCHDOG=1 every 100 ms (WatchdogSec=200 ms)"),
              "the watchdog is logged: %s", text);
    free(text);
}

/* The keep-alive of an armed watchdog goes in the loop's first round, before
 * any request is served: so a pause's STATUS= coming first proves none. */
Test(journal, watchdog_pid_of_another_process_gets_none)
{
    char got[1024], other[64];
    struct proc_result r;

    snprintf(other, sizeof(other), "WATCHDOG_PID=%d", (int)getpid());
    int fd = start_watched(other);
    char *pause[] = {SVCCLIENT_BIN, "--endpoint", sock, "pause", NULL};
    cr_assert_eq(proc_run(pause, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    notify_next(fd, got, sizeof(got));
    cr_assert(strncmp(got, "STATUS=paused by ", 17) == 0, "no WATCHDOG=1 before: %s", got);
    kill(svcd_pid, SIGTERM);
    notify_next(fd, got, sizeof(got));
    cr_assert_str_eq(got, "STOPPING=1\nSTATUS=stopping", "nor after");
    cr_assert_eq(proc_stop(svcd_pid, SIGTERM, 5000), 0);
    svcd_pid = -1;
    close(fd);
}
