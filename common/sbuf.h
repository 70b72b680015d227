/* A growable byte string (in the spirit of Redis' sds, much smaller).
 * Always NUL-terminated; `len` excludes the NUL. Growth is capped by `limit`
 * so no hostile input can make it unbounded. */
#ifndef SVCD_SBUF_H
#define SVCD_SBUF_H

#include <stddef.h>

struct sbuf {
    char *p;
    size_t len;
    size_t cap;
    size_t limit; /* 0: SBUF_DEFAULT_LIMIT */
    int failed;   /* set once an append failed; later appends are no-ops */
};

#define SBUF_DEFAULT_LIMIT (64u * 1024u * 1024u)

void sbuf_init(struct sbuf *b, size_t limit);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);

/* Appends; on failure (ERR_NOMEM or ERR_TOOBIG) marks the buffer failed and
 * returns the error. */
int sbuf_add(struct sbuf *b, const void *data, size_t n);
int sbuf_addc(struct sbuf *b, char c);
int sbuf_adds(struct sbuf *b, const char *s);
int sbuf_printf(struct sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Copies a C string into a fixed buffer. Returns 0, or ERR_NAMETOOLONG (and
 * an empty dst) when it does not fit: never a silently cut path. */
int sbuf_copy(char *dst, size_t cap, const char *src);

/* snprintf into a fixed buffer, but a result that does not fit is an error
 * (ERR_NAMETOOLONG), never a silently cut path. */
int sbuf_fmt(char *buf, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The contents, "" when empty. */
const char *sbuf_str(const struct sbuf *b);

#endif
