#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

static Svcd__Status sample(void)
{
    Svcd__Status st = SVCD__STATUS__INIT;
    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING;
    st.pid = 123;
    st.version = "0.1.0";
    st.protocol_version = 1;
    st.started_at_us = 1795525932000000LL;
    st.uptime_us = 303000000ULL;
    st.interval_us = 1000000;
    st.entries_written = 300;
    st.last_seq = 1234;
    st.last_time_us = 1795526235000000LL;
    st.log_path = "/var/log/svcd/svcd.log";
    st.log_size = 2048;
    st.paused_by = "";
    st.endpoint = "/run/svcd/svcd.sock";
    return st;
}

Test(output, status_reads_like_systemctl)
{
    Svcd__Status st = sample();
    struct sbuf b;

    sbuf_init(&b, 0);
    output_status(&st, 0, st.started_at_us + 303000000LL, 0, &b);
    cr_assert(strstr(b.p, "● svcd - logging service\n") == b.p);
    cr_assert(strstr(b.p, "     State: running since 2026-11-24T13:12:12.000000Z; 5min 3s ago\n"));
    cr_assert(strstr(b.p, "       PID: 123\n"));
    cr_assert(strstr(b.p, "   Version: 0.1.0 (protocol 1)\n"));
    cr_assert(strstr(b.p, "       Log: /var/log/svcd/svcd.log (2.0 KiB)\n"));
    cr_assert(strstr(b.p, "   Entries: 300 written since start; last #1234 at "
                          "2026-11-24T13:17:15.000000Z\n"));
    cr_assert_null(strstr(b.p, "Paused by"));
    sbuf_free(&b);
}

Test(output, paused_status_says_since_when_and_by_whom)
{
    Svcd__Status st = sample();
    struct sbuf b;

    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED;
    st.paused_since_us = st.started_at_us + 60000000LL;
    st.paused_by = "alice (uid 1000, pid 42)";
    Svcd__Peer by = SVCD__PEER__INIT;
    by.user = "alice";
    by.uid = 1000;
    by.sid = "";
    by.pid = 42;
    st.paused_by_peer = &by;
    sbuf_init(&b, 0);
    output_status(&st, 0, st.paused_since_us + 12000000LL, 0, &b);
    cr_assert(strstr(b.p, "     State: paused since 2026-11-24T13:13:12.000000Z; 12s ago\n"), "%s",
              b.p);
    cr_assert(strstr(b.p, " Paused by: alice (uid 1000, pid 42)\n"));
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, "\"state\":\"paused\""));
    cr_assert(strstr(b.p, "\"paused_since\":\"2026-11-24T13:13:12.000000Z\""));
    cr_assert(strstr(b.p, "\"paused_by\":{\"user\":\"alice\",\"uid\":1000,\"pid\":42}"), "%s", b.p);
    sbuf_free(&b);
}

Test(output, paused_by_is_an_object_on_each_platform)
{
    Svcd__Status st = sample();
    Svcd__Peer by = SVCD__PEER__INIT;
    struct sbuf b;

    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED;
    st.paused_since_us = st.started_at_us;
    st.paused_by = "CORP\\bob (S-1-5-21-1-2-3-1104, pid 7)";
    by.user = "CORP\\bob";
    by.uid = -1;
    by.sid = "S-1-5-21-1-2-3-1104";
    by.pid = 7;
    st.paused_by_peer = &by;
    sbuf_init(&b, 0);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, "\"paused_by\":{\"user\":\"CORP\\\\bob\",\"sid\":\"S-1-5-21-1-2-3-1104\","
                          "\"pid\":7}"),
              "%s", b.p);
    /* a uid the user database has no name for, and an unknown pid */
    by.user = "";
    by.uid = 4321;
    by.sid = "";
    by.pid = -1;
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, "\"paused_by\":{\"user\":null,\"uid\":4321}"), "%s", b.p);
    /* paused through the service manager (sc pause) */
    st.paused_by_peer = NULL;
    st.paused_by_service_manager = 1;
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, "\"paused_by\":{\"service_manager\":true}"), "%s", b.p);
    /* an older service sends only the text */
    st.paused_by_service_manager = 0;
    st.paused_by = "alice (uid 1000, pid 42)";
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, "\"paused_by\":{\"user\":\"alice (uid 1000, pid 42)\"}"), "%s", b.p);
    sbuf_free(&b);
}

