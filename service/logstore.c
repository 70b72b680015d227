#include "logstore.h"
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 65536

int logstore_tail_offset(fs_file *f, uint64_t end, uint64_t n, uint64_t *off)
{
    char buf[BLOCK];
    uint64_t pos = end > 0 ? end - 1 : 0; /* skip the final newline */
    uint64_t found = 0;

    *off = 0;
    if (n == 0) {
        *off = end;
        return 0;
    }
    while (pos > 0) {
        size_t want = pos < BLOCK ? (size_t)pos : BLOCK;
        size_t got;
        int rc = fs_read_at(f, buf, want, pos - want, &got);
        if (rc < 0)
            return rc;
        if (got != want)
            return ERR_IO; /* the file shrank under us */
        for (size_t i = want; i-- > 0;) {
            if (buf[i] == '\n' && ++found == n) {
                *off = pos - want + i + 1;
                return 0;
            }
        }
        pos -= want;
    }
    return 0;
}

/* Where the last complete line ends: the offset after the last newline. */
static int complete_end(fs_file *f, uint64_t size, uint64_t *end)
{
    char buf[BLOCK];
    uint64_t pos = size;

    while (pos > 0) {
        size_t want = pos < BLOCK ? (size_t)pos : BLOCK;
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
    *end = 0;
    return 0;
}

typedef int (*line_fn)(void *ctx, const char *line, size_t len, uint64_t start);
static int each_line_backward(fs_file *f, uint64_t end, line_fn fn, void *ctx);

#define RECOVER_SCAN_MAX (8u * 1024u * 1024u) /* garbage looked through before giving up */

struct recover_scan {
    int found;
    uint64_t good_end; /* just after the last entry that parses */
    uint64_t scanned;
    uint64_t seq;
    int64_t time_us;
    struct sbuf msg;
};

static int recover_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct recover_scan *r = ctx;
    struct log_entry e;

    if (logline_parse(line, len, &e, &r->msg) == 0) {
        r->found = 1;
        r->good_end = start + len + 1;
        r->seq = e.seq;
        r->time_us = e.time_us;
        return 1;
    }
    r->scanned += len + 1;
    return r->scanned > RECOVER_SCAN_MAX ? 1 : 0;
}

/* No entry could be read: keep the old file under another name (nothing is
 * deleted) and start a new one. */
static int move_aside(struct logstore *ls)
{
    int rc;

    fs_close(ls->f);
    ls->f = NULL;
    if (sbuf_fmt(ls->moved_to, sizeof(ls->moved_to), "%s.unreadable-%lld", ls->path,
                 (long long)(clock_wall_us() / CLOCK_US_PER_SEC)) < 0)
        return ERR_NAMETOOLONG;
    rc = fs_rename(ls->path, ls->moved_to);
    if (rc < 0)
        return rc;
    ls->cut_bytes = ls->size;
    ls->size = 0;
    return fs_open_append(ls->path, &ls->f);
}

/* Cuts a torn or garbage tail (a partial line, a NUL run from a power loss,
 * lines that do not parse) back to the last complete entry, whose sequence
 * number the next entry continues. */
static int recover(struct logstore *ls)
{
    struct recover_scan r;
    int rc;

    if (ls->size == 0)
        return 0;
    memset(&r, 0, sizeof(r));
    sbuf_init(&r.msg, LOGSTORE_LINE_MAX);
    /* Scan from the very end: a partial last line is simply one that does not
     * parse (each_line_backward treats the end as a line end). */
    rc = each_line_backward(ls->f, ls->size + 1, recover_line, &r);
    sbuf_free(&r.msg);
    if (rc < 0)
        return rc;
    if (!r.found)
        return move_aside(ls);
    ls->last_seq = r.seq;
    ls->last_time_us = r.time_us;
    if (r.good_end == ls->size + 1) {
        /* A whole entry whose newline never reached the disk: complete it. */
        rc = fs_append(ls->f, "\n", 1);
        if (rc == 0)
            ls->size++;
        return rc;
    }
    if (r.good_end < ls->size) {
        rc = fs_truncate(ls->f, r.good_end);
        if (rc < 0)
            return rc;
        ls->cut_bytes = ls->size - r.good_end;
        ls->size = r.good_end;
    }
    return 0;
}

