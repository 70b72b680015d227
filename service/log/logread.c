/* Reading the log back across its files: the last N matching entries found
 * by scanning backwards from the newest file, then forwards through the
 * files in order, and on past rotations when following. */
#include "clock.h"
#include "err.h"
#include "logread.h"
#include "logscan.h"

#include <stdlib.h>
#include <string.h>

struct tail_scan {
    const struct logfilter *filter;
    uint64_t want, found;
    int done;     /* enough found, or `since` reached */
    uint64_t off; /* where reading forward starts */
    struct sbuf msg;
    struct logreader *r; /* whose slice this scan spends */
    int paused;          /* the slice ran out; go on from `resume` */
    uint64_t resume;
};

/* Spends `cost` lines' worth of the current slice and says whether it is
 * spent: LOGREAD_SLICE lines, or LOGREAD_SLICE_US of time, since a cold cache
 * can make few lines slow. The clock is read once per 1024 lines' worth; per
 * line it would cost more than the line. */
static int slice_spend(struct logreader *r, uint64_t cost)
{
    uint64_t before = r->scanned;

    if (before == 0)
        r->slice_start_us = clock_mono_us();
    r->scanned += cost;
    if (r->scanned >= LOGREAD_SLICE)
        return 1;
    if ((before >> 10) != (r->scanned >> 10) &&
        clock_mono_us() - r->slice_start_us >= LOGREAD_SLICE_US) {
        r->scanned = LOGREAD_SLICE; /* spent: the caller resets it */
        return 1;
    }
    return 0;
}

static int tail_scan_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct tail_scan *t = ctx;
    struct log_entry e;

    if (slice_spend(t->r, 1)) { /* this line is looked at, then a pause */
        t->paused = 1;
        t->resume = start;
    }
    /* Without a time bound, a line that cannot match needs no parsing. */
    if (!t->filter->since_us && !logfilter_line_may_match(t->filter, line, len))
        return t->paused;
    if (logline_parse(line, len, &e, &t->msg) < 0)
        return t->paused;
    if (t->filter->since_us && e.time_us < t->filter->since_us) {
        t->off = start + len + 1; /* everything from here leftwards is older */
        t->done = 1;
        return 1;
    }
    if (logfilter_match(t->filter, &e) && ++t->found == t->want) {
        t->off = start;
        t->done = 1;
        return 1;
    }
    return t->paused;
}

/* An unfiltered tail only counts newlines, a chunk at a time: a huge
 * `--tail N` pauses like a filtered search (scan_file's contract). */
static int count_back(struct logreader *r, fs_file *f, uint64_t *end, uint64_t *want, uint64_t *off)
{
    uint64_t found;
    int rc;

    for (;;) {
        rc = logscan_tail_offset(f, *end, *want, LOGREAD_CHUNK, off, &found);
        if (rc < 0)
            return rc;
        if (found >= *want)
            return 1;
        *want -= found;
        if (rc == 0)
            return 0; /* the whole file, and older files must be read too */
        *end = *off;
        if (slice_spend(r, LOGREAD_SLICE / LOGREAD_CHUNKS)) /* a chunk's worth */
            return LOGREAD_MORE;
    }
}

/* Looks for `*want` entries backwards in f[0, end). Returns 1 when the start
 * is in this file (at *off), 0 when older files must be read too, or
 * LOGREAD_MORE when the slice ran out (go on from *end); *want is reduced by
 * what was found. Or an error. */
static int scan_file(struct logreader *r, fs_file *f, uint64_t *end, uint64_t *want, uint64_t *off)
{
    struct tail_scan t = {&r->filter, *want, 0, 0, 0, {0}, r, 0, 0};
    int rc;

    if (logfilter_is_all(&r->filter))
        return count_back(r, f, end, want, off);
    sbuf_init(&t.msg, LOGREAD_LINE_MAX);
    rc = logscan_backward(f, *end, tail_scan_line, &t);
    sbuf_free(&t.msg);
    if (rc < 0)
        return rc;
    if (t.done) {
        *off = t.off;
        return 1;
    }
    *want -= t.found;
    if (t.paused) {
        *end = t.resume;
        return LOGREAD_MORE;
    }
    return 0;
}

