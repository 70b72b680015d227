#include "logline.h"
#include "clock.h"
#include "err.h"
#include "json.h"
#include "level.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *logline_level_name(enum log_level l)
{
    return level_name((int)l);
}

int logline_level_parse(const char *s, size_t n, enum log_level *l)
{
    int v;

    if (level_parse(s, n, &v) < 0)
        return ERR_INVAL;
    *l = (enum log_level)v;
    return 0;
}

/* Appends ,"key": and the value fitted to `cap` bytes (what a reader's
 * field of that size gives back), escaped. */
static void add_fitted(struct sbuf *out, const char *key, const char *v, size_t cap)
{
    char fitted[LOG_HOST_MAX];

    if (cap > sizeof(fitted))
        cap = sizeof(fitted);
    json_utf8_fit(fitted, cap, v, strlen(v));
    sbuf_printf(out, ",\"%s\":", key);
    json_add_string(out, fitted, strlen(fitted));
}

int logline_format(const struct log_entry *e, struct sbuf *out)
{
    char stamp[CLOCK_UTC_LEN];

    clock_format_utc(e->time_us, stamp);
    sbuf_printf(out, "{\"seq\":%llu,\"time\":\"%s\",\"level\":\"%s\"", (unsigned long long)e->seq,
                stamp, logline_level_name(e->level));
    add_fitted(out, "logger", e->source, LOG_SOURCE_MAX);
    sbuf_adds(out, ",\"msg\":");
    json_add_string(out, e->msg, e->msg_len);
    if (e->user[0])
        add_fitted(out, "user_name", e->user, LOG_USER_MAX);
    if (e->uid >= 0)
        sbuf_printf(out, ",\"user_id\":%ld", e->uid);
    if (e->pid >= 0)
        sbuf_printf(out, ",\"pid\":%ld", e->pid);
    if (e->host && e->host[0])
        add_fitted(out, "host_name", e->host, LOG_HOST_MAX);
    return sbuf_adds(out, "}\n");
}

/* A string member kept raw until the end of the line: a later member of the
 * same name replaces it, and a new name wins over its old one. */
struct raw_str {
    const char *p;
    size_t n;
    int rank; /* 0 unseen, 1 old name, 2 current name */
};

struct parse_ctx {
    struct log_entry *e;
    struct raw_str msg, source, user, host;
    int uid_rank;
    unsigned seen;
};

enum { SEEN_SEQ = 1, SEEN_TIME = 2, SEEN_LEVEL = 4, SEEN_MSG = 8 };

static int parse_long(const struct json_member *m, long long *v)
{
    char tmp[24];
    char *end;

    if (m->type != JSON_NUMBER || m->vlen == 0 || m->vlen >= sizeof(tmp))
        return ERR_PROTO;
    memcpy(tmp, m->val, m->vlen);
    tmp[m->vlen] = '\0';
    errno = 0;
    *v = strtoll(tmp, &end, 10);
    return *end == '\0' && errno != ERANGE ? 0 : ERR_PROTO;
}

/* Keeps a string member's raw text, unless one of a better name was seen. */
static int keep_raw(const struct json_member *m, struct raw_str *r, int rank)
{
    if (m->type != JSON_STRING)
        return ERR_PROTO;
    if (rank >= r->rank) {
        r->p = m->val;
        r->n = m->vlen;
        r->rank = rank;
    }
    return 0;
}

/* Decodes a raw JSON string into out (appended) as valid UTF-8: escapes
 * decoded, and stray bytes a hand edit may leave repaired. */
static int decode(const struct raw_str *r, struct sbuf *out)
{
    size_t from = out->len;
    struct sbuf raw;
    int rc;

    if (json_unescape(r->p, r->n, out) < 0)
        return ERR_PROTO;
    if (json_utf8_valid(out->p + from, out->len - from))
        return 0;
    sbuf_init(&raw, 0);
    rc = sbuf_add(&raw, out->p + from, out->len - from);
    out->len = from;
    if (rc == 0)
        rc = json_utf8_append(out, raw.p, raw.len);
    sbuf_free(&raw);
    return rc;
}

/* Decodes a short field into its fixed buffer, fitted (never refused for
 * its length). The common case, plain text that fits, is copied as is. */
