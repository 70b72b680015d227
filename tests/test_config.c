#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "err.h"

static int parse(struct config *c, const char *text, char *err)
{
    config_defaults(c, 0);
    return config_parse(c, text, strlen(text), "/etc/svcd.conf", err, CONFIG_ERR_MAX);
}

Test(config, defaults_have_every_key)
{
    struct config c;

    config_defaults(&c, 1);
    cr_assert_str_eq(c.endpoint, "/run/svcd/svcd.sock");
    cr_assert_str_eq(c.state_dir, "/var/log/svcd");
    cr_assert_eq(c.interval_us, 1000000);
    cr_assert_str_eq(c.heartbeat_message, "heartbeat {n}");
    for (const struct config_key *k = config_keys(); k->key; k++) {
        cr_assert_not_null(k->flag);
        cr_assert_eq(config_key_by_flag(k->flag), k);
    }
}

Test(config, parses_keys_comments_and_quotes)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_eq(parse(&c,
                       "# svcd settings\n"
                       "\n"
                       "interval = 250ms\r\n"
                       "  state_dir=/srv/svcd  \n"
                       "heartbeat_message = \"  구동중 {n}번 째 로그  \"\n"
                       "endpoint = /tmp/x.sock",
                       err),
                 0, "%s", err);
    cr_assert_eq(c.interval_us, 250000);
    cr_assert_str_eq(c.state_dir, "/srv/svcd");
    cr_assert_str_eq(c.heartbeat_message, "  구동중 {n}번 째 로그  ");
    cr_assert_str_eq(c.endpoint, "/tmp/x.sock");
}

Test(config, unknown_key_names_file_line_and_key)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&c, "interval = 1\n\nintervall = 2\n", err), ERR_INVAL);
    cr_assert_str_eq(
        err, "/etc/svcd.conf:3: unknown key 'intervall' (known keys: endpoint, "
             "state_dir, interval, heartbeat_message, flush_window, rotate_size, "
             "rotate_keep, rotate_max_age, rotate_min_age, max_connections, "
             "max_connections_per_user, request_timeout, idle_timeout, stall_timeout, "
             "max_request_size, max_grep, max_tail, control_group, read_group, control_sddl, "
             "eventlog, log_host, log_group)");
}

