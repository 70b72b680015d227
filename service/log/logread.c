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
    int mono;       /* the file's times never go back: `since` ends the search */
    int since_stop; /* it did: everything leftwards is older */
};

/* Spends `cost` lines' worth of the current slice and says whether it is
 * spent: LOGREAD_SLICE lines, or LOGREAD_SLICE_US of time, since a cold cache
 * can make few lines slow. The clock is read once per LOGREAD_CLOCK_LINES
 * lines' worth. */
static int slice_spend(struct logreader *r, uint64_t cost)
{
    uint64_t before = r->scanned;

    if (before == 0)
        r->slice_start_us = clock_mono_us();
    r->scanned += cost;
    r->looked += cost;
    if (r->scanned >= LOGREAD_SLICE)
        return 1;
    if (before / LOGREAD_CLOCK_LINES != r->scanned / LOGREAD_CLOCK_LINES &&
        clock_mono_us() - r->slice_start_us >= LOGREAD_SLICE_US) {
        r->scanned = LOGREAD_SLICE; /* spent: the caller resets it */
        return 1;
    }
    return 0;
}

/* slice_spend for opening a file: it costs the slice like
 * LOGREAD_OPEN_COST lines, but no line was looked at. */
static int slice_spend_open(struct logreader *r)
{
    uint64_t looked = r->looked;
    int spent = slice_spend(r, LOGREAD_OPEN_COST);

    r->looked = looked;
    return spent;
}

/* What a process knows of the times in the log's files, learnt by reading
 * each once: rotated files never change, the current one only grows. The
 * key is the file's first entry (seq and time) and the log's path, so a
 * file keeps its knowledge when rotation renames it. Knowledge is only ever
 * a shortcut: a file not (or no longer) known is read in full. Looked up
 * by hash: rotate_keep allows 10 000 files, each looked up per timed query. */
#define LOGTIMES_MAX  16384 /* a power of two */
#define LOGTIMES_FULL (LOGTIMES_MAX / 4 * 3)

struct logtimes {
    uint64_t key;      /* 0: a free slot */
    uint64_t end;      /* known up to this offset, a line start */
    uint64_t last_seq; /* of its last entry that parses; 0: none */
    int64_t min_us, max_us, last_us;
    int any;  /* an entry was seen */
    int mono; /* no entry is earlier than the one before it */
};

static struct logtimes times_cache[LOGTIMES_MAX];
static size_t times_n;

static uint64_t times_key(const struct logreader *r, const struct logfile *lf)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)r->path; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h = (h ^ lf->first_seq) * 1099511628211ull;
    h = (h ^ (uint64_t)lf->first_time_us) * 1099511628211ull;
    return h ? h : 1;
}

/* The entry for `key`, made (empty) when `create`; NULL when there is none.
 * A table three quarters full starts over: knowledge is only a shortcut. */
static struct logtimes *times_find(uint64_t key, int create)
{
    size_t i = (size_t)(key ^ (key >> 32)) & (LOGTIMES_MAX - 1);

    for (; times_cache[i].key != 0; i = (i + 1) & (LOGTIMES_MAX - 1))
        if (times_cache[i].key == key)
            return &times_cache[i];
    if (!create)
        return NULL;
    if (times_n >= LOGTIMES_FULL) {
        memset(times_cache, 0, sizeof(times_cache));
        times_n = 0;
        i = (size_t)(key ^ (key >> 32)) & (LOGTIMES_MAX - 1);
    }
    times_n++;
    struct logtimes *t = &times_cache[i];
    memset(t, 0, sizeof(*t));
    t->key = key;
    t->mono = 1;
    return t;
}

/* Whether the open file (file i) begins with the entry the listing saw:
 * svcd.log may be a newer file by the time it is opened. */
static int same_file(struct logreader *r, size_t i)
{
    char head[4096];
    struct log_entry e;
    struct sbuf msg;
    size_t got;
    char *nl;
    int same = 0;

    sbuf_init(&msg, LOGREAD_LINE_MAX);
    if (fs_read_at(r->f, head, sizeof(head), 0, &got) == 0 &&
        (nl = memchr(head, '\n', got)) != NULL &&
        logline_parse(head, (size_t)(nl - head), &e, &msg) == 0)
        same = e.seq == r->files.v[i].first_seq && e.time_us == r->files.v[i].first_time_us;
    sbuf_free(&msg);
    return same;
}