/* Opens the file at `path` for reading its complete lines. */
static int open_file(const char *path, fs_file **out, uint64_t *end)
{
    fs_file *f = NULL;
    uint64_t size;
    int rc;

    rc = fs_open_read(path, &f);
    if (rc == 0)
        rc = fs_size(f, &size);
    /* Only complete lines belong to the snapshot. */
    if (rc == 0)
        rc = logscan_complete_end(f, size, end);
    if (rc < 0) {
        fs_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Reads file i of the set from `off` on; until it is open, the reader stays
 * where it was. */
static int open_at(struct logreader *r, size_t i, uint64_t off)
{
    fs_file *f;
    uint64_t end;
    int rc = open_file(r->files.v[i].path, &f, &end);

    if (rc < 0)
        return rc;
    fs_close(r->f);
    r->f = f;
    r->end = end;
    r->idx = i;
    r->off = off;
    r->blen = r->bpos = 0;
    return 0;
}

/* Opens file i, or the first after it that still exists: retention may
 * remove a rotated file between the listing and the opening. Returns 0, or
 * an error (ERR_NOENT only when not even the current file exists). */
static int open_from(struct logreader *r, size_t i)
{
    int rc = ERR_NOENT;

    for (; i < r->files.n; i++) {
        rc = open_at(r, i, 0);
        if (rc != ERR_NOENT)
            break;
    }
    return rc;
}

/* Goes on finding the file and offset where the last `tail` matching
 * entries begin, newest file first; files wholly after `until` are not read
 * at all, and the scan stops at `since`. A long search (a rare match far
 * back) pauses every LOGREAD_SLICE lines: returns LOGREAD_MORE then, 0 once
 * positioned, or an error. */
static int locate(struct logreader *r)
{
    uint64_t off = 0;
    int rc;

    for (;;) {
        if (!r->loc_open) {
            if (r->loc_i == 0)
                break;
            size_t i = --r->loc_i;
            const struct logfile *lf = &r->files.v[i];
            if (r->filter.until_us && lf->first_time_us > r->filter.until_us && i > 0)
                continue;
            rc = open_at(r, i, 0);
            if (rc == ERR_NOENT && !lf->current)
                continue; /* removed by retention meanwhile */
            if (rc < 0)
                return rc;
            r->loc_open = 1;
            r->loc_end = r->end;
        }
        rc = scan_file(r, r->f, &r->loc_end, &r->loc_want, &off);
        if (rc < 0 || rc == LOGREAD_MORE)
            return rc;
        r->loc_open = 0;
        if (rc == 1) {
            r->locating = 0;
            r->off = off;
            return 0;
        }
    }
    r->locating = 0;
    return open_from(r, 0); /* fewer than `tail` in all the files: from the start */
}

struct last_entry {
    uint64_t seq;
    int found;
    struct sbuf msg;
};

static int last_entry_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct last_entry *l = ctx;
    struct log_entry e;

    (void)start;
    if (logline_parse(line, len, &e, &l->msg) < 0)
        return 0; /* garbage holds no seq: look further back */
    l->seq = e.seq;
    l->found = 1;
    return 1;
}

/* The seq of the last entry of f[0, end): returns 1 with *seq, 0 when no
 * line there parses, or an I/O error. Costs a line or two, from the end. */
static int last_seq_in(fs_file *f, uint64_t end, uint64_t *seq)
{
    struct last_entry l = {0, 0, {0}};
    int rc;

    if (end == 0)
        return 0;
    sbuf_init(&l.msg, LOGREAD_LINE_MAX);
    rc = logscan_backward(f, end, last_entry_line, &l);
    sbuf_free(&l.msg);
    if (rc < 0)
        return rc;
    if (l.found)
        *seq = l.seq;
    return l.found;
}

/* A follow from the end (`-n 0`) starts after the newest entry: that of the
 * current file or, when it is still empty (just rotated), of the newest
 * rotated files. With no entry anywhere the position stays unknown, and the
 * first entry read is not taken for a gap. Returns 0 or an I/O error. */
static int anchor_at_end(struct logreader *r)
{
    uint64_t seq, end;
    fs_file *f;
    int rc = last_seq_in(r->f, r->end, &seq);

    for (size_t i = r->files.n - 1; rc == 0 && i > 0 && i + 4 > r->files.n; i--) {
        rc = open_file(r->files.v[i - 1].path, &f, &end);
        if (rc == ERR_NOENT) {
            rc = 0; /* removed by retention meanwhile */
            continue;
        }
        if (rc < 0)
            return rc;
        rc = last_seq_in(f, end, &seq);
        fs_close(f);
    }
    if (rc < 0)
        return rc;
    if (rc == 1) {
        r->last_seq = seq;
        r->anchored = 1;
    }
    return 0;
}

/* Sets up the search for where the last `tail` entries begin and takes its
 * first slice. */
static int find_start(struct logreader *r, uint64_t tail)
{
    int rc;

    if (tail == 0) {
        rc = open_at(r, r->files.n - 1, 0);
        if (rc < 0)
            return rc;
        r->off = r->end;
        return anchor_at_end(r);
    }
    /* Everything, from the first file on: no need to count backwards. */
    if (tail == UINT32_MAX && !r->filter.since_us)
        return open_from(r, 0);
    r->locating = 1;
    r->loc_i = r->files.n;
    r->loc_want = tail;
    rc = locate(r);
    return rc == LOGREAD_MORE ? 0 : rc;
}

int logreader_open(struct logreader *r, const char *path, const struct logfilter *filter,
                   uint64_t tail, int follow, const uint64_t *rotations)
{
    int rc;

    memset(r, 0, sizeof(*r));
    sbuf_init(&r->line, LOGREAD_LINE_MAX);
    sbuf_init(&r->msg, LOGREAD_LINE_MAX);
    if (filter)
        r->filter = *filter;
    r->follow = follow;
    r->rotations = rotations;
    r->seen_rotations = rotations ? *rotations : 0;
    rc = sbuf_copy(r->path, sizeof(r->path), path);
    if (rc == 0)
        rc = logfiles_load(path, &r->files);
    if (rc < 0)
        return rc;
    r->buf = malloc(LOGSCAN_BLOCK);
    rc = r->buf ? find_start(r, tail) : ERR_NOMEM;
    if (rc < 0)
        logreader_close(r);
    return rc;
}

int logreader_open_tail(struct logreader *r, const char *path, uint64_t tail)
{
    return logreader_open(r, path, NULL, tail, 0, NULL);
}

/* Following: takes in the complete lines written since the snapshot. */
static int refresh_end(struct logreader *r)
{
    uint64_t size, end;
    int rc = fs_size(r->f, &size);

    if (rc < 0 || size <= r->end)
        return rc;
    rc = logscan_complete_end(r->f, size, &end);
    if (rc == 0 && end > r->end)
        r->end = end;
    return rc;
}

/* Reads the next line into r->line (without the newline). Returns 1, 0 at the
 * end, or an error. Lines over LOGREAD_LINE_MAX come back marked failed. */
static int next_line(struct logreader *r)
{
    sbuf_reset(&r->line);
    for (;;) {
        if (r->bpos == r->blen) {
            if (r->off >= r->end)
                return r->line.len > 0 ? 1 : 0;
            size_t want =
                (r->end - r->off) < LOGSCAN_BLOCK ? (size_t)(r->end - r->off) : LOGSCAN_BLOCK;
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

/* Leaving a file whose lines were not all parsed (a filter passed them
 * over): the position is after its last entry, whatever matched. Returns 0
 * or an I/O error. */
static int settle(struct logreader *r)
{
    uint64_t seq;
    int rc;

    if (r->anchored && !r->stale)
        return 0;
    rc = last_seq_in(r->f, r->end, &seq);
    if (rc < 0)
        return rc;
    if (rc == 1 && (!r->anchored || seq > r->last_seq)) {
        r->last_seq = seq;
        r->anchored = 1;
    }
    r->stale = 0;
    return 0;
}

static int entered(struct logreader *r);

/* Entries after last_seq and before `seq` may be in a file the listing
 * missed (it was made before a rotation): if so, reading goes on there.
 * Returns 1 when it moved (or, from there, reported a gap: LOGREAD_GAP), 0
 * when no such file exists, or an error. */
static int reopen_skipped(struct logreader *r, uint64_t seq)
{
    struct logfiles set;
    fs_file *f;
    uint64_t end;
    int rc = logfiles_load(r->path, &set);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < set.n; i++) {
        if (set.v[i].first_seq <= r->last_seq || set.v[i].first_seq >= seq)
            continue;
        rc = open_file(set.v[i].path, &f, &end);
        if (rc == ERR_NOENT)
            continue; /* gone too */
        if (rc < 0)
            break;
        fs_close(r->f);
        logfiles_free(&r->files);
        r->files = set;
        r->f = f;
        r->end = end;
        r->idx = i;
        r->off = 0;
        r->blen = r->bpos = 0;
        rc = entered(r);
        return rc == 0 ? 1 : rc;
    }
    logfiles_free(&set);
    return rc < 0 ? rc : 0;
}

/* The next entry there is `first`: were entries from last_seq + 1 on lost
 * on the way? They may be in a file the listing missed; when they are gone
 * the gap is reported (and the position moves past it). Returns 0 when
 * nothing is missing, 1 when reading moved to another file, LOGREAD_GAP, or
 * an error. */
static int check_gap(struct logreader *r, uint64_t first)
{
    int rc;

    if (!r->anchored || first <= r->last_seq + 1)
        return 0;
    rc = reopen_skipped(r, first);
    if (rc != 0)
        return rc;
    r->gap_missed = first - r->last_seq - 1;
    r->gap_resume = first;
    r->last_seq = first - 1;
    return LOGREAD_GAP;
}

/* Just moved to file r->idx. A rotated file's name says its first seq; the
 * current file's first entry says it, when read (r->crossed). Returns like
 * check_gap. */
static int entered(struct logreader *r)
{
    const struct logfile *lf = &r->files.v[r->idx];

    r->crossed = 0;
    if (!r->anchored)
        return 0;
    if (!lf->current && lf->first_seq)
        return check_gap(r, lf->first_seq);
    r->crossed = 1;
    return 0;
}

/* Following past a rotation: our file was renamed and is complete; carry on
 * with the first file holding entries after the last one read. Returns 1
 * when it moved to another file (or there are lines still to read in ours),
 * LOGREAD_GAP when what came between is gone, 0 when there is nothing newer,
 * or an error. */
static int follow_rotation(struct logreader *r)
{
    struct logfiles set;
    fs_file *f;
    uint64_t end;
    int rc;

    if (r->rotations && *r->rotations == r->seen_rotations)
        return 0;
    rc = logfiles_load(r->path, &set);
    /* Lines written before the rename are ours still: read them first. */
    if (rc == 0)
        rc = refresh_end(r);
    if (rc == 0 && r->off < r->end)
        rc = 1;
    if (rc == 0)
        rc = settle(r);
    for (size_t i = 0; rc == 0 && i < set.n; i++) {
        if (set.v[i].first_seq <= r->last_seq)
            continue;
        rc = open_file(set.v[i].path, &f, &end);
        if (rc == ERR_NOENT) {
            rc = 0; /* removed by retention meanwhile: the gap check sees it */
            continue;
        }
        if (rc < 0)
            break;
        fs_close(r->f);
        logfiles_free(&r->files);
        r->files = set;
        r->f = f;
        r->end = end;
        r->idx = i;
        r->off = 0;
        r->blen = r->bpos = 0;
        r->seen_rotations = r->rotations ? *r->rotations : 0;
        rc = entered(r);
        return rc == 0 ? 1 : rc;
    }
    logfiles_free(&set);
    return rc;
}

/* At the end of the current file: the next file, new lines, or a rotation.
 * Returns 1 when there is more to read, 0 when not (yet), LOGREAD_GAP, or an
 * error. */
static int advance(struct logreader *r)
{
    int rc;

    if (r->idx + 1 < r->files.n) {
        rc = settle(r);
        if (rc == 0)
            rc = open_from(r, r->idx + 1);
        if (rc == 0)
            rc = entered(r);
        return rc == 0 ? 1 : rc;
    }
    if (!r->follow)
        return 0;
    rc = refresh_end(r);
    if (rc < 0)
        return rc;
    if (r->off < r->end)
        return 1;
    return follow_rotation(r);
}

#define TAKE_END 2 /* past `until`: nothing later can match */

/* Looks at the line just read. Returns 1 with a matching entry, 0 to go on,
 * TAKE_END, LOGREAD_GAP (the line comes back next time), or an error. */
static int take_line(struct logreader *r, struct log_entry *e)
{
    int crossed = r->crossed, rc;

    r->crossed = 0;
    /* A file's first line is parsed whatever the filter: its seq tells
     * whether entries were missed. Other lines the filter cannot match are
     * passed over unparsed: the position catches up at the file's end. */
    if (!crossed && !r->line.failed &&
        !logfilter_line_may_match(&r->filter, r->line.p, r->line.len)) {
        r->stale = 1;
        return 0;
    }
    if (r->line.failed || logline_parse(r->line.p, r->line.len, e, &r->msg) < 0) {
        r->skipped++; /* garbage is not a gap: no check for this file */
        return 0;
    }
    if (r->anchored && e->seq <= r->last_seq)
        return 0; /* never twice, whatever the files looked like */
    if (crossed) {
        rc = check_gap(r, e->seq);
        if (rc == LOGREAD_GAP)
            r->replay = 1;
        if (rc != 0)
            return rc == 1 ? 0 : rc; /* moved: this line comes in its turn */
    }
    r->last_seq = e->seq;
    r->anchored = 1;
    r->stale = 0;
    if (r->filter.until_us && e->time_us > r->filter.until_us && !r->follow)
        return TAKE_END; /* entries are in time order: nothing later can match */
    return logfilter_match(&r->filter, e);
}

int logreader_next(struct logreader *r, struct log_entry *e)
{
    int rc;

    if (r->locating) {
        rc = locate(r);
        if (rc != 0)
            return rc;
    }
    for (;;) {
        if (r->scanned >= LOGREAD_SLICE)
            return LOGREAD_MORE; /* checked before reading, so no line is lost */
        if (r->replay) {
            r->replay = 0;
            rc = 1;
        } else {
            rc = next_line(r);
        }
        if (rc == 0) {
            rc = advance(r);
            if (rc == 1)
                continue;
            return rc;
        }
        if (rc < 0)
            return rc;
        slice_spend(r, 1); /* a spent slice shows at the top of the next round */
        rc = take_line(r, e);
        if (rc == TAKE_END)
            return 0;
        if (rc != 0)
            return rc;
    }
}

void logreader_close(struct logreader *r)
{
    fs_close(r->f);
    free(r->buf);
    sbuf_free(&r->line);
    sbuf_free(&r->msg);
    logfiles_free(&r->files);
    r->f = NULL;
    r->buf = NULL;
}
