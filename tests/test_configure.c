/* svcd configure, the real binary on a throw-away config file: the keys
 * given are set, every other byte kept; a bad value changes nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "tmpdir.h"

static char dir[256], conf[300];
static struct proc_result r;

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(conf, sizeof(conf), "%s/svcd.conf", dir);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

static char *conf_text(void)
{
    size_t n;
    return tmpdir_read(dir, "svcd.conf", &n);
}

TestSuite(configure, .init = setup, .fini = teardown);

Test(configure, sets_the_given_keys_and_keeps_the_rest)
{
    static const char before[] = "# kept\r\ninterval = 1s\r\nrotate_keep = 3\r\n";
    char *args[] = {SVCD_BIN,        "configure",   "--config",       conf,
                    "--interval=5s", "--state-dir", "/srv/svcd logs", NULL};
    char *after;

    cr_assert_eq(tmpdir_write(dir, "svcd.conf", before, sizeof(before) - 1), 0);
    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "interval = 5s"), "%s", r.out);
    after = conf_text();
    cr_assert_str_eq(after, "# kept\r\ninterval = 5s\r\nrotate_keep = 3\r\n"
                            "state_dir = /srv/svcd logs\r\n");
    free(after);
}

Test(configure, a_bad_value_fails_and_changes_nothing)
{
    static const char before[] = "# kept\ninterval = 1s\n";
    char *args[] = {SVCD_BIN, "configure",  "--config", conf, "--rotate-keep",
                    "2",      "--interval", "soon",     NULL};
    char *after;

    cr_assert_eq(tmpdir_write(dir, "svcd.conf", before, sizeof(before) - 1), 0);
    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "interval: 'soon' is not a duration"), "%s", r.err);
    cr_assert(strstr(r.err, "nothing was changed"), "%s", r.err);
    after = conf_text();
    cr_assert_str_eq(after, before);
    free(after);
}

Test(configure, a_missing_file_starts_from_the_packaged_default)
{
    char *args[] = {SVCD_BIN, "configure", "--config", conf, "--interval", "2s", NULL};
    char *after;

    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    after = conf_text();
    cr_assert(strstr(after, "# svcd configuration"), "%s", after);
    cr_assert(strstr(after, "\ninterval = 2s\n"), "%s", after);
    free(after);
}

Test(configure, no_key_leaves_no_file)
{
    char *args[] = {SVCD_BIN, "configure", "--config", conf, NULL};
    size_t n;

    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    cr_assert_null(tmpdir_read(dir, "svcd.conf", &n));
}

Test(configure, startup_is_the_service_managers_on_linux)
{
    char *args[] = {SVCD_BIN, "configure", "--config", conf, "--startup", "manual", NULL};
    char *bad[] = {SVCD_BIN, "configure", "--startup", "sometimes", NULL};
    char *unknown[] = {SVCD_BIN, "configure", "--colour", "blue", NULL};

    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "cannot set the startup to manual: "), "%s", r.err);
    cr_assert_eq(proc_run(bad, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "--startup must be auto, delayed, manual or disabled, not "
                            "'sometimes'"),
              "%s", r.err);
    cr_assert_eq(proc_run(unknown, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "unknown option '--colour'"), "%s", r.err);
}

Test(configure, a_failure_after_the_edit_puts_the_file_back)
{
    static const char before[] = "# kept\ninterval = 1s\n";
    /* On Linux --startup always fails (systemd decides), after the edit. */
    char *args[] = {SVCD_BIN, "configure", "--config", conf, "--interval",
                    "5s",     "--startup", "manual",   NULL};
    char *after;

    cr_assert_eq(tmpdir_write(dir, "svcd.conf", before, sizeof(before) - 1), 0);
    cr_assert_eq(proc_run(args, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "restored as it was"), "%s", r.err);
    after = conf_text();
    cr_assert_str_eq(after, before);
    free(after);
}