/* What is known of file i (the open one), when it covers f[0, end); else
 * NULL. */
static const struct logtimes *file_times(struct logreader *r, size_t i, uint64_t end)
{
    const struct logtimes *t = times_find(times_key(r, &r->files.v[i]), 0);

    if (t == NULL || t->end != end)
        return NULL;
    return !r->files.v[i].current || same_file(r, i) ? t : NULL;
}

/* True when no entry of those known can be within the bounds. */
static int times_outside(const struct logfilter *f, const struct logtimes *t)
{
    return !t->any || (f->since_us && t->max_us < f->since_us) ||
           (f->until_us && t->min_us > f->until_us);
}

/* The value of the line's "time" key, found without parsing the line: a
 * JSON string holds no unescaped quote, so the first `"time":"` is the key.
 * Returns 0, or -1 when there is none (then the line is parsed). A torn
 * line's time may be taken too: it can only widen what is known (a range,
 * or a step back), never hide an entry. */
static int line_time(const char *line, size_t len, int64_t *us)
{
    static const char key[] = "\"time\":\"";
    const size_t kl = sizeof(key) - 1;
    const char *p = line, *end = line + len;

    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL && (size_t)(end - p) > kl) {
        if (memcmp(p, key, kl) == 0) {
            const char *v = p + kl, *q = memchr(v, '"', (size_t)(end - v));
            return q && clock_parse_utc(v, (size_t)(q - v), us) == 0 ? 0 : -1;
        }
        p++;
    }
    return -1;
}

static void times_add(struct logtimes *t, const char *line, size_t len, struct sbuf *msg)
{
    struct log_entry e;
    int64_t us;

    if (line_time(line, len, &us) < 0) {
        if (logline_parse(line, len, &e, msg) < 0)
            return;
        us = e.time_us;
    }
    if (t->any && us < t->last_us)
        t->mono = 0; /* the wall clock stepped back */
    if (!t->any || us < t->min_us)
        t->min_us = us;
    if (!t->any || us > t->max_us)
        t->max_us = us;
    t->last_us = us;
    t->any = 1;
}

static int last_seq_in(fs_file *f, uint64_t end, uint64_t *seq);

/* Learns the times of f[t->end, end), a slice at a time. Returns 0 when
 * done, LOGREAD_MORE when the slice ran out (t->end says how far it got), or
 * an I/O error. Lines over LOGREAD_LINE_MAX are passed over, as readers do. */