Test(output, status_json_is_one_object)
{
    Svcd__Status st = sample();
    struct sbuf b;

    sbuf_init(&b, 0);
    output_status(&st, 1, 0, 0, &b);
    cr_assert_eq(b.p[0], '{');
    cr_assert(strncmp(b.p, "{\"schema\":1,\"state\":", strlen("{\"schema\":1,\"state\":")) == 0,
              "%s", b.p);
    cr_assert_eq(b.p[b.len - 2], '}');
    cr_assert_eq(strchr(b.p, '\n'), b.p + b.len - 1);
    cr_assert(strstr(b.p, "\"paused_since\":null,\"paused_by\":null"));
    cr_assert(strstr(b.p, "\"last_seq\":1234"));
    sbuf_free(&b);
}

Test(output, entries_like_journalctl_short_iso)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    e.seq = 5;
    e.time_us = 1795525932123456LL;
    e.level = SVCD__LEVEL__LEVEL_INFO;
    e.source = "worker";
    e.message = "구동중 5번 째 로그";
    sbuf_init(&b, 0);
    output_entry(&e, OUTPUT_SHORT_ISO | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "2026-11-24T13:12:12.123456Z info    worker: 구동중 5번 째 로그\n");
    sbuf_reset(&b);
    /* A service older than LogEntry.json: rebuilt, with the log's names. */
    output_entry(&e, 1, 0, &b);
    cr_assert_str_eq(b.p, "{\"seq\":5,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"info\","
                          "\"logger\":\"worker\",\"msg\":\"구동중 5번 째 로그\"}\n");
    sbuf_free(&b);
}

Test(output, json_is_the_stored_line_verbatim)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;
    const char *line = "{\"seq\":6,\"time\":\"2026-11-24T13:30:17.888739Z\",\"level\":\"notice\","
                       "\"logger\":\"audit\",\"msg\":\"pause by DOMAIN\\\\alice (uid 7, pid 9): "
                       "granted\",\"user_name\":\"DOMAIN\\\\alice\",\"user_id\":7,\"pid\":9,"
                       "\"future\":1}";

    e.seq = 6;
    e.source = "audit";
    e.message = "something else";
    e.json = (char *)line;
    sbuf_init(&b, 0);
    output_entry(&e, 1, 0, &b);
    cr_assert_eq(b.len, strlen(line) + 1);
    cr_assert_arr_eq(b.p, line, strlen(line), "%s", b.p);
    cr_assert_eq(b.p[b.len - 1], '\n');
    /* Never two lines for one entry. */
    e.json = "{\"seq\":6}\n{\"seq\":7}";
    sbuf_reset(&b);
    output_entry(&e, 1, 0, &b);
    cr_assert(strstr(b.p, "\"msg\":\"something else\""), "rebuilt instead: %s", b.p);
    cr_assert_eq(strchr(b.p, '\n'), b.p + b.len - 1, "one line: %s", b.p);
    sbuf_free(&b);
}

Test(output, text_names_the_client_unless_the_message_does)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    e.time_us = 1795525932123456LL;
    e.level = SVCD__LEVEL__LEVEL_NOTICE;
    e.source = "client";
    e.message = "paused by alice (uid 1000, pid 42)";
    e.user_name = "alice";
    e.user_id = 1000;
    e.pid = 42;
    e.host_name = "";
    sbuf_init(&b, 0);
    output_entry(&e, OUTPUT_SHORT_ISO | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "2026-11-24T13:12:12.123456Z notice  client: paused by alice (uid 1000, "
                          "pid 42)\n");
    e.message = "log follow cut off";
    e.user_id = -1;
    e.host_name = "web-01";
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_SHORT_ISO | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "2026-11-24T13:12:12.123456Z web-01 notice  client: log follow cut off "
                          "[by alice, pid 42]\n");
    e.user_name = "evil\033[2J";
    sbuf_reset(&b);
    output_entry(&e, 0, 0, &b);
    cr_assert_null(strchr(b.p, '\033'), "%s", b.p);
    sbuf_free(&b);
}

