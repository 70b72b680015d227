#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "json.h"

static char *quote(const char *s, size_t n, struct sbuf *b)
{
    sbuf_reset(b);
    json_add_string(b, s, n);
    return b->p;
}

Test(json, escapes_quotes_backslashes_and_controls)
{
    struct sbuf b;
    sbuf_init(&b, 0);
    cr_assert_str_eq(quote("a\"b\\c", 5, &b), "\"a\\\"b\\\\c\"");
    cr_assert_str_eq(quote("l1\nl2\r\t", 7, &b), "\"l1\\nl2\\r\\t\"");
    cr_assert_str_eq(quote("\x01\x1b[31m\x7f", 7, &b), "\"\\u0001\\u001b[31m\\u007f\"");
    cr_assert_str_eq(quote("nul\0x", 5, &b), "\"nul\\u0000x\"");
    sbuf_free(&b);
}

Test(json, keeps_valid_utf8_and_replaces_invalid_bytes)
{
    struct sbuf b;
    sbuf_init(&b, 0);
    cr_assert_str_eq(quote("구동중", strlen("구동중"), &b), "\"구동중\"");
    cr_assert_str_eq(quote("a\xff"
                           "b",
                           3, &b),
                     "\"a\xef\xbf\xbd"
                     "b\"");
    /* overlong '/' and a lone surrogate are invalid too */
    cr_assert_str_eq(quote("\xc0\xaf", 2, &b), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    cr_assert_str_eq(quote("\xed\xa0\x80", 3, &b), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    /* a truncated sequence at the end */
    cr_assert_str_eq(quote("\xea\xb5", 2, &b), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    sbuf_free(&b);
}

struct seen {
    int n;
    char keys[8][16];
    enum json_type types[8];
};

static int collect(void *ctx, const struct json_member *m)
{
    struct seen *s = ctx;
    if (s->n >= 8)
        return ERR_INVAL;
    snprintf(s->keys[s->n], 16, "%.*s", (int)m->klen, m->key);
    s->types[s->n++] = m->type;
    return 0;
}

Test(json, parses_flat_objects)
{
    const char *line = "{\"a\":1, \"b\" : \"x\\\"y\", \"c\":true,\"d\":null,\"e\":-2.5e3}";
    struct seen s = {0};

    cr_assert_eq(json_parse_flat(line, strlen(line), collect, &s), 0);
    cr_assert_eq(s.n, 5);
    cr_assert_str_eq(s.keys[1], "b");
    cr_assert_eq(s.types[0], JSON_NUMBER);
    cr_assert_eq(s.types[1], JSON_STRING);
    cr_assert_eq(s.types[2], JSON_LITERAL);
}

Test(json, rejects_broken_objects)
{
    const char *bad[] = {
        "",
        "{",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{\"a\":1}x",
        "[1]",
        "{\"a\":\"x}",
        "{a:1}",
        "{\"a\":tru}",
        "\0\0\0",
        "{\"a\":\"\x01\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct seen s = {0};
        size_t n = i == 11 ? 3 : strlen(bad[i]);
        cr_assert_eq(json_parse_flat(bad[i], n, collect, &s), ERR_PROTO, "case %zu", i);
    }
}

Test(json, unescape_round_trips_and_decodes_unicode_escapes)
{
    const char *orig = "tab\there \"q\" back\\slash 구동중 \x01 end";
    struct sbuf q, out;

    sbuf_init(&q, 0);
    sbuf_init(&out, 0);
    json_add_string(&q, orig, strlen(orig));
    cr_assert_eq(json_unescape(q.p + 1, q.len - 2, &out), 0);
    cr_assert_str_eq(out.p, orig);

    sbuf_reset(&out);
    cr_assert_eq(json_unescape("\\u00e9\\ud83d\\ude00", 18, &out), 0);
    cr_assert_str_eq(out.p, "é😀");

    sbuf_reset(&out);
    /* A lone surrogate is valid JSON (RFC 8259 allows it) but no character:
     * it reads as U+FFFD, so a line holding one stays readable. */
    cr_assert_eq(json_unescape("\\ud83d", 6, &out), 0, "lone high surrogate");
    cr_assert_str_eq(out.p, "\xef\xbf\xbd");
    sbuf_reset(&out);
    cr_assert_eq(json_unescape("a\\ude00b\\ud83dx", 15, &out), 0, "lone low, high then text");
    cr_assert_str_eq(out.p, "a\xef\xbf\xbd"
                            "b\xef\xbf\xbd"
                            "x");
    sbuf_reset(&out);
    cr_assert_eq(json_unescape("\\x", 2, &out), ERR_PROTO);
    sbuf_reset(&out);
    cr_assert_eq(json_unescape("\\u12", 4, &out), ERR_PROTO);
    sbuf_free(&q);
    sbuf_free(&out);
}

Test(json, fit_cuts_at_a_character_boundary_with_a_marker)
{
    char d[8];

    cr_assert_eq(json_utf8_fit(d, sizeof(d), "alice", 5), 0);
    cr_assert_str_eq(d, "alice");
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "1234567", 7), 0, "exactly fits");
    cr_assert_str_eq(d, "1234567");
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "12345678", 8), 1);
    cr_assert_str_eq(d, "1234" JSON_CUT_MARK);
    /* 구 is 3 bytes: never half of it */
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "a구동중", strlen("a구동중")), 1);
    cr_assert_str_eq(d, "a구" JSON_CUT_MARK);
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "ab구동", strlen("ab구동")), 1);
    cr_assert_str_eq(d, "ab" JSON_CUT_MARK, "구 and the mark would need 8 bytes");
    /* invalid bytes and NUL become U+FFFD first, and count as 3 bytes */
    cr_assert_eq(json_utf8_fit(d, sizeof(d),
                               "a\xff"
                               "b",
                               3),
                 0);
    cr_assert_str_eq(d, "a\xef\xbf\xbd"
                        "b");
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "a\0b", 3), 0);
    cr_assert_str_eq(d, "a\xef\xbf\xbd"
                        "b");
    cr_assert_eq(json_utf8_fit(d, sizeof(d), "\xff\xff\xff", 3), 1);
    cr_assert_str_eq(d, "\xef\xbf\xbd" JSON_CUT_MARK);
}

Test(json, fit_is_idempotent_on_random_bytes)
{
    char src[64], a[20], b[20];
    unsigned seed = 12345;

    for (int round = 0; round < 20000; round++) {
        size_t n = (seed = seed * 1103515245u + 12345u) % sizeof(src);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            src[i] = (char)(seed >> 16);
        }
        size_t cap = 4 + (seed >> 8) % 16;
        json_utf8_fit(a, cap, src, n);
        cr_assert(json_utf8_valid(a, strlen(a)), "round %d", round);
        cr_assert_lt(strlen(a), cap);
        cr_assert_eq(json_utf8_fit(b, cap, a, strlen(a)), 0, "round %d: fits again", round);
        cr_assert_str_eq(a, b);
    }
}

Test(json, utf8_append_repairs_only_what_is_invalid)
{
    struct sbuf b;

    sbuf_init(&b, 0);
    json_utf8_append(&b, "ok 구\xc0\xaf z\xea\xb5", 12);
    cr_assert_str_eq(b.p, "ok 구\xef\xbf\xbd\xef\xbf\xbd z\xef\xbf\xbd\xef\xbf\xbd");
    sbuf_free(&b);
}