static int decode_fixed(const struct raw_str *r, char *dst, size_t cap)
{
    struct sbuf tmp;
    int rc;

    if (r->rank == 0)
        return 0;
    if (r->n < cap && !memchr(r->p, '\\', r->n) && !memchr(r->p, '\0', r->n) &&
        json_utf8_valid(r->p, r->n)) {
        memcpy(dst, r->p, r->n);
        dst[r->n] = '\0';
        return 0;
    }
    sbuf_init(&tmp, 0);
    rc = json_unescape(r->p, r->n, &tmp);
    if (rc == 0)
        json_utf8_fit(dst, cap, sbuf_str(&tmp), tmp.len);
    sbuf_free(&tmp);
    return rc < 0 ? ERR_PROTO : 0;
}

static int on_member(void *ctx, const struct json_member *m)
{
    struct parse_ctx *p = ctx;
    long long v;

    if (json_key_is(m, "seq")) {
        if (parse_long(m, &v) < 0 || v <= 0 || (unsigned long long)v > LOG_SEQ_MAX)
            return ERR_PROTO;
        p->e->seq = (uint64_t)v;
        p->seen |= SEEN_SEQ;
    } else if (json_key_is(m, "time")) {
        if (m->type != JSON_STRING || clock_parse_utc(m->val, m->vlen, &p->e->time_us) < 0)
            return ERR_PROTO;
        p->seen |= SEEN_TIME;
    } else if (json_key_is(m, "level")) {
        if (m->type != JSON_STRING || logline_level_parse(m->val, m->vlen, &p->e->level) < 0)
            return ERR_PROTO;
        p->seen |= SEEN_LEVEL;
    } else if (json_key_is(m, "msg")) {
        p->seen |= SEEN_MSG;
        return keep_raw(m, &p->msg, 2);
    } else if (json_key_is(m, "logger") || json_key_is(m, "source")) {
        return keep_raw(m, &p->source, json_key_is(m, "logger") ? 2 : 1);
    } else if (json_key_is(m, "user_name") || json_key_is(m, "user")) {
        return keep_raw(m, &p->user, json_key_is(m, "user_name") ? 2 : 1);
    } else if (json_key_is(m, "host_name")) {
        return keep_raw(m, &p->host, 2);
    } else if (json_key_is(m, "user_id") || json_key_is(m, "uid")) {
        int rank = json_key_is(m, "user_id") ? 2 : 1;
        if (parse_long(m, &v) < 0)
            return ERR_PROTO;
        if (rank >= p->uid_rank)
            p->e->uid = (long)v;
        p->uid_rank = rank;
    } else if (json_key_is(m, "pid")) {
        if (parse_long(m, &v) < 0)
            return ERR_PROTO;
        p->e->pid = (long)v;
    }
    /* Unknown keys are skipped so newer writers stay readable. */
    return 0;
}

int logline_parse(const char *line, size_t n, struct log_entry *e, struct sbuf *msg)
{
    struct parse_ctx p;
    size_t host_at = 0;

    memset(e, 0, sizeof(*e));
    memset(&p, 0, sizeof(p));
    p.e = e;
    e->uid = e->pid = -1;
    sbuf_reset(msg);
    if (json_parse_flat(line, n, on_member, &p) < 0)
        return ERR_PROTO;
    if (p.seen != (SEEN_SEQ | SEEN_TIME | SEEN_LEVEL | SEEN_MSG))
        return ERR_PROTO;
    if (decode(&p.msg, msg) < 0 || decode_fixed(&p.source, e->source, sizeof(e->source)) < 0 ||
        decode_fixed(&p.user, e->user, sizeof(e->user)) < 0)
        return ERR_PROTO;
    e->msg_len = msg->len;
    if (p.host.rank) {
        char host[LOG_HOST_MAX];
        if (decode_fixed(&p.host, host, sizeof(host)) < 0)
            return ERR_PROTO;
        sbuf_addc(msg, '\0');
        host_at = msg->len;
        sbuf_adds(msg, host);
    }
    if (msg->failed)
        return ERR_PROTO;
    e->msg = sbuf_str(msg);
    e->host = p.host.rank ? msg->p + host_at : NULL;
    e->line = line;
    e->line_len = n;
    return 0;
}