Test(config, bad_values_name_file_line_and_key)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&c, "interval = soon\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: interval: 'soon' is not a duration (examples: 1, "
                          "0.5, 250ms, 2s, 1m)");
    cr_assert_eq(parse(&c, "interval = 1ms\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: interval: '1ms' is out of range (10ms to 1d)");
    /* systemd's compound durations, and the same message when they are bad */
    cr_assert_eq(parse(&c, "interval = 1m30s\n", err), 0, "%s", err);
    cr_assert_eq(c.interval_us, 90000000);
    cr_assert_eq(parse(&c, "interval = 2min 5sec\n", err), 0, "%s", err);
    cr_assert_eq(c.interval_us, 125000000);
    cr_assert_eq(parse(&c, "interval = 1m 30x\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: interval: '1m 30x' is not a duration (examples: 1, "
                          "0.5, 250ms, 2s, 1m)");
    cr_assert_eq(parse(&c, "# x\nstate_dir =\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:2: state_dir: must not be empty");
    cr_assert_eq(parse(&c, "just words\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: expected 'key = value'");
    cr_assert_eq(parse(&c, "= 5\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: missing key before '='");
}

Test(config, set_is_shared_by_flags)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    config_defaults(&c, 0);
    cr_assert_eq(config_set(&c, "interval", "2", err, sizeof(err)), 0);
    cr_assert_eq(c.interval_us, 2000000);
    cr_assert_eq(config_set(&c, "nope", "2", err, sizeof(err)), ERR_INVAL);
    cr_assert(strstr(err, "unknown key 'nope'") != NULL);
}

Test(config, rotation_and_flush_keys)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    config_defaults(&c, 0);
    cr_assert_eq(c.rotate_size, 10 * 1024 * 1024);
    cr_assert_eq(c.rotate_keep, 10);
    cr_assert_eq(c.rotate_max_age_us, 0);
    cr_assert_eq(c.flush_window_us, 1000000);
    cr_assert_eq(parse(&c,
                       "rotate_size = 512K\nrotate_keep = 3\nrotate_max_age = 7d\n"
                       "flush_window = 200ms\n",
                       err),
                 0, "%s", err);
    cr_assert_eq(c.rotate_size, 512 * 1024);
    cr_assert_eq(c.rotate_keep, 3);
    cr_assert_eq(c.rotate_max_age_us, 7ULL * 86400 * 1000000);
    cr_assert_eq(c.flush_window_us, 200000);
    cr_assert_eq(c.rotate_min_age_us, 10000000, "a shipper gets 10 s by default");
    cr_assert_eq(parse(&c, "rotate_min_age = 0\n", err), 0, "%s", err);
    cr_assert_eq(c.rotate_min_age_us, 0);
    cr_assert_eq(parse(&c, "rotate_min_age = 1m\n", err), 0, "%s", err);
    cr_assert_eq(c.rotate_min_age_us, 60000000);
    cr_assert_eq(parse(&c, "rotate_min_age = 2d\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: rotate_min_age: '2d' is out of range (0 to 1d)");
    cr_assert_eq(parse(&c, "rotate_size = 10 apples\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: rotate_size: '10 apples' is not a size (examples: "
                          "4096, 512K, 10MiB, 1G, 1T)");
    cr_assert_eq(parse(&c, "rotate_size = 1K\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: rotate_size: '1K' is out of range (4KiB to 1TiB)");
    cr_assert_eq(parse(&c, "rotate_keep = 0\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: rotate_keep: '0' is out of range (1 to 10000)");
    cr_assert_eq(parse(&c, "rotate_keep = -1\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: rotate_keep: '-1' is not a whole number");
}

Test(config, sizes)
{
    uint64_t b;

    cr_assert_eq(config_parse_size("4096", &b), 0);
    cr_assert_eq(b, 4096);
    cr_assert_eq(config_parse_size("10MiB", &b), 0);
    cr_assert_eq(b, 10 * 1024 * 1024);
    cr_assert_eq(config_parse_size("1G", &b), 0);
    cr_assert_eq(b, 1024ULL * 1024 * 1024);
    cr_assert_eq(config_parse_size("1.5M", &b), ERR_INVAL);
    cr_assert_eq(config_parse_size("M", &b), ERR_INVAL);
    cr_assert_eq(config_parse_size("99999999999999999999", &b), ERR_INVAL);
}

Test(config, a_utf8_bom_is_skipped)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_eq(parse(&c, "\xEF\xBB\xBFinterval = 250ms\r\n", err), 0, "%s", err);
    cr_assert_eq(c.interval_us, 250000);
}

Test(config, log_host_is_a_switch_off_by_default)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    config_defaults(&c, 1);
    cr_assert_eq(c.log_host, 0);
    cr_assert_eq(parse(&c, "log_host = on\n", err), 0, "%s", err);
    cr_assert_eq(c.log_host, 1);
    cr_assert_eq(parse(&c, "log_host = yes\n", err), 0, "%s", err);
    cr_assert_eq(c.log_host, 1);
    cr_assert_eq(parse(&c, "log_host = false\n", err), 0, "%s", err);
    cr_assert_eq(c.log_host, 0);
    cr_assert_eq(parse(&c, "log_host = maybe\n", err), ERR_INVAL);
    cr_assert_str_eq(err, "/etc/svcd.conf:1: log_host: 'maybe' is not on or off (also yes/no, "
                          "true/false, 1/0)");
}

Test(config, log_group_is_a_name_none_by_default)
{
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    config_defaults(&c, 1);
    cr_assert_str_eq(c.log_group, "");
    cr_assert_eq(parse(&c, "log_group = adm\n", err), 0, "%s", err);
    cr_assert_str_eq(c.log_group, "adm");
    cr_assert_eq(parse(&c, "log_group =\n", err), 0, "%s", err);
    cr_assert_str_eq(c.log_group, "", "empty: none");
    cr_assert_not_null(config_key_by_flag("--log-group"));
    cr_assert_not_null(config_key_by_flag("--log-host"));
}

/* --- reload: config_diff (issue 14 §2) ------------------------------------ */

static const struct config_key *key_named(const char *name)
{
    for (const struct config_key *k = config_keys(); k->key; k++)
        if (strcmp(k->key, name) == 0)
            return k;
    return NULL;
}

Test(config_reload, every_key_says_whether_it_changes_live)
{
    static const char *const restart[] = {"endpoint", "state_dir", "log_host", "log_group"};
    size_t n = 0;

    for (size_t i = 0; i < sizeof(restart) / sizeof(restart[0]); i++)
        cr_assert_eq(key_named(restart[i])->reload, CONFIG_RESTART, "%s", restart[i]);
    for (const struct config_key *k = config_keys(); k->key; k++)
        n += k->reload == CONFIG_LIVE;
    cr_assert_eq(n, 19, "every other key changes live (%zu do)", n);
    cr_assert_eq(key_named("interval")->reload, CONFIG_LIVE);
    cr_assert_eq(key_named("control_sddl")->reload, CONFIG_LIVE);
}

Test(config_reload, changed_live_keys_apply_and_are_named_in_one_line)
{
    struct config cur, next, out;
    struct config_diff d;
    char applied[CONFIG_DIFF_MAX + 256], refused[CONFIG_DIFF_MAX + 256], err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&cur, "interval = 1\nrotate_keep = 5\n", err), 0, "%s", err);
    cr_assert_eq(parse(&next, "interval = 3s\nrotate_keep = 8\n", err), 0, "%s", err);
    config_diff(&cur, &next, &out, &d);
    cr_assert_eq(d.changed, 2);
    cr_assert_eq(d.refused, 0);
    cr_assert_eq(out.interval_us, 3000000);
    cr_assert_eq(out.rotate_keep, 8);
    config_diff_messages(&d, applied, sizeof(applied), refused, sizeof(refused));
    cr_assert_str_eq(applied, "config reloaded: interval 1s \u2192 3s, rotate_keep 5 \u2192 8");
    cr_assert_str_eq(refused, "");
}

Test(config_reload, no_change_says_so)
{
    struct config cur, next, out;
    struct config_diff d;
    char applied[CONFIG_DIFF_MAX + 256], refused[CONFIG_DIFF_MAX + 256], err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&cur, "interval = 2s\n", err), 0, "%s", err);
    cr_assert_eq(parse(&next, "# the same, said otherwise\ninterval = 2000ms\n", err), 0);
    config_diff(&cur, &next, &out, &d);
    config_diff_messages(&d, applied, sizeof(applied), refused, sizeof(refused));
    cr_assert_str_eq(applied, "config reloaded: no change");
    cr_assert_str_eq(refused, "");
    cr_assert_eq(memcmp(&out, &cur, sizeof(out)), 0);
}

Test(config_reload, restart_keys_are_refused_and_keep_their_value)
{
    struct config cur, next, out;
    struct config_diff d;
    char applied[CONFIG_DIFF_MAX + 256], refused[CONFIG_DIFF_MAX + 256], err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&cur, "endpoint = /run/a.sock\nstate_dir = /srv/a\n", err), 0);
    cr_assert_eq(parse(&next,
                       "endpoint = /run/b.sock\nstate_dir = /srv/b\nheartbeat_message = hi {n}\n"
                       "max_request_size = 128K\n",
                       err),
                 0, "%s", err);
    config_diff(&cur, &next, &out, &d);
    cr_assert_str_eq(out.endpoint, "/run/a.sock");
    cr_assert_str_eq(out.state_dir, "/srv/a");
    cr_assert_str_eq(out.heartbeat_message, "hi {n}", "the other changes still apply");
    cr_assert_eq(out.max_request_size, 128 * 1024);
    cr_assert_eq(d.refused, 2);
    config_diff_messages(&d, applied, sizeof(applied), refused, sizeof(refused));
    cr_assert_str_eq(applied, "config reloaded: heartbeat_message \"heartbeat {n}\" \u2192 "
                              "\"hi {n}\", max_request_size 64KiB \u2192 128KiB");
    cr_assert_str_eq(refused,
                     "config reload: endpoint \"/run/a.sock\" \u2192 \"/run/b.sock\", state_dir "
                     "\"/srv/a\" \u2192 \"/srv/b\" cannot change while svcd runs; kept the "
                     "running values (restart svcd to apply: svcd restart)");
}