static int times_learn(struct logreader *r, fs_file *f, struct logtimes *t, uint64_t end)
{
    int skipping = 0;

    while (t->end < end) {
        uint64_t left = end - t->end;
        size_t want = left < LOGREAD_LINE_MAX + 1 ? (size_t)left : LOGREAD_LINE_MAX + 1, got;
        int rc = fs_read_at(f, r->sum_buf, want, t->end, &got);
        if (rc < 0)
            return rc;
        if (got == 0)
            return ERR_IO; /* the file shrank under us */
        char *p = r->sum_buf, *stop = r->sum_buf + got, *nl;
        while ((nl = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
            if (!skipping)
                times_add(t, p, (size_t)(nl - p), &r->msg);
            skipping = 0;
            t->end += (uint64_t)(nl - p) + 1;
            p = nl + 1;
            if (slice_spend(r, 1))
                return LOGREAD_MORE;
        }
        if (p == r->sum_buf) { /* longer than any line a reader takes */
            skipping = 1;
            t->end += got;
        }
    }
    /* Where the file ends in the sequence, from an entry that parses. */
    int rc = last_seq_in(f, end, &t->last_seq);
    if (rc == 0)
        t->last_seq = 0;
    return rc < 0 ? rc : 0;
}

/* What is known of rotated file i's times, when it covers the whole file as
 * summarize found it: no need to open it to skip it. */
static const struct logtimes *rotated_times(const struct logreader *r, size_t i)
{
    const struct logtimes *t;

    if (!r->timed || r->summarizing || r->sum_ends == NULL || r->files.v[i].current)
        return NULL;
    t = times_find(times_key(r, &r->files.v[i]), 0);
    return t && t->end == r->sum_ends[i] ? t : NULL;
}

/* Learns the times of the files not yet known, oldest first. Returns 0 when
 * all are, LOGREAD_MORE to go on in the next slice, or an error. */
static int summarize(struct logreader *r)
{
    int rc;

    if (r->sum_buf == NULL && (r->sum_buf = malloc(LOGREAD_LINE_MAX + 1)) == NULL)
        return ERR_NOMEM;
    if (r->sum_ends == NULL && (r->sum_ends = calloc(r->files.n, sizeof(uint64_t))) == NULL)
        return ERR_NOMEM;
    for (; r->sum_i < r->files.n; r->sum_i++) {
        const struct logfile *lf = &r->files.v[r->sum_i];
        struct logtimes *t = times_find(times_key(r, lf), 1);
        uint64_t size;

        if (r->sum_f == NULL) {
            /* Opening a file costs like lines: thousands of files known to
             * their end are passed in slices too. */
            if (slice_spend_open(r))
                return LOGREAD_MORE;
            rc = fs_open_read_nofollow(lf->path, &r->sum_f);
            if (rc == ERR_NOENT)
                continue; /* removed by retention meanwhile */
            if (rc == 0)
                rc = fs_size(r->sum_f, &size);
            /* A rotated file known to its end needs no more reading. */
            if (rc == 0 && !(t->end == size && !lf->current))
                rc = logscan_complete_end(r->sum_f, size, &size);
            if (rc < 0)
                return rc;
            r->sum_end = size;
            /* Shorter than known, or with no first entry to know it by:
             * not the file that was known. */
            if (t->end > r->sum_end || lf->first_seq == 0) {
                memset(t, 0, sizeof(*t));
                t->key = times_key(r, lf);
                t->mono = 1;
            }
        }
        rc = times_learn(r, r->sum_f, t, r->sum_end);
        if (rc != 0)
            return rc;
        r->sum_ends[r->sum_i] = r->sum_end;
        fs_close(r->sum_f);
        r->sum_f = NULL;
    }
    r->summarizing = 0;
    return 0;
}

/* Whether the times of the file being read never go back (so an entry past
 * `until` means the rest of it is too). */
static int reading_mono(struct logreader *r)
{
    if (r->cur_mono < 0) {
        const struct logtimes *t = file_times(r, r->idx, r->end);
        r->cur_mono = t && t->mono;
    }
    return r->cur_mono;
}

static int tail_scan_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct tail_scan *t = ctx;
    struct log_entry e;

    if (slice_spend(t->r, 1)) { /* this line is looked at, then a pause */
        t->paused = 1;
        t->resume = start;
    }
    /* Unless `since` can end the search, a line that cannot match needs no
     * parsing. */
    if (!(t->filter->since_us && t->mono) && !logfilter_line_may_match(t->filter, line, len))
        return t->paused;
    if (logline_parse(line, len, &e, &t->msg) < 0)
        return t->paused;
    if (t->filter->since_us && t->mono && e.time_us < t->filter->since_us) {
        t->off = start + len + 1; /* everything from here leftwards is older */
        t->since_stop = 1;
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

#define SCAN_SINCE 3

/* Looks for `*want` entries backwards in f[0, end). Returns 1 when the start
 * is in this file (at *off), 0 when older files must be read too, SCAN_SINCE
 * when `since` was reached in a file whose times never go back (the entries
 * from *off on are in range; older files may still hold some), or
 * LOGREAD_MORE when the slice ran out (go on from *end); *want is reduced by
 * what was found. Or an error. */
static int scan_file(struct logreader *r, fs_file *f, uint64_t *end, uint64_t *want, uint64_t *off)
{
    struct tail_scan t = {&r->filter, *want, 0, 0, 0, {0}, r, 0, 0, r->loc_mono, 0};
    int rc;

    /* Unfiltered, counting the lines that end like an entry is enough (and
     * allocates nothing): a torn fragment recovery kept does not end with
     * the entry's closing brace unless the cut fell right after one inside
     * a message, which can make such a tail one short, never wrong. */
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
    if (t.since_stop) {
        *off = t.off;
        return SCAN_SINCE;
    }
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

    rc = fs_open_read_nofollow(path, &f);
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
    r->cur_mono = -1;
    r->at_eof = 0;
    r->id_state = 0;
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
        if (rc != ERR_NOENT && rc != ERR_UNTRUSTED) /* removed, or a link put in its place */
            break;
    }
    return rc;
}

static int anchor_at_end(struct logreader *r);

/* Goes on finding the file and offset where the last `tail` matching
 * entries begin, newest file first; files known to hold nothing within the
 * time bounds are not read at all, and the scan stops at `since` in a file
 * whose times never go back. A long search (a rare match far back) pauses
 * every LOGREAD_SLICE lines: returns LOGREAD_MORE then, 0 once positioned,
 * or an error. */

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
            const struct logtimes *known = rotated_times(r, i);
            if (known && times_outside(&r->filter, known))
                continue; /* nothing in it is within the bounds */
            rc = open_at(r, i, 0);
            /* A rotated file removed by retention meanwhile, or the current
             * one not begun again yet (the writer lost it and is degraded):
             * what there is is still read. */
            if (rc == ERR_NOENT && (!lf->current || r->files.n > 1))
                continue;
            if (rc < 0)
                return rc;
            const struct logtimes *t = r->timed ? file_times(r, i, r->end) : NULL;
            if (t && times_outside(&r->filter, t))
                continue; /* nothing in it is within the bounds */
            r->loc_open = 1;
            r->loc_end = r->end;
            r->loc_mono = t && t->mono;
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
        /* Unless an older file holds more, reading begins here. */
        r->loc_have_start = 1;
        r->loc_start_i = r->idx;
        r->loc_start_off = rc == SCAN_SINCE ? off : 0;
    }
    r->locating = 0;
    if (r->loc_have_start) {
        rc = open_at(r, r->loc_start_i, r->loc_start_off);
        return rc == ERR_NOENT ? open_from(r, r->loc_start_i + 1) : rc;
    }
    if (r->timed) { /* nothing within the bounds: only what comes later */
        rc = open_at(r, r->files.n - 1, 0);
        if (rc < 0)
            return rc;
        r->off = r->end;
        return anchor_at_end(r);
    }
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
static void pass_over_read(struct logreader *r);

