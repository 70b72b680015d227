#include "json.h"
#include "err.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int json_add_string(struct sbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    sbuf_addc(b, '"');
    while (i < n) {
        unsigned c = u[i];
        size_t run = i;
        /* Copy runs of plain bytes in one go. */
        while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\')
            run++;
        if (run > i) {
            sbuf_add(b, s + i, run - i);
            i = run;
            continue;
        }
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sbuf_add(b, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (named) {
                sbuf_add(b, named, 2);
            } else {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                sbuf_add(b, esc, 6);
            }
            i++;
        } else {
            size_t len = utf8_seq(u + i, n - i);
            if (len == 0) {
                sbuf_add(b, "\xef\xbf\xbd", 3);
                i++;
            } else {
                sbuf_add(b, s + i, len);
                i += len;
            }
        }
    }
    return sbuf_addc(b, '"');
}

struct cursor {
    const char *s;
    size_t n, i;
};

static void skip_ws(struct cursor *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r'))
        c->i++;
}

/* Scans a string token; leaves the cursor after the closing quote. */
static int scan_string(struct cursor *c, const char **start, size_t *len)
{
    if (c->i >= c->n || c->s[c->i] != '"')
        return ERR_PROTO;
    c->i++;
    *start = c->s + c->i;
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch == '"') {
            *len = (size_t)(c->s + c->i - *start);
            c->i++;
            return 0;
        }
        if (ch < 0x20)
            return ERR_PROTO;
        c->i += (ch == '\\') ? 2 : 1;
    }
    return ERR_PROTO;
}

static int scan_value(struct cursor *c, struct json_member *m)
{
    size_t start = c->i;

    if (c->i < c->n && c->s[c->i] == '"') {
        m->type = JSON_STRING;
        return scan_string(c, &m->val, &m->vlen);
    }
    if (c->i < c->n && (c->s[c->i] == '-' || (c->s[c->i] >= '0' && c->s[c->i] <= '9'))) {
        m->type = JSON_NUMBER;
        c->i++;
        while (c->i < c->n && strchr("0123456789.eE+-", c->s[c->i]) && c->s[c->i] != '\0')
            c->i++;
    } else {
        static const char *lits[] = {"true", "false", "null"};
        m->type = JSON_LITERAL;
        for (size_t k = 0; k < 3; k++) {
            size_t l = strlen(lits[k]);
            if (c->n - c->i >= l && memcmp(c->s + c->i, lits[k], l) == 0) {
                c->i += l;
                break;
            }
        }
    }
    if (c->i == start)
        return ERR_PROTO;
    m->val = c->s + start;
    m->vlen = c->i - start;
    return 0;
}

int json_parse_flat(const char *s, size_t n, json_member_fn fn, void *ctx)
{
    struct cursor c = {s, n, 0};
    struct json_member m;
    int rc;

    skip_ws(&c);
    if (c.i >= n || s[c.i++] != '{')
        return ERR_PROTO;
    skip_ws(&c);
    if (c.i < n && s[c.i] == '}') {
        c.i++;
        goto trailer;
    }
    for (;;) {
        skip_ws(&c);
        if (scan_string(&c, &m.key, &m.klen) < 0)
            return ERR_PROTO;
        skip_ws(&c);
        if (c.i >= n || s[c.i++] != ':')
            return ERR_PROTO;
        skip_ws(&c);
        if (scan_value(&c, &m) < 0)
            return ERR_PROTO;
        rc = fn(ctx, &m);
        if (rc < 0)
            return rc;
        skip_ws(&c);
        if (c.i >= n)
            return ERR_PROTO;
        if (s[c.i] == '}') {
            c.i++;
            break;
        }
        if (s[c.i++] != ',')
            return ERR_PROTO;
    }
trailer:
    skip_ws(&c);
    return c.i == n ? 0 : ERR_PROTO;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        unsigned d = (h >= '0' && h <= '9')   ? (unsigned)(h - '0')
                     : (h >= 'a' && h <= 'f') ? (unsigned)(h - 'a' + 10)
                     : (h >= 'A' && h <= 'F') ? (unsigned)(h - 'A' + 10)
                                              : 16u;
        if (d == 16)
            return ERR_PROTO;
        *v = (*v << 4) | d;
    }
    return 0;
}

