/* Config and endpoint errors an administrator meets first: each names the
 * key once, a key set twice names both lines, an inline comment gets a
 * hint, sizes take T/TiB, a BOM only at the start, and a file at the
 * endpoint is "not a socket". Unit tests of config.c, and the real
 * binaries for the flag and endpoint wording. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "confedit.h"
#include "config.h"
#include "err.h"
#include "proc.h"
#include "sbuf.h"
#include "tmpdir.h"

static int parse(struct config *c, const char *text, char *err)
{
    config_defaults(c, 0);
    return config_parse(c, text, strlen(text), "svcd.conf", err, CONFIG_ERR_MAX);
}

Test(cfgerr, a_flag_error_names_the_flag_once)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    config_defaults(&c, 0);
    cr_assert_eq(config_set_as(&c, "interval", "5ms", "--interval", err, sizeof(err)), ERR_INVAL);
    cr_assert_str_eq(err, "--interval: '5ms' is out of range (10ms to 1d)");
    cr_assert_eq(config_set_as(&c, "eventlog", "heartbeats", "--eventlog", err, sizeof(err)),
                 ERR_INVAL);
    cr_assert(strncmp(err, "--eventlog: unknown class 'heartbeats'", 38) == 0, "%s", err);
    cr_assert_eq(config_set(&c, "eventlog", "x", err, sizeof(err)), ERR_INVAL);
    cr_assert(strncmp(err, "eventlog: unknown class 'x'", 27) == 0, "%s", err);
}

Test(cfgerr, svcd_run_names_the_flag_once)
{
    char *argv[] = {SVCD_BIN, "run", "--interval", "5ms", NULL};
    struct proc_result r;

    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "--interval: '5ms' is out of range (10ms to 1d)"), "%s", r.err);
    cr_assert_null(strstr(r.err, "interval: interval"), "%s", r.err);
}

Test(cfgerr, a_key_set_twice_names_both_lines)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&c, "# x\n\ninterval = 2s\nlog_host = on\n\n\ninterval = 3s\n", err),
                 ERR_INVAL);
    cr_assert_str_eq(err, "svcd.conf:7: 'interval' is set again (first set on line 3)");
}

Test(cfgerr, an_inline_comment_gets_a_hint)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&c, "interval = 5s # five\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "svcd.conf:1: interval: '5s # five' is not a duration (examples: 1, "
                          "0.5, 250ms, 2s, 1m); comments must be on their own line");
    /* A text value would keep the comment: a log in "/srv/log # big". */
    cr_assert_eq(parse(&c, "state_dir = /srv/log # big disk\n", err), ERR_INVAL);
    cr_assert(strstr(err, "svcd.conf:1: state_dir: '/srv/log # big disk' has a '#'"), "%s", err);
    cr_assert(strstr(err, "comments must be on their own line"), "%s", err);
    /* Quoted, or without a space before it, the '#' is the value's. */
    cr_assert_eq(parse(&c, "heartbeat_message = \"build # {n}\"\n", err), 0, "%s", err);
    cr_assert_str_eq(c.heartbeat_message, "build # {n}");
    cr_assert_eq(parse(&c, "heartbeat_message = build#{n}\n", err), 0, "%s", err);
    cr_assert_str_eq(c.heartbeat_message, "build#{n}");
}

Test(cfgerr, configure_quotes_a_value_with_a_hash)
{
    const struct confedit_set s[] = {{"heartbeat_message", "job # {n}"}};
    struct sbuf out;
    char err[CONFIG_ERR_MAX] = "";

    sbuf_init(&out, 1 << 16);
    cr_assert_eq(confedit_apply("", 0, s, 1, "svcd.conf", &out, err, sizeof(err)), 0, "%s", err);
    cr_assert_str_eq(sbuf_str(&out), "heartbeat_message = \"job # {n}\"\r\n");
    sbuf_free(&out);
}

Test(cfgerr, sizes_take_every_binary_suffix)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } u[] = {{"K", 1ULL << 10},   {"KB", 1ULL << 10},  {"KiB", 1ULL << 10}, {"M", 1ULL << 20},
             {"MB", 1ULL << 20},  {"MiB", 1ULL << 20}, {"G", 1ULL << 30},   {"GB", 1ULL << 30},
             {"GiB", 1ULL << 30}, {"T", 1ULL << 40},   {"TB", 1ULL << 40},  {"TiB", 1ULL << 40}};
    struct config c;
    char buf[32], err[CONFIG_ERR_MAX] = "";
    uint64_t b;

    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
        snprintf(buf, sizeof(buf), "3%s", u[i].unit);
        cr_assert_eq(config_parse_size(buf, &b), 0, "%s", buf);
        cr_assert_eq(b, 3 * u[i].mult, "%s", buf);
    }
    cr_assert_eq(parse(&c, "rotate_size = 1T\n", err), 0, "%s", err);
    cr_assert_eq(c.rotate_size, 1ULL << 40);
    cr_assert_eq(parse(&c, "rotate_size = 1TiB\n", err), 0, "%s", err);
    cr_assert_eq(parse(&c, "rotate_size = 2T\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "svcd.conf:1: rotate_size: '2T' is out of range (4KiB to 1TiB)");
    cr_assert_eq(config_parse_size("1t", &b), ERR_INVAL, "units are case-sensitive");
    cr_assert_eq(config_parse_size("1P", &b), ERR_INVAL);
}

Test(cfgerr, a_bom_counts_only_at_the_start)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_eq(parse(&c, "\xEF\xBB\xBF# Notepad\r\ninterval = 2s\r\n", err), 0, "%s", err);
    cr_assert_eq(c.interval_us, 2000000);
    cr_assert_eq(parse(&c, "interval = 2s\n\xEF\xBB\xBFlog_host = on\n", err), ERR_INVAL);
    cr_assert(strstr(err, "svcd.conf:2: a UTF-8 byte order mark (BOM) inside the file") == err,
              "%s", err);
    cr_assert_eq(parse(&c, "heartbeat_message = a\xEF\xBB\xBF b\n", err), ERR_INVAL);
    cr_assert(strstr(err, "svcd.conf:1: a UTF-8 byte order mark") == err, "%s", err);
    cr_assert_eq(parse(&c, "# \xEF\xBB\xBF\n", err), ERR_INVAL, "a comment too: a pasted file");
}

Test(cfgerr, a_file_at_the_endpoint_is_not_a_socket)
{
    char dir[256], path[320], arg[340];
    char *argv[] = {SVCCLIENT_BIN, arg, "status", NULL};
    struct proc_result r;

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.sock", "x", 1), 0);
    snprintf(path, sizeof(path), "%s/svcd.sock", dir);
    snprintf(arg, sizeof(arg), "--endpoint=%s", path);
    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    tmpdir_remove(dir);
    cr_assert_neq(r.exit_code, 0);
    cr_assert(strstr(r.err, "(not a socket)"), "%s", r.err);
    cr_assert(strstr(r.err, "the path exists but is not a socket"), "%s", r.err);
    cr_assert(strstr(r.err, "remove it"), "%s", r.err);
    cr_assert_null(strstr(r.err, "not running"), "%s", r.err);
}
