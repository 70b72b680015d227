#include "logscan.h"
#include "err.h"
#include "sbuf.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK LOGSCAN_BLOCK

int logscan_tail_offset(fs_file *f, uint64_t end, uint64_t n, uint64_t max_bytes, uint64_t *off,
                        uint64_t *found)
{
    char buf[BLOCK];
    uint64_t pos = end > 0 ? end - 1 : 0; /* skip the final newline */
    uint64_t done = 0;                    /* entry lines whose start was seen */
    int need_last = 1, entry = 0;         /* the next byte back ends a line; whether it is '}' */
    int rc = 0;

    *off = n == 0 ? end : 0;
    *found = 0;
    if (n == 0 || end == 0)
        return 0;
    while (pos > 0) {
        size_t want = pos < BLOCK ? (size_t)pos : BLOCK;
        size_t got;
        rc = fs_read_at(f, buf, want, pos - want, &got);
        if (rc == 0 && got != want)
            rc = ERR_IO; /* the file shrank under us */
        if (rc < 0)
            return rc;
        for (size_t i = want; i-- > 0;) {
            if (need_last) {
                entry = buf[i] == '}';
                need_last = 0;
            }
            if (buf[i] != '\n')
                continue;
            *off = pos - want + i + 1;
            need_last = 1;
            if (entry && ++done == n) {
                *found = n;
                return 0;
            }
        }
        pos -= want;
        /* Pausing needs a line start to go on from. */
        if (pos > 0 && done > 0 && end - pos >= max_bytes) {
            *found = done;
            return 1;
        }
    }
    *off = 0;
    *found = done + (entry && !need_last); /* the first line, which no newline precedes */
    return 0;
}

int logscan_complete_end_from(fs_file *f, uint64_t from, uint64_t size, uint64_t *end)
{
    char buf[BLOCK];
    uint64_t pos = size;

    while (pos > from) {
        size_t want = pos - from < BLOCK ? (size_t)(pos - from) : BLOCK;
        size_t got;
        int rc = fs_read_at(f, buf, want, pos - want, &got);
        if (rc < 0)
            return rc;
        for (size_t i = got; i-- > 0;) {
            if (buf[i] == '\n') {
                *end = pos - want + i + 1;
                return 0;
            }
        }
        pos -= want;
    }
    *end = from;
    return 0;
}

/* Where the last complete line ends: the offset after the last newline. */
int logscan_complete_end(fs_file *f, uint64_t size, uint64_t *end)
{
    return logscan_complete_end_from(f, 0, size, end);
}

/* Calls fn for each complete line of f[0, end), last line first, until fn
 * returns nonzero (then returns that). Lines over LOGREAD_LINE_MAX are
 * passed over. Returns 0 at the start of the file, or an I/O error. */
int logscan_backward(fs_file *f, uint64_t end, logscan_line_fn fn, void *ctx)
{
    struct sbuf carry, joined;
    uint64_t pos = end > 0 ? end - 1 : 0; /* the final newline ends the last line */
    char *buf = malloc(BLOCK);
    int rc = 0;

    if (buf == NULL)
        return ERR_NOMEM;
    sbuf_init(&carry, LOGREAD_LINE_MAX);
    sbuf_init(&joined, LOGREAD_LINE_MAX);
    while (pos > 0 && rc == 0) {
        size_t want = pos < BLOCK ? (size_t)pos : BLOCK, got, stop;
        rc = fs_read_at(f, buf, want, pos - want, &got);
        if (rc == 0 && got != want)
            rc = ERR_IO;
        stop = want;
        for (size_t k = want; rc == 0 && k-- > 0;) {
            if (buf[k] != '\n')
                continue;
            sbuf_reset(&joined);
            sbuf_add(&joined, buf + k + 1, stop - k - 1);
            sbuf_add(&joined, carry.p ? carry.p : "", carry.len);
            if (!carry.failed && !joined.failed)
                rc = fn(ctx, sbuf_str(&joined), joined.len, pos - want + k + 1);
            sbuf_reset(&carry);
            stop = k;
        }
        if (rc == 0) { /* the part before the first newline continues leftwards */
            sbuf_reset(&joined);
            sbuf_add(&joined, buf, stop);
            sbuf_add(&joined, carry.p ? carry.p : "", carry.len);
            sbuf_reset(&carry);
            sbuf_add(&carry, joined.p ? joined.p : "", joined.len);
            if (joined.failed)
                carry.failed = 1;
        }
        pos -= want;
    }
    if (rc == 0 && end > 0 && !carry.failed)
        rc = fn(ctx, sbuf_str(&carry), carry.len, 0);
    sbuf_free(&carry);
    sbuf_free(&joined);
    free(buf);
    return rc < 0 ? rc : 0;
}

/* The first line of buf[0, len) that parses, into e. Returns 1 or 0. */
static int first_parsed(const char *buf, size_t len, struct log_entry *e, struct sbuf *msg)
{
    const char *line = buf, *nl;

    while ((nl = memchr(line, '\n', len - (size_t)(line - buf))) != NULL) {
        if (logline_parse(line, (size_t)(nl - line), e, msg) == 0)
            return 1;
        line = nl + 1;
    }
    return 0;
}

int logscan_first_entry(const char *path, uint64_t *seq, int64_t *time_us)
{
    struct log_entry e;
    struct sbuf msg;
    fs_file *f;
    size_t got = 0, cap = 4096;
    char *buf = NULL;
    int rc, found = 0;

    rc = fs_open_read_nofollow(path, &f);
    if (rc < 0)
        return rc;
    sbuf_init(&msg, LOGREAD_LINE_MAX);
    /* A first line is short: read 4 KiB, and more only if no line in it
     * parses (a failed write or a torn tail the writer ended, never cut,
     * can come first). */
    while (rc == 0 && !found && cap <= 4 * LOGREAD_LINE_MAX) {
        char *p = realloc(buf, cap);
        if (p == NULL) {
            rc = ERR_NOMEM;
            break;
        }
        buf = p;
        rc = fs_read_at(f, buf, cap, 0, &got);
        if (rc == 0)
            found = first_parsed(buf, got, &e, &msg);
        if (got < cap)
            break;
        cap *= 4;
    }
    fs_close(f);
    if (found) {
        *seq = e.seq;
        *time_us = e.time_us;
    }
    sbuf_free(&msg);
    free(buf);
    return rc < 0 ? rc : found;
}
