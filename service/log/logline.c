#include "logline.h"
#include "clock.h"
#include "err.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"", "debug", "info", "notice", "warning", "error"};

const char *logline_level_name(enum log_level l)
{
    return (l >= LOG_DEBUG && l <= LOG_ERROR) ? level_names[l] : "info";
}

int logline_level_parse(const char *s, size_t n, enum log_level *l)
{
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
        if (strlen(level_names[i]) == n && memcmp(level_names[i], s, n) == 0) {
            *l = (enum log_level)i;
            return 0;
        }
    }
    return ERR_INVAL;
}

int logline_format(const struct log_entry *e, struct sbuf *out)
{
    char stamp[CLOCK_UTC_LEN];

    clock_format_utc(e->time_us, stamp);
    sbuf_printf(out, "{\"seq\":%llu,\"time\":\"%s\",\"level\":\"%s\",\"source\":",
                (unsigned long long)e->seq, stamp, logline_level_name(e->level));
    json_add_string(out, e->source, strlen(e->source));
    sbuf_adds(out, ",\"msg\":");
    json_add_string(out, e->msg, e->msg_len);
    if (e->user[0]) {
        sbuf_adds(out, ",\"user\":");
        json_add_string(out, e->user, strlen(e->user));
    }
    if (e->uid >= 0)
        sbuf_printf(out, ",\"uid\":%ld", e->uid);
    if (e->pid >= 0)
        sbuf_printf(out, ",\"pid\":%ld", e->pid);
    return sbuf_adds(out, "}\n");
}

struct parse_ctx {
    struct log_entry *e;
    struct sbuf *msg;
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
    *v = strtoll(tmp, &end, 10);
    return *end == '\0' ? 0 : ERR_PROTO;
}

/* Copies a short string value (no escapes expected in our own fields). */
static int copy_short(const struct json_member *m, char *dst, size_t cap)
{
    if (m->type != JSON_STRING || m->vlen >= cap || memchr(m->val, '\\', m->vlen))
        return ERR_PROTO;
    memcpy(dst, m->val, m->vlen);
    dst[m->vlen] = '\0';
    return 0;
}

static int on_member(void *ctx, const struct json_member *m)
{
    struct parse_ctx *p = ctx;
    long long v;

    if (json_key_is(m, "seq")) {
        if (parse_long(m, &v) < 0 || v <= 0)
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
    } else if (json_key_is(m, "source")) {
        return copy_short(m, p->e->source, sizeof(p->e->source));
    } else if (json_key_is(m, "msg")) {
        if (m->type != JSON_STRING || json_unescape(m->val, m->vlen, p->msg) < 0)
            return ERR_PROTO;
        p->seen |= SEEN_MSG;
    } else if (json_key_is(m, "user")) {
        return copy_short(m, p->e->user, sizeof(p->e->user));
    } else if (json_key_is(m, "uid")) {
        if (parse_long(m, &v) < 0)
            return ERR_PROTO;
        p->e->uid = (long)v;
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
    struct parse_ctx p = {e, msg, 0};

    memset(e, 0, sizeof(*e));
    e->uid = e->pid = -1;
    sbuf_reset(msg);
    if (json_parse_flat(line, n, on_member, &p) < 0)
        return ERR_PROTO;
    if (p.seen != (SEEN_SEQ | SEEN_TIME | SEEN_LEVEL | SEEN_MSG) || msg->failed)
        return ERR_PROTO;
    e->msg = sbuf_str(msg);
    e->msg_len = msg->len;
    return 0;
}
