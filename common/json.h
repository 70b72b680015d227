/* Just enough JSON for one-line flat objects: the log's JSON Lines format and
 * the clients' --json output. Pure, no I/O. */
#ifndef SVCD_JSON_H
#define SVCD_JSON_H

#include <stddef.h>

#include "sbuf.h"

/* Appends `s` as a quoted JSON string. Control characters are escaped and
 * bytes that are not valid UTF-8 become U+FFFD, so the output is always valid
 * JSON and valid UTF-8. Returns 0 or the sbuf's error. */
int json_add_string(struct sbuf *b, const char *s, size_t n);

enum json_type { JSON_STRING, JSON_NUMBER, JSON_LITERAL };

/* One member of an object. For strings, `val` is the raw text between the
 * quotes (escapes not yet decoded); see json_unescape. */
struct json_member {
    const char *key;
    size_t klen;
    enum json_type type;
    const char *val;
    size_t vlen;
};

typedef int (*json_member_fn)(void *ctx, const struct json_member *m);

/* Parses one object whose values are strings, numbers, true, false or null
 * (no nesting), calling `fn` per member in order. Returns 0, ERR_PROTO when
 * the text is not such an object (trailing bytes included), or what `fn`
 * returned if that was negative. */
int json_parse_flat(const char *s, size_t n, json_member_fn fn, void *ctx);

/* Decodes a raw string value from json_parse_flat into `out`. Returns 0 or
 * ERR_PROTO for an invalid escape. */
int json_unescape(const char *raw, size_t n, struct sbuf *out);

/* True when s[0..n) is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
int json_utf8_valid(const char *s, size_t n);

/* Appends s[0..n) with every byte that is not valid UTF-8 replaced by
 * U+FFFD. Returns 0 or the sbuf's error. */
int json_utf8_append(struct sbuf *b, const char *s, size_t n);

/* The marker json_utf8_fit ends a cut string with: U+2026, "…". */
#define JSON_CUT_MARK     "\xe2\x80\xa6"
#define JSON_CUT_MARK_LEN 3

/* Copies s[0..n) into dst (cap bytes, NUL included, cap > JSON_CUT_MARK_LEN)
 * as valid UTF-8: bytes that are not valid UTF-8, and NUL bytes, become
 * U+FFFD. When the result does not fit, it is cut at a character boundary
 * and ends with JSON_CUT_MARK, never in the middle of a character. Returns 1
 * when it was cut, else 0. The result fits again unchanged: fitting is
 * idempotent. */
int json_utf8_fit(char *dst, size_t cap, const char *s, size_t n);

/* True when the key of `m` equals `key`. */
int json_key_is(const struct json_member *m, const char *key);

#endif
