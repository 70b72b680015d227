#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"

static int parse(struct cli_opts *o, char *err, int argc, char **argv)
{
    return cli_parse(argc, argv, o, err, CLI_ERR_MAX);
}

#define ARGV(...)                                                                                  \
    (sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)), (char *[])                                 \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

Test(cli, defaults)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs")), 0);
    cr_assert_eq(o.cmd, CLI_LOGS);
    cr_assert_eq(o.tail, 10);
    cr_assert_eq(o.timeout_ms, 5000);
    cr_assert_null(o.endpoint);
    cr_assert_not(o.json);
}

Test(cli, options_before_and_after_the_command)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err,
                       ARGV("svcclient", "--json", "logs", "--tail", "20", "--endpoint=/x.sock",
                            "--timeout", "250ms")),
                 0, "%s", err);
    cr_assert(o.json);
    cr_assert_eq(o.tail, 20);
    cr_assert_str_eq(o.endpoint, "/x.sock");
    cr_assert_eq(o.timeout_ms, 250);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-n", "all")), 0);
    cr_assert_eq(o.tail, UINT32_MAX);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--tail=0")), 0);
    cr_assert_eq(o.tail, 0);
}

Test(cli, help_per_command)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX], help[4096];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--help")), 0);
    cr_assert_eq(o.cmd, CLI_HELP);
    cr_assert_eq(o.help_for, CLI_LOGS);
    cli_help(o.help_for, help, sizeof(help));
    cr_assert(strncmp(help, "usage: svcclient logs", 21) == 0);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "help", "pause")), 0);
    cr_assert_eq(o.help_for, CLI_PAUSE);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "-h")), 0);
    cr_assert_eq(o.help_for, CLI_NONE);
    cli_help(CLI_NONE, help, sizeof(help));
    cr_assert(strstr(help, "exit status") != NULL);
}

Test(cli, usage_errors_say_what_is_wrong)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient")), ERR_INVAL);
    cr_assert_str_eq(err, "no command given (try: svcclient status, or svcclient --help)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "stats")), ERR_INVAL);
    cr_assert_str_eq(err, "unknown command 'stats' (commands: status, logs, pause, resume, "
                          "version, completion, help)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--tail", "-3")), ERR_INVAL);
    cr_assert_str_eq(err, "--tail: '-3' is not a count (a number of entries, or 'all')");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--tail", "99999999999")), ERR_INVAL);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--tail")), ERR_INVAL);
    cr_assert_str_eq(err, "--tail needs a value");
    /* the option as the user wrote it, not its long name */
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-n", "5x")), ERR_INVAL);
    cr_assert_str_eq(err, "-n: '5x' is not a count (0 to 4294967295, or 'all')");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-fn5x")), ERR_INVAL);
    cr_assert_str_eq(err, "-n: '5x' is not a count (0 to 4294967295, or 'all')");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--lines=x")), ERR_INVAL);
    cr_assert_str_eq(err, "--lines: 'x' is not a count (a number of entries, or 'all')");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--tail", "3")), ERR_INVAL);
    cr_assert_str_eq(err, "status: --tail applies only to the logs command");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--bogus")), ERR_INVAL);
    cr_assert_str_eq(err, "unknown option '--bogus' (see svcclient --help)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "extra")), ERR_INVAL);
    cr_assert_str_eq(err, "status: unexpected argument 'extra'");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--timeout", "0")), ERR_INVAL);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--timeout", "1m30s")), 0, "%s", err);
    cr_assert_eq(o.timeout_ms, 90000, "systemd's compound durations");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--timeout", "1m 30q")), ERR_INVAL);
    cr_assert_str_eq(err, "--timeout: '1m 30q' is not a duration between 1ms and 1h (e.g. 5, 0.5, "
                          "500ms)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--endpoint", "")), ERR_INVAL);
}

Test(cli, logs_filters_and_follow)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err,
                       ARGV("svcclient", "logs", "-f", "--level", "warning", "--grep", "disk", "-i",
                            "--since", "2026-11-24T00:00:00Z")),
                 0, "%s", err);
    cr_assert(o.follow);
    cr_assert_eq(o.min_level, 4);
    cr_assert_str_eq(o.grep, "disk");
    cr_assert(o.ignore_case);
    cr_assert_eq(o.since_us, 1795478400000000LL);
    cr_assert_eq(o.tail, UINT32_MAX, "a time range alone means all of it");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--since", "1h", "-n", "5")), 0);
    cr_assert_eq(o.tail, 5, "an explicit tail still applies");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-f")), 0);
    cr_assert_eq(o.tail, 10);
}

Test(cli, logs_filter_errors)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--level", "loud")), ERR_INVAL);
    cr_assert_str_eq(err, "--level: 'loud' is not a level (debug, info, notice, warning, error)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--since", "last tuesday")), ERR_INVAL);
    cr_assert_str_eq(err, "--since: 'last tuesday' is not a time (e.g. '2026-11-24 13:00' local, "
                          "2026-11-24T13:00:00Z, today, @1795525932, 10m, 1h30m)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--until", "@0")), ERR_INVAL);
    cr_assert_str_eq(err, "--until: '@0' is not after 1970-01-01T00:00:00Z (no entry can be that "
                          "old)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "--utc")), ERR_INVAL);
    cr_assert_str_eq(err, "status: --utc applies only to the logs command");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--since", "1h", "--until", "2h")),
                 ERR_INVAL);
    cr_assert_str_eq(err, "logs: --since is after --until");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-i")), ERR_INVAL);
    cr_assert_str_eq(err, "logs: --ignore-case needs --grep TEXT");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "-f")), ERR_INVAL);
    cr_assert_str_eq(err, "status: -f applies only to the logs command");
}

