#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "logline.h"

static struct log_entry make(const char *msg)
{
    struct log_entry e;
    memset(&e, 0, sizeof(e));
    e.seq = 7;
    e.time_us = 1795525932123456LL;
    e.level = LOG_INFO;
    strcpy(e.source, "worker");
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    return e;
}

Test(logline, format_is_one_json_line)
{
    struct log_entry e = make("heartbeat 7");
    struct sbuf b;

    sbuf_init(&b, 0);
    logline_format(&e, &b);
    /* "logger", not "source": ECS's source.* is the network source. */
    cr_assert_str_eq(b.p, "{\"seq\":7,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"info\","
                          "\"logger\":\"worker\",\"msg\":\"heartbeat 7\"}\n");
    sbuf_free(&b);
}

Test(logline, newlines_and_controls_never_reach_the_file_raw)
{
    struct log_entry e = make("two\nlines\r\x1b[2J\0tail");
    struct sbuf b;

    e.msg_len = 20;
    sbuf_init(&b, 0);
    logline_format(&e, &b);
    cr_assert_eq(memchr(b.p, '\n', b.len - 1), NULL, "only the terminating newline");
    for (size_t i = 0; i + 1 < b.len; i++)
        cr_assert_geq((unsigned char)b.p[i], 0x20, "raw control byte at %zu", i);
    sbuf_free(&b);
}

Test(logline, round_trip_keeps_korean_byte_for_byte)
{
    const char *ko = "구동중 1번 째 로그";
    struct log_entry e = make(ko), back;
    struct sbuf b, msg;

    strcpy(e.user, "alice");
    e.uid = 1000;
    e.pid = 4242;
    e.level = LOG_NOTICE;
    sbuf_init(&b, 0);
    sbuf_init(&msg, 0);
    logline_format(&e, &b);
    cr_assert_eq(logline_parse(b.p, b.len - 1, &back, &msg), 0);
    cr_assert_eq(back.seq, 7);
    cr_assert_eq(back.time_us, e.time_us);
    cr_assert_eq(back.level, LOG_NOTICE);
    cr_assert_str_eq(back.source, "worker");
    cr_assert_eq(back.msg_len, strlen(ko));
    cr_assert_arr_eq(back.msg, ko, strlen(ko));
    cr_assert_str_eq(back.user, "alice");
    cr_assert_eq(back.uid, 1000);
    cr_assert_eq(back.pid, 4242);
    sbuf_free(&b);
    sbuf_free(&msg);
}

Test(logline, torn_and_incomplete_lines_do_not_parse)
{
    struct log_entry e = make("heartbeat"), back;
    struct sbuf b, msg;

    sbuf_init(&b, 0);
    sbuf_init(&msg, 0);
    logline_format(&e, &b);
    for (size_t cut = 0; cut < b.len - 1; cut++)
        cr_assert_eq(logline_parse(b.p, cut, &back, &msg), ERR_PROTO, "cut at %zu", cut);
    const char *missing = "{\"seq\":1,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"info\"}";
    cr_assert_eq(logline_parse(missing, strlen(missing), &back, &msg), ERR_PROTO);
    const char *zero = "{\"seq\":0,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"info\","
                       "\"msg\":\"x\"}";
    cr_assert_eq(logline_parse(zero, strlen(zero), &back, &msg), ERR_PROTO);
    const char nul[8] = {0};
    cr_assert_eq(logline_parse(nul, sizeof(nul), &back, &msg), ERR_PROTO);
    sbuf_free(&b);
    sbuf_free(&msg);
}

Test(logline, unknown_keys_are_ignored)
{
    const char *line = "{\"seq\":3,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"warning\","
                       "\"source\":\"service\",\"msg\":\"m\",\"future\":\"x\",\"n\":5}";
    struct log_entry back;
    struct sbuf msg;

    sbuf_init(&msg, 0);
    cr_assert_eq(logline_parse(line, strlen(line), &back, &msg), 0);
    cr_assert_eq(back.level, LOG_WARNING);
    sbuf_free(&msg);
}
