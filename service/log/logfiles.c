#include "logfiles.h"
#include "err.h"
#include "clock.h"
#include "fs.h"
#include "logfs.h"
#include "logline.h"
#include "logscan.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first name of the log's form that was not a regular file, for
 * logfiles_skipped_note: 0 none seen, 1 seen and not said yet, 2 said. */
static int skipped_state;
static char skipped_path[PATHS_MAX];

int logfiles_split(const char *path, char *dir, size_t dn, const char **base)
{
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    const char *sep = (back && (!slash || back > slash)) ? back : slash;

    if (sep == NULL) {
        *base = path;
        return sbuf_copy(dir, dn, ".");
    }
    *base = sep + 1;
    if ((size_t)(sep - path) >= dn)
        return ERR_NAMETOOLONG;
    memcpy(dir, path, (size_t)(sep - path));
    dir[sep - path] = '\0';
    return 0;
}

int logfiles_rotated_name(const char *path, uint64_t first_seq, char *buf, size_t n)
{
    return sbuf_fmt(buf, n, "%s.%012llu", path, (unsigned long long)first_seq);
}

/* A listing, shared by the readers holding it and the cache: never changed
 * once made, freed with its last reference. */
struct logfiles_snap {
    size_t refs;
    size_t n;
    struct logfile v[];
};

/* The last listing of one log (the service has one; tests may go from one
 * directory to another): the rotated files, and what says whether the
 * directory still holds exactly them. */
static struct {
    char path[PATHS_MAX];
    struct logfiles_snap *snap; /* NULL: none; holds a reference */
    int64_t dir_mtime_us;       /* the directory's, just before it was listed */
    int64_t listed_us;          /* wall clock then */
    uint64_t changes;           /* store_changes then */
} cache;

static uint64_t store_changes; /* logfiles_changed calls */

static struct logfiles_snap *snap_new(size_t n)
{
    struct logfiles_snap *s = malloc(sizeof(*s) + n * sizeof(s->v[0]));

    if (s) {
        s->refs = 1;
        s->n = 0;
    }
    return s;
}

static void snap_unref(struct logfiles_snap *s)
{
    if (s && --s->refs == 0)
        free(s);
}

struct collect {
    const char *base;
    char dir[PATHS_MAX];
    struct logfile *v;
    size_t n, cap;
    int err;
};

/* Keeps names of the form <base>.<digits> that are regular files: a link
 * (or a FIFO, a directory) under such a name was planted, to serve forged
 * entries or to have retention remove what it points to. */
