/* svcclient's journalctl and docker habits, driven through the real
 * binaries against a real svcd: -r, -p, -f --until, --version, local time
 * in --since and in what logs shows, --utc, today, @EPOCH, -t. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "svcdtest.h"
#include "tmpdir.h"

static struct svcdtest t;
static struct proc_result res;

/* Runs svcclient with the test's endpoint and `args` (NULL-terminated),
 * and the extra environment `env` (NULL-terminated, may be NULL). */
static int client_env_run(char *const *env, const char *const *args)
{
    char *argv[16] = {SVCCLIENT_BIN, "--endpoint", t.sock};
    int n = 3;

    for (; *args && n < 15; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    cr_assert_eq(proc_run(argv, env, 20000, &res), 0);
    return res.exit_code;
}

#define client(...)          client_env_run(NULL, (const char *[]){__VA_ARGS__, NULL})
#define client_env(env, ...) client_env_run(env, (const char *[]){__VA_ARGS__, NULL})

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

/* The entries of `logs --json` output: their seqs and times. */
struct entries {
    int n;
    unsigned long long seq[64];
    int64_t us[64];
};

static void read_entries(const char *out, struct entries *e)
{
    e->n = 0;
    for (const char *p = strstr(out, "{\"seq\":"); p && e->n < 64; p = strstr(p + 1, "{\"seq\":")) {
        const char *tm = strstr(p, "\"time\":\"");
        cr_assert_not_null(tm, "%s", p);
        cr_assert_eq(sscanf(p, "{\"seq\":%llu", &e->seq[e->n]), 1);
        cr_assert_eq(clock_parse_utc(tm + 8, CLOCK_UTC_LEN - 1, &e->us[e->n]), 0, "%.40s", tm);
        e->n++;
    }
    cr_assert_eq(e->n, count_lines(out), "%s", out);
}

static void need_zone(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    if (access(path, R_OK) != 0)
        cr_skip_test("no tzdata for %s (install tzdata)", name);
}

/* "YYYY-MM-DD HH:MM:SS.ffffff" of `us` on a wall clock `offset_s` ahead of
 * UTC: what a user there reads off the clock, with no zone. */
static void wall_text(int64_t us, int32_t offset_s, char *buf)
{
    char stamp[CLOCK_UTC_LEN];

    clock_format_utc(us + (int64_t)offset_s * CLOCK_US_PER_SEC, stamp);
    stamp[10] = ' ';
    stamp[26] = '\0'; /* no Z */
    strcpy(buf, stamp);
}

/* The offset of `zone` at `us`, from the C library (not svcd's code). */
static int32_t zone_offset(const char *zone, int64_t us)
{
    time_t s = (time_t)(us / CLOCK_US_PER_SEC);
    struct tm lt, ut;

    setenv("TZ", zone, 1);
    tzset();
    localtime_r(&s, &lt);
    gmtime_r(&s, &ut);
    int64_t d = (int64_t)(lt.tm_yday - ut.tm_yday);
    if (lt.tm_year != ut.tm_year)
        d = lt.tm_year > ut.tm_year ? 1 : -1;
    return (int32_t)(d * 86400 + (lt.tm_hour - ut.tm_hour) * 3600 + (lt.tm_min - ut.tm_min) * 60 +
                     (lt.tm_sec - ut.tm_sec));
}

Test(clihabits, since_without_a_zone_is_local_time)
{
    char *ny[] = {"TZ=America/New_York", NULL};
    static char all[65536];
    struct entries e, got;
    char wall[40];
    int32_t off;

    need_zone("America/New_York");
    cr_assert_eq(client("logs", "-n", "6", "--json"), 0, "%s", res.err);
    memcpy(all, res.out, sizeof(all));
    read_entries(all, &e);
    cr_assert_eq(e.n, 6);
    /* the third-last entry's time as a New Yorker reads it, no zone */
    off = zone_offset("America/New_York", e.us[3]);
    cr_assert_neq(off, 0);
    wall_text(e.us[3], off, wall);
    cr_assert_eq(client_env(ny, "logs", "--since", wall, "--json"), 0, "%s", res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, 3, "--since '%s' in New York: entries from #%llu: %s", wall, e.seq[3],
                 res.out);
    cr_assert_eq(got.seq[0], e.seq[3]);
    /* the same text under --utc is UTC: hours away, nothing or everything */
    cr_assert_eq(client_env(ny, "logs", "--utc", "--since", wall, "-n", "6", "--json"), 0, "%s",
                 res.err);
    read_entries(res.out, &got);
    cr_assert(got.n == 0 || got.n == 6, "'%s' as UTC is %d h off: %s", wall, off / 3600, res.out);
    /* the UTC wall text with --utc (placed after it) is the entry again */
    wall_text(e.us[3], 0, wall);
    cr_assert_eq(client_env(ny, "logs", "--since", wall, "--utc", "--json"), 0, "%s", res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, 3, "%s", res.out);
    cr_assert_eq(got.seq[0], e.seq[3]);
    /* --until with a local time: the entries up to that one */
    wall_text(e.us[2], off, wall);
    cr_assert_eq(client_env(ny, "logs", "--until", wall, "-n", "3", "--json"), 0, "%s", res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, 3);
    cr_assert_eq(got.seq[2], e.seq[2], "%s", res.out);
}

Test(clihabits, shows_local_time_with_offset_unless_utc)
{
    char *tokyo[] = {"TZ=Asia/Tokyo", NULL};
    static char json[65536];
    struct entries e;
    char want[CLOCK_UTC_LEN + 8], stamp[CLOCK_UTC_LEN];

    need_zone("Asia/Tokyo");
    cr_assert_eq(client("logs", "-n", "1", "--json"), 0, "%s", res.err);
    memcpy(json, res.out, sizeof(json));
    read_entries(json, &e);
    cr_assert_eq(e.n, 1);
    /* Tokyo is +09:00 all year */
    clock_format_utc(e.us[0] + 9 * 3600 * CLOCK_US_PER_SEC, stamp);
    snprintf(want, sizeof(want), "%.26s+09:00 ", stamp);
    cr_assert_eq(client_env(tokyo, "logs", "-n", "1"), 0, "%s", res.err);
    cr_assert(strncmp(res.out, want, strlen(want)) == 0, "want '%s': %s", want, res.out);
    clock_format_utc(e.us[0], stamp);
    snprintf(want, sizeof(want), "%s ", stamp);
    cr_assert_eq(client_env(tokyo, "logs", "-n", "1", "--utc"), 0, "%s", res.err);
    cr_assert(strncmp(res.out, want, strlen(want)) == 0, "want '%s': %s", want, res.out);
    /* -t: cat gets the precise time first (docker logs -t), in the zone shown */
    cr_assert_eq(client_env(tokyo, "logs", "-n", "1", "-t", "--utc", "-o", "cat"), 0, "%s",
                 res.err);
    cr_assert(strncmp(res.out, want, strlen(want)) == 0, "want '%s': %s", want, res.out);
    cr_assert_eq(count_lines(res.out), 1);
    /* -o json is the stored line, UTC, whatever the zone and -t */
    cr_assert_eq(client_env(tokyo, "logs", "-n", "1", "-t", "-o", "json"), 0, "%s", res.err);
    cr_assert_str_eq(res.out, json);
}

/* Midnight of the day `day_delta` from today in `zone`, by mktime. */
static int64_t zone_midnight(const char *zone, int day_delta)
{
    time_t now = time(NULL);
    struct tm tm;

    setenv("TZ", zone, 1);
    tzset();
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday += day_delta;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * CLOCK_US_PER_SEC;
}

/* How many of `e` are at or after `since`. */
static int count_since(const struct entries *e, int64_t since)
{
    int n = 0;
    for (int i = 0; i < e->n; i++)
        n += e->us[i] >= since;
    return n;
}

Test(clihabits, today_yesterday_and_epoch)
{
    char *zone_env[] = {"TZ=Pacific/Kiritimati", NULL};
    static char all[65536];
    struct entries e, got;
    char epoch[40];

    need_zone("Pacific/Kiritimati");
    cr_assert_eq(client("logs", "-n", "6", "--json"), 0, "%s", res.err);
    memcpy(all, res.out, sizeof(all));
    read_entries(all, &e);
    cr_assert_eq(e.n, 6);
    cr_assert_eq(client_env(zone_env, "logs", "--since", "today", "-n", "6", "--json"), 0, "%s",
                 res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, count_since(&e, zone_midnight("Pacific/Kiritimati", 0)), "%s", res.out);
    cr_assert_eq(client_env(zone_env, "logs", "--since", "yesterday", "-n", "6", "--json"), 0, "%s",
                 res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, count_since(&e, zone_midnight("Pacific/Kiritimati", -1)), "%s", res.out);
    /* nothing is stamped tomorrow; until today is before all of today's */
    cr_assert_eq(client_env(zone_env, "logs", "--since", "tomorrow", "--json"), 0, "%s", res.err);
    cr_assert_eq(count_lines(res.out), 0, "%s", res.out);
    cr_assert_eq(client_env(zone_env, "logs", "--until", "today", "-n", "6", "--json"), 0, "%s",
                 res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, 6 - count_since(&e, zone_midnight("Pacific/Kiritimati", 0)));
    /* @EPOCH with a fraction: exactly from the fourth entry */
    snprintf(epoch, sizeof(epoch), "@%lld.%06lld", (long long)(e.us[3] / CLOCK_US_PER_SEC),
             (long long)(e.us[3] % CLOCK_US_PER_SEC));
    cr_assert_eq(client("logs", "--since", epoch, "--json"), 0, "%s", res.err);
    read_entries(res.out, &got);
    cr_assert_eq(got.n, 3, "%s: %s", epoch, res.out);
    cr_assert_eq(got.seq[0], e.seq[3]);
    /* a compound age: everything of the last hour and a half */
    cr_assert_eq(client("logs", "--since", "1h30m", "-n", "6", "--json"), 0, "%s", res.err);
    cr_assert_eq(count_lines(res.out), 6);
    cr_assert_eq(client("logs", "--since", "last week"), 2);
    cr_assert(strstr(res.err, "--since: 'last week' is not a time"), "%s", res.err);
}
