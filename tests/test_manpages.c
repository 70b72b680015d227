/* The hand-written man pages say what the programs do: svcclient(1)'s
 * --timeout is a duration in seconds by default (it once said "MS", and
 * `--timeout 500` waits 500 seconds, not half of one). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "proc.h"

static char page[65536];

static const char *read_page(const char *name)
{
    char path[1024];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/packaging/linux/man/%s", SVCD_SOURCE_DIR, name);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    n = fread(page, 1, sizeof(page) - 1, f);
    fclose(f);
    page[n] = '\0';
    return page;
}

static int timeout_ms(const char *value)
{
    char *argv[] = {"svcclient", "status", "--timeout", (char *)value, NULL};
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    if (cli_parse(4, argv, &o, err, sizeof(err)) != 0)
        return -1;
    return o.timeout_ms;
}

Test(manpages, svcclient_timeout_is_a_duration_in_seconds)
{
    const char *man = read_page("svcclient.1");

    cr_assert_not_null(strstr(man, ".BI \\-\\-timeout \" DURATION\""), "svcclient(1): --timeout");
    cr_assert_null(strstr(man, "timeout \" MS\""));
    cr_assert_not_null(strstr(man, "is 500 seconds, not milliseconds"));
    cr_assert_not_null(strstr(man, "from 1ms to 1h; the default is 5 seconds"));
    /* The examples the page gives, as svcclient reads them. */
    cr_assert_eq(timeout_ms("5"), 5000);
    cr_assert_eq(timeout_ms("0.5"), 500);
    cr_assert_eq(timeout_ms("500ms"), 500);
    cr_assert_eq(timeout_ms("2s"), 2000);
    cr_assert_eq(timeout_ms("1m"), 60000);
    cr_assert_eq(timeout_ms("500"), 500000);
    cr_assert_eq(timeout_ms("1ms"), 1);
    cr_assert_eq(timeout_ms("1h"), 3600000);
    cr_assert_eq(timeout_ms("2h"), -1);
    cr_assert_eq(timeout_ms("0"), -1);
    char *none[] = {"svcclient", "status", NULL};
    struct cli_opts o;
    char err[CLI_ERR_MAX];
    cr_assert_eq(cli_parse(2, none, &o, err, sizeof(err)), 0);
    cr_assert_eq(o.timeout_ms, 5000, "the default the page states");
}

Test(manpages, svcd_and_svcclient_point_at_svcd_conf)
{
    cr_assert_not_null(strstr(read_page("svcd.8"), ".BR svcd.conf (5)"));
    cr_assert_not_null(strstr(read_page("svcclient.1"), ".BR svcd.conf (5)"));
}

/* `logs --help` names the field svcd writes, `logger` (once `source`), and
 * every value it takes: the audit entries too. */
Test(manpages, logs_help_names_the_logger_field_and_its_values)
{
    char *argv[] = {SVCCLIENT_BIN, "logs", "--help", NULL};
    static struct proc_result r;

    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "logger (worker, service, audit, client)"), "%s", r.out);
    cr_assert_null(strstr(r.out, "source"), "%s", r.out);
    for (const char *p = r.out; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        cr_assert_leq(len, 80, "a help line over 80 columns: %.*s", (int)len, p);
        p += len + (nl != NULL);
    }
}
