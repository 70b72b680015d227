/* Reload (issue 14 §2) against the real svcd: SIGHUP and `svcd reload`
 * re-read the config file; what they change is seen in the log svcd
 * writes (state/svcd.log, one JSON entry a line). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "proc.h"
#include "raw.h"
#include "svcdtest.h"
#include "tmpdir.h"

#define LOG_CAP (1 << 20)

static char conf[SVCDTEST_PATH_MAX];

static void write_conf(const char *text)
{
    char tmp[SVCDTEST_PATH_MAX + 8];
    FILE *f;

    /* Renamed into place, as editors do: a reload never sees half a file. */
    snprintf(tmp, sizeof(tmp), "%s.new", conf);
    f = fopen(tmp, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(rename(tmp, conf), 0);
}

/* The log's text (asserts it can be read). */
static char *read_log(const struct svcdtest *t)
{
    char path[SVCDTEST_PATH_MAX + 16];
    char *buf = malloc(LOG_CAP);
    size_t n = 0;
    FILE *f;

    cr_assert_not_null(buf);
    snprintf(path, sizeof(path), "%s/svcd.log", t->state);
    f = fopen(path, "r");
    if (f) {
        n = fread(buf, 1, LOG_CAP - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Waits (at most 10 s) for an entry whose line holds `what`; returns the
 * log's text with it (free). */
static char *wait_entry(const struct svcdtest *t, const char *what)
{
    for (int i = 0; i < 200; i++) {
        char *log = read_log(t);
        if (strstr(log, what))
            return log;
        free(log);
        sleep_ms(50);
    }
    char *log = read_log(t);
    cr_assert_fail("no entry with '%s' in the log:\n%s", what, log);
    return NULL;
}

/* Heartbeat entries in `text`. */
static int count_beats(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, "\"logger\":\"worker\"")) != NULL; p++)
        n++;
    return n;
}

static void start_with_conf(struct svcdtest *t, const char *text)
{
    const char *const extra[] = {"--config", conf, NULL};

    svcdtest_prepare(t);
    snprintf(conf, sizeof(conf), "%s/svcd.conf", t->dir);
    write_conf(text);
    svcdtest_start(t, extra);
}

Test(reload, sighup_changes_the_interval_at_once_and_logs_one_entry)
{
    struct svcdtest t;
    char *log, *after;
    int before;

    start_with_conf(&t, "interval = 100ms\nrotate_keep = 5\n");
    free(wait_entry(&t, "heartbeat 3\""));
    write_conf("interval = 1s\nrotate_keep = 8\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    log = wait_entry(&t, "config reloaded: interval 0.100s \u2192 1s, rotate_keep 5 \u2192 8\"");
    after = strstr(log, "config reloaded:");
    before = count_beats(after);
    free(log);
    sleep_ms(2500);
    log = read_log(&t);
    after = strstr(log, "config reloaded:");
    /* At 100 ms there would be ~25 more; at 1 s, two or three. */
    cr_assert_leq(count_beats(after) - before, 3, "heartbeats after the reload:\n%s", after);
    cr_assert_geq(count_beats(after) - before, 1, "heartbeats go on:\n%s", after);
    cr_assert_null(strstr(log, "cannot change"), "nothing was refused:\n%s", log);
    free(log);
    svcdtest_finish(&t, 5000);
}

Test(reload, an_unchanged_file_says_no_change)
{
    struct svcdtest t;

    start_with_conf(&t, "interval = 1s\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    free(wait_entry(&t, "\"msg\":\"config reloaded: no change\""));
    svcdtest_finish(&t, 5000);
}