static void put_utf8(struct sbuf *out, unsigned cp)
{
    char u[4];
    size_t len;

    if (cp < 0x80) {
        u[0] = (char)cp;
        len = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        len = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        len = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        len = 4;
    }
    sbuf_add(out, u, len);
}

/* Decodes \uXXXX (and a following low surrogate) at raw[*i], *i on the 'u'. */
static int unescape_u(const char *raw, size_t n, size_t *i, struct sbuf *out)
{
    unsigned cp, lo;

    if (*i + 5 > n || hex4(raw + *i + 1, &cp) < 0)
        return ERR_PROTO;
    *i += 5;
    /* A surrogate that is not half of a pair is valid JSON but no
     * character: it reads as U+FFFD (as most parsers do), never as an error
     * that would make the whole entry unreadable. */
    if (cp >= 0xd800 && cp <= 0xdbff && *i + 6 <= n && raw[*i] == '\\' && raw[*i + 1] == 'u' &&
        hex4(raw + *i + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        *i += 6;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
        cp = 0xfffd;
    }
    put_utf8(out, cp);
    return 0;
}

int json_unescape(const char *raw, size_t n, struct sbuf *out)
{
    size_t i = 0;

    while (i < n) {
        size_t run = i;
        while (run < n && raw[run] != '\\')
            run++;
        sbuf_add(out, raw + i, run - i);
        i = run;
        if (i >= n)
            break;
        if (i + 1 >= n)
            return ERR_PROTO;
        static const char names[] = "\"\\/bfnrt";
        static const char bytes[] = "\"\\/\b\f\n\r\t";
        char e = raw[i + 1];
        const char *plain = e != '\0' ? strchr(names, e) : NULL;
        if (plain) {
            sbuf_addc(out, bytes[plain - names]);
            i += 2;
        } else if (e == 'u') {
            i++;
            if (unescape_u(raw, n, &i, out) < 0)
                return ERR_PROTO;
        } else {
            return ERR_PROTO;
        }
    }
    return out->failed ? ERR_NOMEM : 0;
}

int json_utf8_append(struct sbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        size_t run = i, len;
        while (run < n && (len = utf8_seq(u + run, n - run)) > 0)
            run += len;
        sbuf_add(b, s + i, run - i);
        if (run < n) {
            sbuf_add(b, "\xef\xbf\xbd", 3);
            run++;
        }
        i = run;
    }
    return b->failed ? ERR_NOMEM : 0;
}

int json_utf8_fit(char *dst, size_t cap, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, out = 0, keep = 0; /* keep: where a cut would leave room for the mark */

    while (i < n) {
        size_t len = u[i] ? utf8_seq(u + i, n - i) : 0;
        const char *piece = len ? s + i : "\xef\xbf\xbd";
        size_t plen = len ? len : 3;

        if (out + plen > cap - 1) {
            memcpy(dst + keep, JSON_CUT_MARK, JSON_CUT_MARK_LEN);
            dst[keep + JSON_CUT_MARK_LEN] = '\0';
            return 1;
        }
        memcpy(dst + out, piece, plen);
        out += plen;
        if (out + JSON_CUT_MARK_LEN <= cap - 1)
            keep = out;
        i += len ? len : 1;
    }
    dst[out] = '\0';
    return 0;
}

int json_key_is(const struct json_member *m, const char *key)
{
    size_t l = strlen(key);
    return m->klen == l && memcmp(m->key, key, l) == 0;
}

int json_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        size_t len = utf8_seq(u + i, n - i);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}
