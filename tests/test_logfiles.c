/* The list of log files is kept in memory: queries do not list the
 * directory (nor open every rotated file) each time, yet files added,
 * removed or rotated by the store or by hand are seen by the next query. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "logread.h"
#include "logstore.h"
#include "logtest.h"
#include "tmpdir.h"

static char dir[256];

/* Every directory listing svcd's code makes in this process goes through
 * opendir: counted here, then passed to the C library's. */
static int listings;

DIR *opendir(const char *name)
{
    static union {
        void *sym;
        DIR *(*fn)(const char *);
    } real;

    if (real.sym == NULL)
        real.sym = dlsym(RTLD_NEXT, "opendir");
    listings++;
    return real.fn(name);
}

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(logfiles, .init = setup, .fini = teardown);

/* A store of `files` rotated 4 KiB files and a current one. */
static void make_history(struct logstore *ls, int files)
{
    char m[96];

    cr_assert_eq(logstore_open(ls, dir, 0), 0);
    logstore_set_rotation(ls, 4096, 10000, 0);
    for (int i = 1; ls->rotations < (uint64_t)files; i++) {
        snprintf(m, sizeof(m), "entry %05d padding padding padding padding padding", i);
        cr_assert_eq(logtest_append(ls, m, 0, 0), 0);
    }
}

/* As if nobody had touched the directory for an hour: a listing made now
 * can be trusted (LOGFILES_RACY_US). */
static void age_directory(void)
{
    struct timeval tv[2];

    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= 3600;
    tv[1] = tv[0];
    cr_assert_eq(utimes(dir, tv), 0);
}

/* The first and last seq a query over every entry returns, and how many. */
static uint64_t read_all(const char *path, uint64_t *first, uint64_t *last)
{
    struct logreader r;
    struct log_entry e;
    uint64_t n = 0;
    int rc;

    cr_assert_eq(logreader_open(&r, path, NULL, UINT32_MAX, 0, NULL), 0);
    while ((rc = logreader_next(&r, &e)) == 1 || rc == LOGREAD_MORE || rc == LOGREAD_GAP) {
        if (rc == LOGREAD_MORE)
            r.scanned = 0;
        if (rc != 1)
            continue;
        if (n++ == 0)
            *first = e.seq;
        *last = e.seq;
    }
    cr_assert_eq(rc, 0);
    logreader_close(&r);
    return n;
}

/* `logs -n 1` a hundred times over 60 rotated files: the directory is
 * listed once, not once per query (with 10 000 files a listing cost 1.18 s
 * of the loop), and every answer is the newest entry. */
Test(logfiles, queries_list_the_directory_once_not_per_query)
{
    struct logstore ls;

    make_history(&ls, 60);
    age_directory();
    listings = 0;
    for (int i = 0; i < 100; i++) {
        struct logreader r;
        struct log_entry e;
        cr_assert_eq(logreader_open(&r, ls.path, NULL, 1, 0, &ls.rotations), 0);
        cr_assert_eq(logreader_next(&r, &e), 1);
        cr_assert_eq(e.seq, ls.last_seq, "query %d: the newest entry", i);
        cr_assert_eq(logreader_next(&r, &e), 0);
        logreader_close(&r);
    }
    cr_assert_leq(listings, 1, "%d directory listings for 100 queries", listings);
    logstore_close(&ls);
}

/* Kept in memory, the list still follows the directory: a rotation and a
 * prune by the store, a rotated file removed by hand and one put back by
 * hand are each seen by the next query. */
Test(logfiles, files_changed_by_the_store_or_by_hand_are_seen_by_the_next_query)
{
    struct logstore ls;
    struct logfiles set;
    uint64_t first = 0, last = 0, total;
    char oldest[PATHS_MAX], *keep;
    const char *name;
    size_t len;

    make_history(&ls, 20);
    age_directory();
    total = read_all(ls.path, &first, &last);
    cr_assert_eq(first, 1);
    cr_assert_eq(last, ls.last_seq);
    cr_assert_eq(total, ls.last_seq);

    /* The store rotates (and nothing is pruned yet). */
    uint64_t rot = ls.rotations;
    while (ls.rotations == rot)
        cr_assert_eq(logtest_append(&ls, "one more entry padding padding padding", 0, 0), 0);
    cr_assert_eq(logtest_append(&ls, "in the new file", 0, 0), 0);
    age_directory();
    cr_assert_eq(read_all(ls.path, &first, &last), ls.last_seq);
    cr_assert_eq(last, ls.last_seq, "the entries of the new file");

    /* By hand: the oldest rotated file removed, then put back. */
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    snprintf(oldest, sizeof(oldest), "%s", set.v[0].path);
    uint64_t second = set.v[1].first_seq;
    logfiles_free(&set);
    name = strrchr(oldest, '/') + 1;
    keep = tmpdir_read(dir, name, &len);
    cr_assert_not_null(keep);
    cr_assert_eq(unlink(oldest), 0);
    cr_assert_eq(read_all(ls.path, &first, &last), ls.last_seq - second + 1);
    cr_assert_eq(first, second, "the removed file is not read");
    age_directory();
    cr_assert_eq(tmpdir_write(dir, name, keep, len), 0);
    cr_assert_eq(read_all(ls.path, &first, &last), ls.last_seq);
    cr_assert_eq(first, 1, "the file put back is read");
    free(keep);

    /* The store prunes: keep 5. */
    logstore_set_rotation(&ls, 4096, 5, 0);
    age_directory();
    rot = ls.rotations;
    while (ls.rotations == rot)
        cr_assert_eq(logtest_append(&ls, "one more entry padding padding padding", 0, 0), 0);
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    cr_assert_eq(set.n, 6, "5 rotated files and the current one");
    second = set.v[0].first_seq;
    logfiles_free(&set);
    cr_assert_eq(read_all(ls.path, &first, &last), ls.last_seq - second + 1);
    cr_assert_eq(first, second);
    logstore_close(&ls);
}