Test(output, colour_only_when_asked_and_controls_are_defused)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    e.time_us = 0;
    e.level = SVCD__LEVEL__LEVEL_WARNING;
    e.source = "service";
    e.message = "evil \033[2J here";
    sbuf_init(&b, 0);
    output_entry(&e, 0, 0, &b);
    cr_assert_null(strchr(b.p, '\033'), "no escape bytes without colour");
    cr_assert(strstr(b.p, "evil \\x1b[2J here"));
    sbuf_reset(&b);
    output_entry(&e, 0, 1, &b);
    cr_assert(strstr(b.p, "\033[1;33mwarning"));
    sbuf_free(&b);
}

Test(output, a_blocked_rotation_is_shown_with_since_when_and_why)
{
    Svcd__Status st = sample();
    struct sbuf b;

    sbuf_init(&b, 0);
    output_status(&st, 0, st.started_at_us, 0, &b);
    cr_assert_null(strstr(b.p, "Rotation"), "nothing while rotation works");
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, ",\"rotation_blocked\":null,\"rotation_blocked_since\":null"), "%s", b.p);
    st.rotation_blocked = "a process holds svcd.log open without sharing delete (e.g. PowerShell "
                          "Get-Content -Wait), so it cannot be renamed to svcd.log.000000001235";
    st.rotation_blocked_since_us = st.started_at_us + 60000000LL;
    sbuf_reset(&b);
    output_status(&st, 0, st.started_at_us, 0, &b);
    cr_assert(strstr(b.p, "  Rotation: blocked since 2026-11-24T13:13:12.000000Z: a process holds "
                          "svcd.log open without sharing delete"),
              "%s", b.p);
    sbuf_reset(&b);
    output_status(&st, 1, 0, 0, &b);
    cr_assert(strstr(b.p, ",\"rotation_blocked\":\"a process holds svcd.log open"), "%s", b.p);
    cr_assert(strstr(b.p, ",\"rotation_blocked_since\":\"2026-11-24T13:13:12.000000Z\""), "%s",
              b.p);
    sbuf_free(&b);
}

/* A gap in the stream: a warning line for people, and for --json a record
 * that has no "seq", so no consumer of entries can take it for one. */
Test(output, a_gap_is_a_warning_and_a_distinct_json_record)
{
    Svcd__LogGap g = SVCD__LOG_GAP__INIT;
    struct sbuf b;

    g.missed = 364;
    g.resume_seq = 1565;
    g.reason = "retention";
    sbuf_init(&b, 0);
    cr_assert_eq(output_gap(&g, 0, &b), 0);
    cr_assert_str_eq(b.p, "svcclient: warning: 364 entries (#1201-#1564) were removed by retention "
                          "before they could be read; resuming at #1565\n");
    sbuf_reset(&b);
    cr_assert_eq(output_gap(&g, 1, &b), 0);
    cr_assert_str_eq(b.p, "{\"gap\":{\"missed\":364,\"first_missing\":1201,\"resume_seq\":1565,"
                          "\"reason\":\"retention\"}}\n");
    cr_assert_null(strstr(b.p, "\"seq\""));
    sbuf_reset(&b);
    g.missed = 1;
    g.reason = "removed\033[2J";
    cr_assert_eq(output_gap(&g, 0, &b), 0);
    cr_assert_str_eq(b.p, "svcclient: warning: 1 entry (#1564) was removed (removed\\x1b[2J) "
                          "before it could be read; resuming at #1565\n");
    sbuf_reset(&b);
    g.missed = 1565; /* more than there were before #1565: not svcd */
    cr_assert_eq(output_gap(&g, 0, &b), -1);
    g.missed = 0;
    cr_assert_eq(output_gap(&g, 1, &b), -1);
    sbuf_free(&b);
}

