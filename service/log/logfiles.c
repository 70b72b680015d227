#include "logfiles.h"
#include "err.h"
#include "fs.h"
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

struct collect {
    const char *path;
    const char *base;
    char dir[PATHS_MAX];
    struct logfiles *set;
    size_t cap;
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
    if (c->set->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct logfile *v = realloc(c->set->v, cap * sizeof(*v));
        if (v == NULL) {
            c->err = ERR_NOMEM;
            return;
        }
        c->set->v = v;
        c->cap = cap;
    }
    f = &c->set->v[c->set->n];
    memset(f, 0, sizeof(*f));
    if (paths_join(c->dir, name, f->path, sizeof(f->path)) < 0)
        return;
    f->first_seq = seq;
    c->set->n++;
}

static int by_seq(const void *a, const void *b)
{
    const struct logfile *x = a, *y = b;
    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

int logfiles_load(const char *path, struct logfiles *set)
{
    struct collect c;
    char prefix[PATHS_MAX];
    int rc;

    memset(set, 0, sizeof(*set));
    memset(&c, 0, sizeof(c));
    c.path = path;
    c.set = set;
    rc = logfiles_split(path, c.dir, sizeof(c.dir), &c.base);
    if (rc == 0)
        rc = sbuf_fmt(prefix, sizeof(prefix), "%s.", c.base);
    if (rc == 0)
        rc = fs_list(c.dir, prefix, collect_one, &c);
    if (rc == 0)
        rc = c.err;
    if (rc == 0) { /* room for the current file */
        struct logfile *v = realloc(set->v, (set->n + 1) * sizeof(*v));
        rc = v ? 0 : ERR_NOMEM;
        if (v)
            set->v = v;
    }
    if (rc < 0) {
        logfiles_free(set);
        return rc;
    }
    qsort(set->v, set->n, sizeof(set->v[0]), by_seq);
    for (size_t i = 0; i < set->n; i++) {
        uint64_t seq;
        if (logscan_first_entry(set->v[i].path, &seq, &set->v[i].first_time_us) != 1)
            set->v[i].first_time_us = 0;
    }
    struct logfile *cur = &set->v[set->n];
    memset(cur, 0, sizeof(*cur));
    sbuf_copy(cur->path, sizeof(cur->path), path);
    cur->current = 1;
    if (logscan_first_entry(path, &cur->first_seq, &cur->first_time_us) != 1)
        cur->first_seq = 0;
    set->n++;
    return 0;
}

void logfiles_free(struct logfiles *set)
{
    free(set->v);
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