Test(config_reload, values_are_shown_as_the_file_would_say_them)
{
    struct config c;
    char buf[CONFIG_TEXT_MAX], err[CONFIG_ERR_MAX];

    cr_assert_eq(parse(&c, "rotate_size = 4097\nlog_host = yes\nflush_window = 0\n", err), 0);
    config_format_value(key_named("rotate_size"), &c, buf, sizeof(buf));
    cr_assert_str_eq(buf, "4097");
    config_format_value(key_named("log_host"), &c, buf, sizeof(buf));
    cr_assert_str_eq(buf, "on");
    config_format_value(key_named("flush_window"), &c, buf, sizeof(buf));
    cr_assert_str_eq(buf, "0s");
    config_format_value(key_named("max_tail"), &c, buf, sizeof(buf));
    cr_assert_str_eq(buf, "4294967295");
}

Test(config_reload, a_long_list_of_changes_stays_within_its_buffer)
{
    struct config cur, next, out;
    struct config_diff d;
    char applied[CONFIG_DIFF_MAX + 256], refused[CONFIG_DIFF_MAX + 256];

    config_defaults(&cur, 0);
    config_defaults(&next, 0);
    memset(next.heartbeat_message, 'x', CONFIG_TEXT_MAX - 1);
    memset(next.control_sddl, 'y', CONFIG_TEXT_MAX - 1);
    next.interval_us = 5000000;
    config_diff(&cur, &next, &out, &d);
    cr_assert_eq(d.changed, 3);
    cr_assert_lt(strlen(d.changes), CONFIG_DIFF_MAX);
    cr_assert(strstr(d.changes, "xxx...\"") != NULL, "long texts are cut: %s", d.changes);
    cr_assert_eq(memcmp(out.heartbeat_message, next.heartbeat_message, CONFIG_TEXT_MAX), 0);
    config_diff_messages(&d, applied, sizeof(applied), refused, sizeof(refused));
    static const char head[] = "config reloaded: interval 1s \u2192 5s, ";
    cr_assert(strncmp(applied, head, sizeof(head) - 1) == 0, "%s", applied);
}