Test(reload, a_changed_endpoint_is_refused_and_the_old_one_still_serves)
{
    struct svcdtest t;
    char other[SVCDTEST_PATH_MAX + 8], text[3 * SVCDTEST_PATH_MAX], want[3 * SVCDTEST_PATH_MAX];
    char *argv[] = {SVCD_BIN, "run", "--config", conf, NULL};
    struct stat st;
    char *log;

    svcdtest_prepare(&t);
    snprintf(conf, sizeof(conf), "%s/svcd.conf", t.dir);
    snprintf(other, sizeof(other), "%s/other.sock", t.dir);
    /* In the file, not as flags: flags would override whatever it says. */
    snprintf(text, sizeof(text), "endpoint = %s\nstate_dir = %s\n", t.sock, t.state);
    write_conf(text);
    t.pid = proc_spawn(argv, NULL, t.log);
    cr_assert_gt(t.pid, 0);
    cr_assert_eq(proc_wait_connect(t.sock, 5000), 0, "svcd did not start");
    snprintf(text, sizeof(text), "endpoint = %s\nstate_dir = %s\nheartbeat_message = beat {n}\n",
             other, t.state);
    write_conf(text);
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    snprintf(want, sizeof(want),
             "config reload: endpoint \\\"%s\\\" \u2192 \\\"%s\\\" cannot change", t.sock, other);
    log = wait_entry(&t, want);
    cr_assert(strstr(log, "\"level\":\"warning\",\"logger\":\"service\",\"msg\":\"config reload: "
                          "endpoint"),
              "a warning entry:\n%s", log);
    cr_assert(strstr(log, "config reloaded: heartbeat_message \\\"heartbeat {n}\\\" \u2192 "
                          "\\\"beat {n}\\\""),
              "the other change still applies:\n%s", log);
    free(log);
    free(wait_entry(&t, "\"msg\":\"beat "));
    cr_assert_eq(proc_wait_connect(t.sock, 2000), 0, "the old endpoint still serves");
    cr_assert_neq(stat(other, &st), 0, "no socket at the refused endpoint");
    svcdtest_finish(&t, 5000);
}

Test(reload, a_broken_config_changes_nothing_and_logs_the_error)
{
    struct svcdtest t;
    char want[SVCDTEST_PATH_MAX + 256];
    char *log, *after;
    int before;

    start_with_conf(&t, "interval = 100ms\n");
    free(wait_entry(&t, "heartbeat 2\""));
    write_conf("interval = 5s\nbogus = 1\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    snprintf(want, sizeof(want),
             "\"level\":\"error\",\"logger\":\"service\",\"msg\":\"config not reloaded, nothing "
             "changed: %s:2: unknown key 'bogus'",
             conf);
    log = wait_entry(&t, want);
    after = strstr(log, "config not reloaded");
    before = count_beats(after);
    cr_assert_null(strstr(log, "config reloaded"), "%s", log);
    free(log);
    sleep_ms(1500);
    log = read_log(&t);
    after = strstr(log, "config not reloaded");
    cr_assert_geq(count_beats(after) - before, 5, "still every 100 ms, not 5 s:\n%s", after);
    free(log);
    svcdtest_finish(&t, 5000);
}

Test(reload, svcd_reload_finds_the_running_svcd_by_its_state_directory)
{
    struct svcdtest t;
    static struct proc_result r;
    char *argv[] = {SVCD_BIN, "reload", "--config", conf, "--state-dir", t.state, NULL};

    start_with_conf(&t, "interval = 1s\n");
    argv[5] = t.state;
    write_conf("interval = 2s\n");
    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "svcd reload: %s", r.err);
    cr_assert(strstr(r.out, "asked svcd (pid") != NULL, "%s", r.out);
    free(wait_entry(&t, "config reloaded: interval 1s \u2192 2s\""));
    svcdtest_finish(&t, 5000);
}

Test(reload, svcd_reload_without_a_running_svcd_says_so_with_the_fix)
{
    static struct proc_result r;
    char dir[SVCDTEST_DIR_MAX];
    char *argv[] = {SVCD_BIN, "reload", "--state-dir", dir, NULL};

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 3, "%s", r.err);
    cr_assert(strstr(r.err, "no svcd is running on the state directory") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "start it (svcd run") != NULL, "%s", r.err);
    tmpdir_remove(dir);
}

Test(reload, many_sighups_in_a_row_neither_crash_nor_stop_it)
{
    struct svcdtest t;
    char *log;

    start_with_conf(&t, "interval = 50ms\n");
    for (int i = 0; i < 100; i++) {
        write_conf(i % 2 ? "interval = 50ms\n" : "interval = 60ms\n");
        cr_assert_eq(kill(t.pid, SIGHUP), 0);
        sleep_ms(5);
    }
    write_conf("interval = 70ms\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    log = wait_entry(&t, "\u2192 0.070s\"");
    free(log);
    cr_assert_eq(proc_wait_connect(t.sock, 2000), 0, "still serving");
    svcdtest_finish(&t, 5000);
}