int logstore_open(struct logstore *ls, const char *dir, int system_mode)
{
    int rc;

    memset(ls, 0, sizeof(*ls));
    sbuf_init(&ls->line, LOGSTORE_LINE_MAX);
    if (paths_join(dir, LOGSTORE_FILE, ls->path, sizeof(ls->path)) < 0)
        return ERR_NAMETOOLONG;
    rc = fs_mkdir_p(dir, system_mode ? FS_DIR_SERVICE : FS_DIR_PRIVATE);
    if (rc < 0)
        return rc;
    rc = fs_open_append(ls->path, &ls->f);
    if (rc < 0)
        return rc;
    rc = fs_size(ls->f, &ls->size);
    if (rc == 0)
        rc = recover(ls);
    if (rc < 0)
        goto close_file;
    return 0;

close_file:
    fs_close(ls->f);
    ls->f = NULL;
    sbuf_free(&ls->line);
    return rc;
}

int logstore_append(struct logstore *ls, struct log_entry *e, int durable, uint64_t now_mono)
{
    int rc;

    e->seq = ls->last_seq + 1;
    e->time_us = clock_wall_us();
    sbuf_reset(&ls->line);
    rc = logline_format(e, &ls->line);
    if (rc < 0)
        return rc;
    rc = fs_append(ls->f, ls->line.p, ls->line.len);
    if (rc < 0) {
        /* Do not leave half a line behind (a short write on a full disk). */
        fs_truncate(ls->f, ls->size);
        return rc;
    }
    ls->size += ls->line.len;
    ls->last_seq = e->seq;
    ls->last_time_us = e->time_us;
    ls->written++;
    ls->dirty = 1;
    if (durable) {
        rc = fs_sync(ls->f);
        if (rc < 0)
            return rc;
        ls->dirty = 0;
        ls->last_sync_mono = now_mono;
    }
    return 0;
}

int logstore_sync_due(struct logstore *ls, uint64_t now_mono, uint64_t window_us)
{
    int rc;

    if (!ls->dirty || now_mono - ls->last_sync_mono < window_us)
        return 0;
    rc = fs_sync(ls->f);
    if (rc < 0)
        return rc;
    ls->dirty = 0;
    ls->last_sync_mono = now_mono;
    return 0;
}

void logstore_close(struct logstore *ls)
{
    if (ls->f) {
        if (ls->dirty)
            fs_sync(ls->f);
        fs_close(ls->f);
    }
    ls->f = NULL;
    sbuf_free(&ls->line);
}

/* Calls fn for each complete line of f[0, end), last line first, until fn
 * returns nonzero (then returns that). Lines over LOGSTORE_LINE_MAX are
 * passed over. Returns 0 at the start of the file, or an I/O error. */
static int each_line_backward(fs_file *f, uint64_t end, line_fn fn, void *ctx)
{
    struct sbuf carry, joined;
    uint64_t pos = end > 0 ? end - 1 : 0; /* the final newline ends the last line */
    char *buf = malloc(BLOCK);
    int rc = 0;

    if (buf == NULL)
        return ERR_NOMEM;
    sbuf_init(&carry, LOGSTORE_LINE_MAX);
    sbuf_init(&joined, LOGSTORE_LINE_MAX);
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

struct tail_scan {
    const struct logfilter *filter;
    uint64_t want, found;
    uint64_t off; /* where reading forward starts */
    struct sbuf msg;
};

static int tail_scan_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct tail_scan *t = ctx;
    struct log_entry e;

    if (logline_parse(line, len, &e, &t->msg) < 0)
        return 0;
    if (t->filter->since_us && e.time_us < t->filter->since_us) {
        t->off = start + len + 1; /* everything from here leftwards is older */
        return 1;
    }
    if (logfilter_match(t->filter, &e) && ++t->found == t->want) {
        t->off = start;
        return 1;
    }
    return 0;
}