/* Where reading begins, once the files' times are known when they matter:
 * from the first file, or (searching backwards, sliced) where the last
 * `tail` matching entries begin. Returns 0 or an error. */
static int begin(struct logreader *r)
{
    /* Everything, from the first file on: no need to count backwards. */
    if (r->start_tail == UINT32_MAX && !r->filter.since_us) {
        int rc = open_from(r, 0);
        if (rc == 0)
            pass_over_read(r);
        return rc;
    }
    r->locating = 1;
    r->loc_i = r->files.n;
    r->loc_want = r->start_tail;
    return 0;
}

/* Learns the files' times, then finds where reading begins, a slice at a
 * time. Returns 0 once positioned, LOGREAD_MORE, or an error. */
static int prepare(struct logreader *r)
{
    int rc;

    if (r->summarizing) {
        rc = summarize(r);
        if (rc != 0)
            return rc;
        rc = begin(r);
        if (rc < 0)
            return rc;
    }
    return r->locating ? locate(r) : 0;
}

/* Sets up the search for where the last `tail` entries begin and takes its
 * first slice. */
static int find_start(struct logreader *r, uint64_t tail)
{
    int rc;

    if (tail == 0) {
        size_t i = r->files.n - 1;
        rc = open_at(r, i, 0);
        while (rc == ERR_NOENT && i > 0) /* no current file yet: from the newest rotated one */
            rc = open_at(r, --i, 0);
        if (rc < 0)
            return rc;
        r->off = r->end;
        return anchor_at_end(r);
    }
    r->start_tail = tail;
    r->timed = r->filter.since_us || r->filter.until_us;
    if (r->timed)
        r->summarizing = 1;
    else if ((rc = begin(r)) < 0)
        return rc;
    rc = prepare(r);
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

    if (rc == 0 && size < r->end) {
        /* Truncated in place (a copytruncate): what is there now is newer
         * than what was read, so it is read from its start; seqs already
         * read are passed over as always. */
        r->off = r->end = 0;
        r->blen = r->bpos = 0;
        r->crossed = 1;
    }
    if (rc < 0 || size <= r->end)
        return rc;
    rc = logscan_complete_end_from(r->f, r->end, size, &end);
    if (rc == 0 && end > r->end)
        r->end = end;
    return rc;
}