/* systemd's side: RELOADING=1 with MONOTONIC_USEC, then READY=1. */
Test(reload, systemd_hears_reloading_then_ready)
{
    struct svcdtest t;
    char path[SVCDTEST_PATH_MAX + 16], env[SVCDTEST_PATH_MAX + 32], got[512];
    char *argv[] = {SVCD_BIN, "run",         "--config", conf, "--endpoint",
                    t.sock,   "--state-dir", t.state,    NULL};
    char *envv[] = {env, NULL};
    int fd;

    svcdtest_prepare(&t);
    argv[5] = t.sock;
    argv[7] = t.state;
    snprintf(conf, sizeof(conf), "%s/svcd.conf", t.dir);
    write_conf("interval = 1s\n");
    snprintf(path, sizeof(path), "%s/notify", t.dir);
    fd = notify_listener(path);
    snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", path);
    t.pid = proc_spawn(argv, envv, t.log);
    cr_assert_gt(t.pid, 0);
    notify_next(fd, got, sizeof(got));
    cr_assert(strncmp(got, "READY=1", 7) == 0, "%s", got);
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    notify_next(fd, got, sizeof(got));
    cr_assert(strncmp(got, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0, "%s", got);
    cr_assert_gt(strtoull(got + 27, NULL, 10), 0);
    notify_next(fd, got, sizeof(got));
    cr_assert(strncmp(got, "READY=1", 7) == 0, "%s", got);
    close(fd);
    svcdtest_finish(&t, 5000);
}

Test(reload, help_names_the_keys_that_need_a_restart_within_80_columns)
{
    static struct proc_result r;
    char *argv[] = {SVCD_BIN, "reload", "--help", NULL};
    char *help[] = {SVCD_BIN, "help", NULL};

    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "\n  endpoint, state_dir, log_host, log_group\n") != NULL, "%s", r.out);
    for (char *line = r.out, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        cr_assert_leq(nl - line, 80, "%.*s", (int)(nl - line), line);
    }
    cr_assert_eq(proc_run(help, NULL, 10000, &r), 0);
    cr_assert(strstr(r.out, "\n  reload     make the running svcd re-read its config file") != NULL,
              "%s", r.out);
}

/* As root svcd runs in system mode: a new control_group decides for new
 * connections and the socket gets the group; a connection open during the
 * reload keeps the old policy until it closes (ASan/valgrind see its
 * release). A group that does not exist changes nothing. */
Test(reload, a_new_control_group_is_given_to_the_socket_and_a_missing_one_changes_nothing)
{
    struct svcdtest t;
    struct group *g;
    struct stat st;
    long gid;
    char want[SVCDTEST_PATH_MAX + 256];
    int fd;

    if (geteuid() != 0)
        cr_skip_test("needs root: groups apply in system mode only");
    g = getgrnam("nogroup"); /* a static buffer: the next getgrnam reuses it */
    gid = g ? (long)g->gr_gid : -1;
    if (g == NULL || getgrnam("svcd") == NULL)
        cr_skip_test("needs the groups svcd and nogroup");
    start_with_conf(&t, "control_group = svcd\n");
    fd = raw_connect(t.sock);
    cr_assert_geq(fd, 0);
    write_conf("control_group = nogroup\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    free(wait_entry(&t, "config reloaded: control_group \\\"svcd\\\" \u2192 \\\"nogroup\\\"\""));
    cr_assert_eq(stat(t.sock, &st), 0);
    cr_assert_eq((long)st.st_gid, gid, "the socket belongs to the new group");
    close(fd);
    cr_assert_eq(proc_wait_connect(t.sock, 2000), 0);
    write_conf("control_group = no-such-group-for-svcd\n");
    cr_assert_eq(kill(t.pid, SIGHUP), 0);
    snprintf(want, sizeof(want), "config not reloaded, nothing changed: control_group");
    free(wait_entry(&t, want));
    cr_assert_eq(stat(t.sock, &st), 0);
    cr_assert_eq((long)st.st_gid, gid, "unchanged");
    svcdtest_finish(&t, 5000);
}