static int filtered_tail_offset(fs_file *f, uint64_t end, const struct logfilter *filter,
                                uint64_t tail, uint64_t *off)
{
    struct tail_scan t = {filter, tail, 0, 0, {0}};
    int rc;

    if (tail == 0) {
        *off = end;
        return 0;
    }
    sbuf_init(&t.msg, LOGSTORE_LINE_MAX);
    rc = each_line_backward(f, end, tail_scan_line, &t);
    sbuf_free(&t.msg);
    *off = t.off;
    return rc;
}

int logreader_open(struct logreader *r, const char *path, const struct logfilter *filter,
                   uint64_t tail, int follow)
{
    uint64_t size;
    int rc;

    memset(r, 0, sizeof(*r));
    sbuf_init(&r->line, LOGSTORE_LINE_MAX);
    sbuf_init(&r->msg, LOGSTORE_LINE_MAX);
    if (filter)
        r->filter = *filter;
    r->follow = follow;
    rc = fs_open_read(path, &r->f);
    if (rc < 0)
        return rc;
    r->buf = malloc(BLOCK);
    if (r->buf == NULL) {
        rc = ERR_NOMEM;
        goto close_file;
    }
    rc = fs_size(r->f, &size);
    if (rc < 0)
        goto free_buf;
    /* Only complete lines belong to the snapshot. */
    rc = complete_end(r->f, size, &r->end);
    if (rc < 0)
        goto free_buf;
    if (logfilter_is_all(&r->filter))
        rc = logstore_tail_offset(r->f, r->end, tail, &r->off);
    else
        rc = filtered_tail_offset(r->f, r->end, &r->filter, tail, &r->off);
    if (rc < 0)
        goto free_buf;
    return 0;

free_buf:
    free(r->buf);
close_file:
    fs_close(r->f);
    r->f = NULL;
    return rc;
}

int logreader_open_tail(struct logreader *r, const char *path, uint64_t tail)
{
    return logreader_open(r, path, NULL, tail, 0);
}

/* Following: takes in the complete lines written since the snapshot. */
static int refresh_end(struct logreader *r)
{
    uint64_t size, end;
    int rc = fs_size(r->f, &size);

    if (rc < 0 || size <= r->end)
        return rc;
    rc = complete_end(r->f, size, &end);
    if (rc == 0 && end > r->end)
        r->end = end;
    return rc;
}

/* Reads the next line into r->line (without the newline). Returns 1, 0 at the
 * end, or an error. Lines over LOGSTORE_LINE_MAX come back marked failed. */
static int next_line(struct logreader *r)
{
    sbuf_reset(&r->line);
    for (;;) {
        if (r->bpos == r->blen) {
            if (r->off >= r->end)
                return r->line.len > 0 ? 1 : 0;
            size_t want = (r->end - r->off) < BLOCK ? (size_t)(r->end - r->off) : BLOCK;
            int rc = fs_read_at(r->f, r->buf, want, r->off, &r->blen);
            if (rc < 0)
                return rc;
            if (r->blen == 0)
                return ERR_IO;
            r->off += r->blen;
            r->bpos = 0;
        }
        char *start = r->buf + r->bpos;
        char *nl = memchr(start, '\n', r->blen - r->bpos);
        size_t n = nl ? (size_t)(nl - start) : r->blen - r->bpos;
        sbuf_add(&r->line, start, n);
        r->bpos += n + (nl ? 1 : 0);
        if (nl)
            return 1;
    }
}

int logreader_next(struct logreader *r, struct log_entry *e)
{
    int rc;

    for (;;) {
        rc = next_line(r);
        if (rc == 0 && r->follow && r->bpos == r->blen) {
            rc = refresh_end(r);
            if (rc == 0)
                rc = next_line(r);
        }
        if (rc != 1)
            return rc;
        if (r->line.failed || logline_parse(r->line.p, r->line.len, e, &r->msg) < 0) {
            r->skipped++;
            continue;
        }
        if (r->filter.until_us && e->time_us > r->filter.until_us && !r->follow)
            return 0; /* entries are in time order: nothing later can match */
        if (logfilter_match(&r->filter, e))
            return 1;
    }
}

void logreader_close(struct logreader *r)
{
    fs_close(r->f);
    free(r->buf);
    sbuf_free(&r->line);
    sbuf_free(&r->msg);
    r->f = NULL;
    r->buf = NULL;
}