Test(cli, journalctl_short_options)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-n1")), 0, "%s", err);
    cr_assert_eq(o.tail, 1);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-fn", "5")), 0, "%s", err);
    cr_assert(o.follow);
    cr_assert_eq(o.tail, 5);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-fn5")), 0, "%s", err);
    cr_assert_eq(o.tail, 5);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--lines", "7")), 0, "%s", err);
    cr_assert_eq(o.tail, 7);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--lines=all")), 0, "%s", err);
    cr_assert_eq(o.tail, UINT32_MAX);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-rn", "3")), 0, "%s", err);
    cr_assert(o.reverse);
    cr_assert_eq(o.tail, 3);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--reverse")), 0, "%s", err);
    cr_assert(o.reverse);
    cr_assert_eq(o.tail, 10, "-r shows the same entries, newest first");
}

Test(cli, journalctl_short_option_errors)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-fx")), ERR_INVAL);
    cr_assert_str_eq(err, "unknown option '-x' in '-fx' (see svcclient --help)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-fn")), ERR_INVAL);
    cr_assert_str_eq(err, "-n needs a value");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "status", "-n1")), ERR_INVAL);
    cr_assert_str_eq(err, "status: -n applies only to the logs command");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--json=yes")), ERR_INVAL);
    cr_assert_str_eq(err, "--json takes no value (in '--json=yes')");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-r", "-f")), ERR_INVAL);
    cr_assert(strstr(err, "--reverse and --follow cannot be combined"), "%s", err);
}

Test(cli, journalctl_priorities)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "err")), 0, "%s", err);
    cr_assert_eq(o.min_level, 5);
    cr_assert_eq(o.max_level, 0);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "crit")), 0, "%s", err);
    cr_assert_eq(o.min_level, 5, "svcd has nothing above error: crit selects error");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p4")), 0, "%s", err);
    cr_assert_eq(o.min_level, 4);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--priority=6")), 0, "%s", err);
    cr_assert_eq(o.min_level, 2);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "7")), 0, "%s", err);
    cr_assert_eq(o.min_level, 1);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "warning..err")), 0, "%s", err);
    cr_assert_eq(o.min_level, 4);
    cr_assert_eq(o.max_level, 0, "up to the top level: no upper bound");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "info..debug")), 0, "%s", err);
    cr_assert_eq(o.min_level, 1);
    cr_assert_eq(o.max_level, 2);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "6..notice")), 0, "%s", err);
    cr_assert_eq(o.min_level, 2);
    cr_assert_eq(o.max_level, 3);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--level", "notice")), 0, "%s", err);
    cr_assert_eq(o.min_level, 3, "--level keeps working");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "8")), ERR_INVAL);
    cr_assert_str_eq(err, "-p: '8' is not a priority (emerg, alert, crit, err, warning, "
                          "notice, info, debug or 0-7, or a range such as warning..err)");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-p", "warning..")), ERR_INVAL);
}

Test(cli, version_option)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "--version")), 0, "%s", err);
    cr_assert_eq(o.cmd, CLI_VERSION);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "--version", "--json")), 0, "%s", err);
    cr_assert_eq(o.cmd, CLI_VERSION);
    cr_assert(o.json);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "version")), 0, "%s", err);
    cr_assert_eq(o.cmd, CLI_VERSION);
}

Test(cli, output_modes)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs")), 0, "%s", err);
    cr_assert_eq(o.output, 0, "short-iso by default");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-o", "json")), 0, "%s", err);
    cr_assert(o.json, "-o json is --json");
    cr_assert_eq(o.output, 1);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--json")), 0, "%s", err);
    cr_assert_eq(o.output, 1);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-ocat")), 0, "%s", err);
    cr_assert_eq(o.output, 3);
    cr_assert_not(o.json);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--output=json-pretty")), 0, "%s", err);
    cr_assert(o.json, "errors as JSON for a JSON reader");
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-o", "verbose")), ERR_INVAL);
    cr_assert_str_eq(err, "-o: 'verbose' is not an output mode (short-iso, short, cat, json, "
                          "json-pretty)");
}

/* --utc decides how a zone-less --since/--until reads, wherever it is on
 * the line; -t and --utc set their flags. */
Test(cli, utc_reads_zoneless_times_wherever_it_is)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
        cr_skip_test("no tzdata for Europe/Berlin (install tzdata)");
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--since", "2026-12-02 06:50")), 0, "%s",
                 err);
    cr_assert_eq(o.since_us, 1796190600000000LL, "06:50 in Berlin is 05:50Z");
    cr_assert(!o.utc && !o.timestamps);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--since", "2026-12-02 06:50", "--utc")),
                 0, "%s", err);
    cr_assert_eq(o.since_us, 1796194200000000LL, "--utc after --since still makes it 06:50Z");
    cr_assert(o.utc);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--utc", "--until", "2026-12-02")), 0);
    cr_assert_eq(o.until_us, 1796169600000000LL);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "-tn3", "--since", "@1796190600.5")), 0);
    cr_assert(o.timestamps);
    cr_assert_eq(o.tail, 3);
    cr_assert_eq(o.since_us, 1796190600500000LL);
    cr_assert_eq(parse(&o, err, ARGV("svcclient", "logs", "--timestamps", "-o", "cat")), 0);
    cr_assert(o.timestamps);
}