/* What read_on would read, taken from the writer's newest bytes when the
 * reader is in them: the same file (by id, learnt once per file) and a
 * position from their start to their end, which is the file's end. Returns
 * 1 with *got bytes in r->buf (0: nothing new), 0 when they do not cover
 * the position (the file is read). */
_Static_assert(LOGRECENT_CAP < LOGSCAN_BLOCK, "what the writer holds fits one read_on block");

static int take_recent(struct logreader *r, size_t *got)
{
    const struct logrecent *rc = r->recent;
    uint64_t n;

    if (rc == NULL || !rc->valid || r->end < rc->start || r->end > rc->end)
        return 0;
    if (r->id_state == 0)
        r->id_state = fs_identity(r->f, &r->id) == 0 ? 1 : -1;
    if (r->id_state != 1 || r->id.dev != rc->id.dev || r->id.ino != rc->id.ino)
        return 0;
    n = rc->end - r->end; /* under LOGRECENT_CAP, so under a block */
    memcpy(r->buf, rc->buf + (r->end - rc->start), (size_t)n);
    *got = (size_t)n;
    return 1;
}

/* Following in the service: the complete lines written since, read
 * straight into the buffer, without asking the size first. The writer wakes
 * a follower when it wrote, and reports a truncation in place as a rotation
 * (logstore_check_path), which follow_rotation handles with refresh_end. A
 * block with no newline (a line longer than a block) is left to
 * refresh_end. Returns 0 or an I/O error. */
static int read_on(struct logreader *r)
{
    size_t got;
    char *nl = NULL;
    int rc;

    if (r->written && r->at_eof && r->eof_written == *r->written)
        return 0; /* read to the end since the writer's last entry */
    if (!take_recent(r, &got)) {
        rc = fs_read_at(r->f, r->buf, LOGSCAN_BLOCK, r->end, &got);
        if (rc < 0)
            return rc;
    }
    r->at_eof = got < LOGSCAN_BLOCK;
    r->eof_written = r->written ? *r->written : 0;
    for (size_t i = got; i-- > 0 && nl == NULL;)
        if (r->buf[i] == '\n')
            nl = r->buf + i;
    if (nl == NULL)
        return got == LOGSCAN_BLOCK ? refresh_end(r) : 0;
    r->blen = (size_t)(nl - r->buf) + 1;
    r->bpos = 0;
    r->end += r->blen;
    r->off = r->end;
    return 0;
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

/* Reading goes on from the start of file i of a new listing `set` (which
 * the reader takes), opened as f with `end`. */
static void switch_to(struct logreader *r, struct logfiles *set, size_t i, fs_file *f, uint64_t end)
{
    fs_close(r->f);
    logfiles_free(&r->files);
    r->files = *set;
    free(r->sum_ends); /* learnt for the old listing */
    r->sum_ends = NULL;
    r->f = f;
    r->end = end;
    r->idx = i;
    r->off = 0;
    r->blen = r->bpos = 0;
    r->cur_mono = -1;
    r->at_eof = 0;
    r->id_state = 0;
}

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
        switch_to(r, &set, i, f, end);
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
        switch_to(r, &set, i, f, end);
        r->seen_rotations = r->rotations ? *r->rotations : 0;
        rc = entered(r);
        return rc == 0 ? 1 : rc;
    }
    logfiles_free(&set);
    return rc;
}