static void collect_one(void *ctx, const char *name, int plain)
{
    struct collect *c = ctx;
    size_t bl = strlen(c->base);
    const char *num = name + bl + 1;
    struct logfile *f;
    char *end;

    size_t digits = strspn(num, "0123456789");

    /* Only the names rotation gives (logfiles_rotated_name: at least 12
     * digits, a seq svcd can write): a hand copy such as svcd.log.20261201
     * or logrotate's svcd.log.1 is not history to continue or prune. */
    if (digits < 12 || digits > 16 || num[digits] != '\0' || c->err)
        return;
    uint64_t seq = strtoull(num, &end, 10);
    if (seq == 0 || seq > LOG_SEQ_MAX)
        return;
    if (!plain) {
        if (skipped_state == 0 && paths_join(c->dir, name, skipped_path, sizeof(skipped_path)) == 0)
            skipped_state = 1;
        return;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct logfile *v = realloc(c->v, cap * sizeof(*v));
        if (v == NULL) {
            c->err = ERR_NOMEM;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    f = &c->v[c->n];
    memset(f, 0, sizeof(*f));
    if (paths_join(c->dir, name, f->path, sizeof(f->path)) < 0)
        return;
    f->first_seq = seq;
    c->n++;
}

static int by_seq(const void *a, const void *b)
{
    const struct logfile *x = a, *y = b;
    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

/* The rotated file of the old listing with this name, or NULL: both are
 * sorted by seq. */
static const struct logfile *old_file(const struct logfiles_snap *old, const struct logfile *f)
{
    size_t lo = 0, hi = old ? old->n : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct logfile *o = &old->v[mid];
        if (!o->current && o->first_seq == f->first_seq)
            return strcmp(o->path, f->path) == 0 ? o : NULL;
        if (o->current || o->first_seq > f->first_seq)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Lists the rotated files anew into a snapshot with room for the current
 * file. A name the old listing had keeps the first entry read then (a
 * rotated file's name says what it holds): only new names are opened.
 * Returns 0 or an error. */
static int relist(const char *path, const struct logfiles_snap *old, struct logfiles_snap **out)
{
    struct collect c;
    char prefix[PATHS_MAX];
    struct logfiles_snap *s;
    int rc;

    memset(&c, 0, sizeof(c));
    rc = logfiles_split(path, c.dir, sizeof(c.dir), &c.base);
    if (rc == 0)
        rc = sbuf_fmt(prefix, sizeof(prefix), "%s.", c.base);
    if (rc == 0)
        rc = logfs->list(c.dir, prefix, collect_one, &c);
    if (rc == 0)
        rc = c.err;
    s = rc == 0 ? snap_new(c.n + 1) : NULL;
    if (rc == 0 && s == NULL)
        rc = ERR_NOMEM;
    if (rc < 0) {
        free(c.v);
        return rc;
    }
    if (c.n)
        qsort(c.v, c.n, sizeof(c.v[0]), by_seq);
    for (size_t i = 0; i < c.n; i++) {
        const struct logfile *o = old_file(old, &c.v[i]);
        uint64_t seq;
        if (o)
            c.v[i].first_time_us = o->first_time_us;
        else if (logscan_first_entry(c.v[i].path, &seq, &c.v[i].first_time_us) != 1)
            c.v[i].first_time_us = 0;
        s->v[i] = c.v[i];
    }
    s->n = c.n;
    free(c.v);
    *out = s;
    return 0;
}

/* Whether the cached listing of `path` still holds: the store changed
 * nothing since, and the directory's time is the one seen before the
 * listing and was already old enough then to be trusted. */
static int cache_fresh(const char *path, int have_mtime, int64_t mtime)
{
    return cache.snap && strcmp(cache.path, path) == 0 && cache.changes == store_changes &&
           have_mtime && mtime == cache.dir_mtime_us &&
           cache.dir_mtime_us <= cache.listed_us - LOGFILES_RACY_US;
}

/* The cached listing with `cur` as its current file: the same snapshot
 * while the current file begins with the same entry, else a copy. */
static int with_current(const struct logfile *cur)
{
    struct logfiles_snap *s = cache.snap, *copy;
    const struct logfile *had = s->n ? &s->v[s->n - 1] : NULL;
    size_t rotated = had && had->current ? s->n - 1 : s->n;

    if (had && had->current && had->first_seq == cur->first_seq &&
        had->first_time_us == cur->first_time_us)
        return 0;
    if (s->refs == 1) { /* nobody else holds it: made with room for the current file */
        s->v[rotated] = *cur;
        s->n = rotated + 1;
        return 0;
    }
    copy = snap_new(rotated + 1);
    if (copy == NULL)
        return ERR_NOMEM;
    memcpy(copy->v, s->v, rotated * sizeof(s->v[0]));
    copy->v[rotated] = *cur;
    copy->n = rotated + 1;
    snap_unref(s);
    cache.snap = copy;
    return 0;
}

int logfiles_load(const char *path, struct logfiles *set)
{
    char dir[PATHS_MAX];
    const char *base;
    struct logfile cur;
    int64_t now = clock_wall_us(), mtime = 0;
    int have_mtime, rc;

    memset(set, 0, sizeof(*set));
    rc = logfiles_split(path, dir, sizeof(dir), &base);
    if (rc < 0)
        return rc;
    /* Before listing: a change made while it lists moves the time on. */
    have_mtime = logfs->mtime(dir, &mtime) == 0;
    if (!cache_fresh(path, have_mtime, mtime)) {
        struct logfiles_snap *s;
        int same = cache.snap && strcmp(cache.path, path) == 0;
        rc = relist(path, same ? cache.snap : NULL, &s);
        if (rc < 0)
            return rc;
        snap_unref(cache.snap);
        cache.snap = s;
        sbuf_copy(cache.path, sizeof(cache.path), path);
        cache.dir_mtime_us = have_mtime ? mtime : INT64_MAX;
        cache.listed_us = now;
        cache.changes = store_changes;
    }
    memset(&cur, 0, sizeof(cur));
    sbuf_copy(cur.path, sizeof(cur.path), path);
    cur.current = 1;
    if (logscan_first_entry(path, &cur.first_seq, &cur.first_time_us) != 1)
        cur.first_seq = cur.first_time_us = 0;
    rc = with_current(&cur);
    if (rc < 0)
        return rc;
    cache.snap->refs++;
    set->snap = cache.snap;
    set->v = cache.snap->v;
    set->n = cache.snap->n;
    return 0;
}

void logfiles_changed(const char *path)
{
    (void)path; /* one counter for every log: a change is rare */
    store_changes++;
}

void logfiles_free(struct logfiles *set)
{
    snap_unref(set->snap);
    set->snap = NULL;
    set->v = NULL;
    set->n = 0;
}

int logfiles_skipped_note(char *buf, size_t n)
{
    if (skipped_state != 1)
        return 0;
    skipped_state = 2;
    snprintf(buf, n,
             "%s is a symbolic link or not a regular file: readers and retention skip it (svcd "
             "never reads or removes a log file through a link); remove it",
             skipped_path);
    return 1;
}
