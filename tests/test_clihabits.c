/* svcclient's journalctl and docker habits, driven through the real
 * binaries against a real svcd: -r, -p, -f --until, --version. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "svcdtest.h"
#include "tmpdir.h"

static struct svcdtest t;
static struct proc_result res;

/* Runs svcclient with the test's endpoint and `args` (NULL-terminated). */
static int client_run(const char *const *args)
{
    char *argv[16] = {SVCCLIENT_BIN, "--endpoint", t.sock};
    int n = 3;

    for (; *args && n < 15; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    cr_assert_eq(proc_run(argv, NULL, 20000, &res), 0);
    return res.exit_code;
}

#define client(...) client_run((const char *[]){__VA_ARGS__, NULL})

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void setup(void)
{
    svcdtest_prepare(&t);
    svcdtest_start(&t, (const char *[]){"--interval", "20ms", "--control-group", "root", NULL});
    /* a few heartbeats (info), then a pause (a notice audit entry) that
     * freezes the log for the comparisons */
    for (int i = 0; i < 500; i++) {
        cr_assert_eq(client("logs", "-n", "6", "--json"), 0, "%s", res.err);
        if (count_lines(res.out) >= 6)
            break;
        usleep(20000);
    }
    cr_assert_geq(count_lines(res.out), 6, "svcd wrote no heartbeats");
    cr_assert_eq(client("pause"), 0, "%s", res.err);
}

static void teardown(void)
{
    svcdtest_finish(&t, 5000);
}

TestSuite(clihabits, .init = setup, .fini = teardown, .timeout = 120);

/* The lines of `s` into lines[] (at most max), each NUL-terminated in place. */
static int split_lines(char *s, char **lines, int max)
{
    int n = 0;
    for (char *p = strtok(s, "\n"); p && n < max; p = strtok(NULL, "\n"))
        lines[n++] = p;
    return n;
}

Test(clihabits, reverse_is_the_last_n_newest_first)
{
    static char fwd[65536];
    char *a[16], *b[16];
    int na, nb;

    cr_assert_eq(client("logs", "-n", "5", "--json"), 0, "%s", res.err);
    memcpy(fwd, res.out, sizeof(fwd));
    cr_assert_eq(client("logs", "-rn5", "--json"), 0, "%s", res.err);
    na = split_lines(fwd, a, 16);
    nb = split_lines(res.out, b, 16);
    cr_assert_eq(na, 5);
    cr_assert_eq(nb, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(b[i], a[4 - i], "line %d of -r is line %d of the oldest-first", i, 4 - i);
    cr_assert_eq(client("logs", "-r", "-f"), 2);
    cr_assert(strstr(res.err, "--reverse and --follow cannot be combined"), "%s", res.err);
}

/* Every line's level is one of `allowed` (" info notice "); returns how
 * many lines there were. */
static int levels_within(const char *out, const char *allowed)
{
    int n = 0;
    for (const char *p = strstr(out, "\"level\":\""); p; p = strstr(p + 1, "\"level\":\"")) {
        char lv[24];
        cr_assert_eq(sscanf(p + 9, "%15[a-z]", lv + 1), 1);
        lv[0] = ' ';
        strcat(lv, " ");
        cr_assert(strstr(allowed, lv), "level%s is outside%s", lv, allowed);
        n++;
    }
    cr_assert_eq(n, count_lines(out));
    return n;
}

Test(clihabits, priority_names_numbers_and_ranges)
{
    cr_assert_eq(client("logs", "-n", "200", "-p", "notice", "--json"), 0, "%s", res.err);
    cr_assert_geq(levels_within(res.out, " notice warning error "), 1, "the pause's audit entry");
    cr_assert_eq(client("logs", "-n", "200", "-p", "5", "--json"), 0, "%s", res.err);
    cr_assert_geq(levels_within(res.out, " notice warning error "), 1);
    cr_assert_eq(client("logs", "-n", "200", "-p", "info..debug", "--json"), 0, "%s", res.err);
    cr_assert_geq(levels_within(res.out, " debug info "), 5, "the heartbeats, no notice");
    cr_assert_eq(client("logs", "-n", "200", "--priority=6..notice", "--json"), 0, "%s", res.err);
    cr_assert(strstr(res.out, "\"level\":\"notice\"") && strstr(res.out, "\"level\":\"info\""),
              "both ends of the range: %s", res.out);
    levels_within(res.out, " info notice ");
    cr_assert_eq(client("logs", "-p", "loud"), 2);
    cr_assert(strstr(res.err, "-p: 'loud' is not a priority"), "%s", res.err);
}

Test(clihabits, follow_until_ends_at_until)
{
    char until[CLOCK_UTC_LEN];

    /* svcd runs again, so new heartbeats come while we follow */
    cr_assert_eq(client("resume"), 0, "%s", res.err);
    clock_format_utc(clock_wall_us() + 1500000, until);
    cr_assert_eq(client("logs", "-f", "--until", until, "--json"), 0,
                 "-f --until must end by itself with 0 (exit %d): %s", res.exit_code, res.err);
    cr_assert_geq(count_lines(res.out), 1);
    /* nothing matches: svcd still answers at once, and the follow ends at T
     * (it was "did not answer within 5000 ms", exit 3) */
    clock_format_utc(clock_wall_us() + 1500000, until);
    cr_assert_eq(client("logs", "-f", "-p", "err", "--until", until), 0,
                 "a follow that matches nothing yet ends at T with 0 (exit %d): %s", res.exit_code,
                 res.err);
    cr_assert_eq(count_lines(res.out), 0);
    /* a range that ended already: the entries, then the end */
    cr_assert_eq(client("logs", "-f", "--until", "1s", "-n", "3"), 0, "%s", res.err);
    cr_assert_eq(count_lines(res.out), 3);
}

Test(clihabits, version_option_is_the_version_verb)
{
    static char verb[65536];
    char *argv[] = {SVCD_BIN, "version", NULL}, *argv2[] = {SVCD_BIN, "--version", NULL};

    cr_assert_eq(client("version"), 0);
    memcpy(verb, res.out, sizeof(verb));
    cr_assert_eq(client("--version"), 0, "%s", res.err);
    cr_assert_str_eq(res.out, verb);
    cr_assert(strncmp(verb, "svcclient ", 10) == 0, "%s", verb);
    cr_assert_eq(proc_run(argv, NULL, 10000, &res), 0);
    memcpy(verb, res.out, sizeof(verb));
    cr_assert_eq(proc_run(argv2, NULL, 10000, &res), 0);
    cr_assert_eq(res.exit_code, 0);
    cr_assert_str_eq(res.out, verb);
}

Test(clihabits, output_json_is_json_and_short_iso_the_default)
{
    static char a[65536];

    cr_assert_eq(client("logs", "-n", "4", "--json"), 0, "%s", res.err);
    memcpy(a, res.out, sizeof(a));
    cr_assert_eq(client("logs", "-n4", "-o", "json"), 0, "%s", res.err);
    cr_assert_str_eq(res.out, a);
    cr_assert_eq(client("logs", "-n", "4"), 0, "%s", res.err);
    memcpy(a, res.out, sizeof(a));
    cr_assert_eq(client("logs", "-n", "4", "--output=short-iso"), 0, "%s", res.err);
    cr_assert_str_eq(res.out, a);
    cr_assert_eq(client("logs", "-n", "4", "-o", "cat"), 0, "%s", res.err);
    cr_assert_eq(count_lines(res.out), 4);
    cr_assert(strncmp(res.out, "heartbeat", 9) == 0 || strstr(res.out, "pause"), "%s", res.out);
}
