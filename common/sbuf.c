#include "sbuf.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *b, size_t limit)
{
    memset(b, 0, sizeof(*b));
    b->limit = limit ? limit : SBUF_DEFAULT_LIMIT;
}

void sbuf_free(struct sbuf *b)
{
    free(b->p);
    sbuf_init(b, b->limit);
}

void sbuf_reset(struct sbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

static int reserve(struct sbuf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->failed)
        return ERR_NOMEM;
    if (extra > b->limit || b->len + extra > b->limit) {
        b->failed = 1;
        return ERR_TOOBIG;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL) {
        b->failed = 1;
        return ERR_NOMEM;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int sbuf_add(struct sbuf *b, const void *data, size_t n)
{
    int rc = reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int sbuf_addc(struct sbuf *b, char c)
{
    return sbuf_add(b, &c, 1);
}

int sbuf_adds(struct sbuf *b, const char *s)
{
    return sbuf_add(b, s, strlen(s));
}

int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INVAL;
    if ((size_t)n < sizeof(small))
        return sbuf_add(b, small, (size_t)n);
    int rc = reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

const char *sbuf_str(const struct sbuf *b)
{
    return b->p ? b->p : "";
}

int sbuf_copy(char *dst, size_t cap, const char *src)
{
    size_t len = strlen(src);

    if (cap == 0)
        return ERR_NAMETOOLONG;
    if (len >= cap) {
        dst[0] = '\0';
        return ERR_NAMETOOLONG;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

int sbuf_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return (w < 0 || (size_t)w >= n) ? ERR_NAMETOOLONG : 0;
}
