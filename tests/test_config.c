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