Test(output, modes_short_cat_and_json_pretty)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    e.seq = 5;
    e.time_us = 1795525932123456LL;
    e.level = SVCD__LEVEL__LEVEL_WARNING;
    e.source = "service";
    e.message = "disk \x1b full";
    e.host_name = "web1";
    e.json = "{\"seq\":5,\"level\":\"warning\",\"msg\":\"disk \\u001b full\",\"pid\":-1}";
    cr_assert_eq(output_mode_parse("short"), OUTPUT_SHORT);
    cr_assert_eq(output_mode_parse("json"), OUTPUT_JSON);
    cr_assert_eq(output_mode_parse("short-iso"), OUTPUT_SHORT_ISO);
    cr_assert_eq(output_mode_parse("verbose"), -1);
    sbuf_init(&b, 0);
    output_entry(&e, OUTPUT_SHORT | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "Nov 24 13:12:12 web1 service: disk \\x1b full\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_CAT, 0, &b);
    cr_assert_str_eq(b.p, "disk \\x1b full\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_CAT, 1, &b);
    cr_assert_str_eq(b.p, "\033[1;33mdisk \\x1b full\033[0m\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_JSON_PRETTY, 0, &b);
    cr_assert_str_eq(b.p, "{\n\t\"seq\": 5,\n\t\"level\": \"warning\",\n\t\"msg\": \"disk \\u001b "
                          "full\",\n\t\"pid\": -1\n}\n");
    sbuf_free(&b);
}

/* journalctl's default: local time with the offset; --utc: UTC; -o json
 * the stored UTC time whatever the zone; -t the precise time first where
 * the mode lacks it, as docker logs -t. */
Test(output, local_time_by_default_utc_when_asked_and_t_as_docker)
{
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
        cr_skip_test("no tzdata for Europe/Berlin (install tzdata)");
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    e.seq = 5;
    e.time_us = 1796190612250000LL; /* 2026-12-02T05:50:12.25Z */
    e.level = SVCD__LEVEL__LEVEL_INFO;
    e.source = "worker";
    e.message = "heartbeat 5";
    sbuf_init(&b, 0);
    output_entry(&e, OUTPUT_SHORT_ISO, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T06:50:12.250000+01:00 info    worker: heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_SHORT_ISO | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T05:50:12.250000Z info    worker: heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_SHORT, 0, &b);
    cr_assert_str_eq(b.p, "Dec 02 06:50:12 worker: heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_SHORT | OUTPUT_F_TIMESTAMPS, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T06:50:12.250000+01:00 Dec 02 06:50:12 worker: heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_CAT | OUTPUT_F_TIMESTAMPS, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T06:50:12.250000+01:00 heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_CAT | OUTPUT_F_TIMESTAMPS | OUTPUT_F_UTC, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T05:50:12.250000Z heartbeat 5\n");
    sbuf_reset(&b);
    output_entry(&e, OUTPUT_SHORT_ISO | OUTPUT_F_TIMESTAMPS, 0, &b);
    cr_assert_str_eq(b.p, "2026-12-02T06:50:12.250000+01:00 info    worker: heartbeat 5\n",
                     "short-iso has the precise time already: one, not two");
    sbuf_reset(&b);
    /* rebuilt JSON (an old service) and the stored line: UTC, unchanged */
    output_entry(&e, OUTPUT_JSON | OUTPUT_F_TIMESTAMPS, 0, &b);
    cr_assert_str_eq(b.p, "{\"seq\":5,\"time\":\"2026-12-02T05:50:12.250000Z\",\"level\":\"info\","
                          "\"logger\":\"worker\",\"msg\":\"heartbeat 5\"}\n");
    sbuf_reset(&b);
    e.json = "{\"seq\":5,\"time\":\"2026-12-02T05:50:12.250000Z\"}";
    output_entry(&e, OUTPUT_JSON_PRETTY, 0, &b);
    cr_assert_str_eq(b.p, "{\n\t\"seq\": 5,\n\t\"time\": \"2026-12-02T05:50:12.250000Z\"\n}\n");
    sbuf_free(&b);
}