/* Time bounds: rotated files known to hold nothing within them are passed
 * over unopened, as if read (the position moves to their last entry). Only
 * where no gap can hide: each begins right after the position. */
static void pass_over_rotated(struct logreader *r)
{
    const struct logtimes *t;

    while (r->idx + 1 < r->files.n && (t = rotated_times(r, r->idx + 1)) != NULL && t->last_seq &&
           times_outside(&r->filter, t) &&
           (!r->anchored || r->files.v[r->idx + 1].first_seq == r->last_seq + 1)) {
        r->idx++;
        r->last_seq = t->last_seq;
        r->anchored = 1;
    }
}

/* The same for the file just opened, when what it holds so far is known to
 * be outside the bounds: reading goes on at its end (a follower reads what
 * comes next). */
static void pass_over_read(struct logreader *r)
{
    const struct logfile *lf = &r->files.v[r->idx];
    const struct logtimes *t = r->timed ? file_times(r, r->idx, r->end) : NULL;

    if (t == NULL || !t->last_seq || !times_outside(&r->filter, t) || r->off != 0)
        return;
    if (r->anchored && lf->first_seq != r->last_seq + 1)
        return; /* the gap check needs its first line */
    r->off = r->end;
    r->blen = r->bpos = 0;
    r->last_seq = t->last_seq;
    r->anchored = 1;
    r->stale = 0;
    r->crossed = 0;
}

/* At the end of the current file: the next file, new lines, or a rotation.
 * Returns 1 when there is more to read, 0 when not (yet), LOGREAD_GAP, or an
 * error. */
static int advance(struct logreader *r)
{
    int rc;

    if (r->idx + 1 < r->files.n) {
        rc = settle(r);
        if (rc == 0) {
            pass_over_rotated(r);
            rc = open_from(r, r->idx + 1);
            if (rc == ERR_NOENT)
                return 0; /* the current file is not begun again yet: nothing more for now */
        }
        if (rc == 0)
            rc = entered(r);
        if (rc == 0)
            pass_over_read(r);
        return rc == 0 ? 1 : rc;
    }
    if (!r->follow)
        return 0;
    rc = r->rotations ? read_on(r) : refresh_end(r);
    if (rc < 0)
        return rc;
    if (r->off < r->end || r->bpos < r->blen)
        return 1;
    return follow_rotation(r);
}

/* Looks at the line just read. Returns 1 with a matching entry, 0 to go on,
 * LOGREAD_GAP (the line comes back next time), or an error. */
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
        fs_file *was = r->f; /* every move opens the new file before closing this one */
        rc = check_gap(r, e->seq);
        /* The gap is told before this line, which comes back next time,
         * unless reading moved to a file the listing had missed (then the
         * gap, if any, lies before that file, and this line in its turn). */
        if (rc == LOGREAD_GAP && r->f == was)
            r->replay = 1;
        if (rc != 0)
            return rc == 1 ? 0 : rc; /* moved: this line comes in its turn */
    }
    r->last_seq = e->seq;
    r->anchored = 1;
    r->stale = 0;
    if (r->filter.until_us && e->time_us > r->filter.until_us && !r->follow && reading_mono(r)) {
        /* The rest of this file is later still: on to the next file. */
        r->off = r->end;
        r->blen = r->bpos = 0;
        r->stale = 1;
        return 0;
    }
    return logfilter_match(&r->filter, e);
}

int logreader_next(struct logreader *r, struct log_entry *e)
{
    int rc;

    if (r->summarizing || r->locating) {
        rc = prepare(r);
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
        if (rc != 0)
            return rc;
    }
}

void logreader_close(struct logreader *r)
{
    fs_close(r->f);
    fs_close(r->sum_f);
    free(r->sum_buf);
    free(r->sum_ends);
    r->sum_f = NULL;
    r->sum_buf = NULL;
    r->sum_ends = NULL;
    free(r->buf);
    sbuf_free(&r->line);
    sbuf_free(&r->msg);
    logfiles_free(&r->files);
    r->f = NULL;
    r->buf = NULL;
}
