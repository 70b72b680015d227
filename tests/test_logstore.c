#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "clock.h"
#include "logscan.h"
#include "logstore.h"
#include "logtest.h"
#include "tmpdir.h"

static char dir[256];

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(logstore, .init = setup, .fini = teardown);

static void append(struct logstore *ls, const char *msg)
{
    cr_assert_eq(logtest_append(ls, msg, 0, 0), 0);
}

/* Reads the last `tail` messages into one "a,b,c" string. */
static void read_tail(const char *path, uint64_t tail, char *out, size_t n, uint64_t *first_seq)
{
    struct logreader r;
    struct log_entry e;
    size_t off = 0;
    int rc;

    out[0] = '\0';
    cr_assert_eq(logreader_open_tail(&r, path, tail), 0);
    *first_seq = 0;
    while ((rc = logreader_next(&r, &e)) == 1) {
        if (*first_seq == 0)
            *first_seq = e.seq;
        off +=
            (size_t)snprintf(out + off, n - off, "%s%.*s", off ? "," : "", (int)e.msg_len, e.msg);
    }
    cr_assert_eq(rc, 0);
    logreader_close(&r);
}

/* Writes raw bytes at the end of the log, as a crash might leave them. */
static void damage(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "ab");
    fwrite(bytes, 1, n, f);
    fclose(f);
}

Test(logstore, sequence_continues_across_reopen)
{
    struct logstore ls;
    char got[256];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 0);
    append(&ls, "a");
    append(&ls, "b");
    logstore_close(&ls);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 2);
    append(&ls, "c");
    cr_assert_eq(ls.last_seq, 3);
    logstore_close(&ls);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "a,b,c");
    cr_assert_eq(first, 1);
}

Test(logstore, tail_returns_the_last_n_in_order)
{
    struct logstore ls;
    char got[256], m[16];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 1; i <= 50; i++) {
        snprintf(m, sizeof(m), "%d", i);
        append(&ls, m);
    }
    read_tail(ls.path, 3, got, sizeof(got), &first);
    cr_assert_str_eq(got, "48,49,50");
    cr_assert_eq(first, 48);
    read_tail(ls.path, 0, got, sizeof(got), &first);
    cr_assert_str_eq(got, "");
    read_tail(ls.path, 1000, got, sizeof(got), &first);
    cr_assert_eq(first, 1);
    logstore_close(&ls);
}

Test(logstore, tail_crosses_read_blocks)
{
    struct logstore ls;
    char msg[3000], got[64];
    struct logreader r;
    struct log_entry e;
    int count = 0;

    memset(msg, 'x', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < 100; i++) /* ~300 KiB: several 64 KiB blocks */
        append(&ls, msg);
    cr_assert_eq(logreader_open_tail(&r, ls.path, 60), 0);
    while (logreader_next(&r, &e) == 1) {
        cr_assert_eq(e.msg_len, sizeof(msg) - 1);
        cr_assert_eq(e.seq, (uint64_t)(41 + count));
        count++;
    }
    cr_assert_eq(count, 60);
    logreader_close(&r);
    (void)got;
    logstore_close(&ls);
}

/* The size of dir/name, or -1 when it is missing. */
static long file_size(const char *name)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* A crash mid-write leaves half a line. Recovery never cuts it (a shipper
 * may have read it): it ends it with a newline, the next entry rotates, and
 * the torn bytes stay, unread, in the rotated file. */
Test(logstore, a_torn_tail_is_ended_not_cut_and_the_next_entry_begins_a_new_file)
{
    struct logstore ls;
    char got[256];
    uint64_t first;
    const char torn[] = "{\"seq\":3,\"time\":\"2026-11-";
    size_t len;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    append(&ls, "b");
    logstore_close(&ls);
    damage(ls.path, torn, sizeof(torn) - 1);
    long before = file_size("svcd.log");
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, sizeof(torn) - 1);
    cr_assert_eq(ls.last_seq, 2);
    cr_assert_eq(file_size("svcd.log"), before + 1, "ended with a newline, nothing cut");
    append(&ls, "c");
    cr_assert_eq(ls.last_seq, 3, "the sequence continues after the last entry that parses");
    cr_assert_eq(ls.rotations, 1, "the entry after a recovery begins a new file");
    logstore_close(&ls);
    char *old = tmpdir_read(dir, "svcd.log.000000000001", &len);
    cr_assert_not_null(old);
    cr_assert_eq((long)len, before + 1);
    cr_assert_arr_eq(old + len - sizeof(torn), torn, sizeof(torn) - 1, "the torn bytes are kept");
    cr_assert_eq(old[len - 1], '\n');
    free(old);
    char *cur = tmpdir_read(dir, "svcd.log", &len);
    cr_assert(strncmp(cur, "{\"seq\":3,", 9) == 0, "%s", cur);
    free(cur);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "a,b,c", "readers skip the torn line");
}

Test(logstore, garbage_lines_are_skipped_by_readers)
{
    struct logstore ls;
    char got[256];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    logstore_close(&ls);
    damage(ls.path, "not json at all\n", 16);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 1, "the sequence comes from the last good entry");
    append(&ls, "b");
    logstore_close(&ls);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "a,b");
}

Test(logstore, missing_log_reads_as_not_found)
{
    struct logreader r;
    char path[512];

    snprintf(path, sizeof(path), "%s/none.log", dir);
    cr_assert_eq(logreader_open_tail(&r, path, 5), ERR_NOENT);
}

Test(logstore, unwritable_directory_is_an_error_not_a_crash)
{
    struct logstore ls;
    char path[512];

    snprintf(path, sizeof(path), "%s/file", dir);
    cr_assert_eq(tmpdir_write(dir, "file", "x", 1), 0);
    cr_assert_lt(logstore_open(&ls, path, 0), 0);
}

static void append_level(struct logstore *ls, enum log_level level, const char *msg)
{
    struct log_entry e;
    memset(&e, 0, sizeof(e));
    e.level = level;
    strcpy(e.source, "worker");
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    cr_assert_eq(logstore_append(ls, &e, 0, 0), 0);
}

static void read_filtered(const char *path, const struct logfilter *f, uint64_t tail, char *out,
                          size_t n)
{
    struct logreader r;
    struct log_entry e;
    size_t off = 0;

    out[0] = '\0';
    cr_assert_eq(logreader_open(&r, path, f, tail, 0, NULL), 0);
    while (logreader_next(&r, &e) == 1)
        off +=
            (size_t)snprintf(out + off, n - off, "%s%.*s", off ? "," : "", (int)e.msg_len, e.msg);
    logreader_close(&r);
}

Test(logstore, level_and_grep_filters_apply_before_the_tail_count)
{
    struct logstore ls;
    struct logfilter f;
    char got[256];

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append_level(&ls, LOG_INFO, "beat 1");
    append_level(&ls, LOG_WARNING, "Disk FULL");
    append_level(&ls, LOG_INFO, "beat 2");
    append_level(&ls, LOG_ERROR, "disk gone");
    append_level(&ls, LOG_INFO, "beat 3");
    memset(&f, 0, sizeof(f));
    f.min_level = LOG_WARNING;
    read_filtered(ls.path, &f, 10, got, sizeof(got));
    cr_assert_str_eq(got, "Disk FULL,disk gone");
    read_filtered(ls.path, &f, 1, got, sizeof(got));
    cr_assert_str_eq(got, "disk gone", "the tail counts matching entries");
    memset(&f, 0, sizeof(f));
    strcpy(f.grep, "disk");
    f.grep_len = 4;
    read_filtered(ls.path, &f, 10, got, sizeof(got));
    cr_assert_str_eq(got, "disk gone");
    f.ignore_case = 1;
    read_filtered(ls.path, &f, 10, got, sizeof(got));
    cr_assert_str_eq(got, "Disk FULL,disk gone");
    logstore_close(&ls);
}

Test(logstore, since_and_until_bound_by_time)
{
    struct logstore ls;
    struct logfilter f;
    char got[256];
    int64_t t[4];

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < 4; i++) {
        char m[8];
        snprintf(m, sizeof(m), "e%d", i);
        append_level(&ls, LOG_INFO, m);
        t[i] = ls.last_time_us;
        usleep(2000);
    }
    memset(&f, 0, sizeof(f));
    f.since_us = t[1];
    read_filtered(ls.path, &f, UINT32_MAX, got, sizeof(got));
    cr_assert_str_eq(got, "e1,e2,e3");
    f.until_us = t[2];
    read_filtered(ls.path, &f, UINT32_MAX, got, sizeof(got));
    cr_assert_str_eq(got, "e1,e2");
    f.since_us = 0;
    read_filtered(ls.path, &f, 1, got, sizeof(got));
    cr_assert_str_eq(got, "e2", "the last entry up to until");
    logstore_close(&ls);
}

Test(logstore, backward_scan_handles_lines_across_blocks)
{
    struct logstore ls;
    struct logfilter f;
    char big[5000], got[64];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append_level(&ls, LOG_ERROR, "first");
    for (int i = 0; i < 40; i++) /* 200 KB of lines that straddle 64 KiB blocks */
        append_level(&ls, LOG_INFO, big);
    memset(&f, 0, sizeof(f));
    f.min_level = LOG_ERROR;
    read_filtered(ls.path, &f, 5, got, sizeof(got));
    cr_assert_str_eq(got, "first");
    logstore_close(&ls);
}

Test(logstore, a_following_reader_sees_later_entries)
{
    struct logstore ls;
    struct logreader r;
    struct log_entry e;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append_level(&ls, LOG_INFO, "old");
    cr_assert_eq(logreader_open(&r, ls.path, NULL, 1, 1, NULL), 0);
    cr_assert_eq(logreader_next(&r, &e), 1);
    cr_assert_eq(logreader_next(&r, &e), 0, "nothing new yet");
    append_level(&ls, LOG_INFO, "new");
    cr_assert_eq(logreader_next(&r, &e), 1);
    cr_assert_eq(e.msg_len, 3);
    cr_assert_arr_eq(e.msg, "new", 3);
    cr_assert_eq(e.seq, 2, "no gap, no duplicate");
    cr_assert_eq(logreader_next(&r, &e), 0);
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logstore, a_nul_run_from_a_power_loss_is_skipped_not_cut)
{
    struct logstore ls;
    char zeros[4096] = {0}, got[64];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    logstore_close(&ls);
    damage(ls.path, zeros, sizeof(zeros));
    long before = file_size("svcd.log");
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, sizeof(zeros));
    cr_assert_eq(file_size("svcd.log"), before + 1, "the NUL run stays, ended with a newline");
    cr_assert_eq(ls.last_seq, 1);
    append(&ls, "b");
    logstore_close(&ls);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "a,b");
}

Test(logstore, garbage_lines_at_the_end_are_skipped_not_cut)
{
    struct logstore ls;
    const char junk[] = "\0\0\0{\"seq\":9\nnot json\n\x01\x02garbage\n";

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    append(&ls, "b");
    logstore_close(&ls);
    damage(ls.path, junk, sizeof(junk) - 1);
    long before = file_size("svcd.log");
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, sizeof(junk) - 1);
    cr_assert_eq(ls.last_seq, 2);
    cr_assert_str_eq(ls.moved_to, "");
    cr_assert_eq(file_size("svcd.log"), before, "it ends with a newline already: untouched");
    append(&ls, "c");
    cr_assert_eq(ls.last_seq, 3);
    cr_assert_eq(file_size("svcd.log.000000000001"), before);
    logstore_close(&ls);
}

Test(logstore, a_complete_entry_missing_its_newline_is_kept)
{
    struct logstore ls;
    char got[64];
    uint64_t first;
    const char line[] = "{\"seq\":1,\"time\":\"2026-11-24T13:12:12.000000Z\",\"level\":\"info\","
                        "\"source\":\"worker\",\"msg\":\"whole\"}";

    tmpdir_write(dir, "svcd.log", line, sizeof(line) - 1);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, 0);
    cr_assert_eq(ls.last_seq, 1);
    append(&ls, "next");
    logstore_close(&ls);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "whole,next");
}

Test(logstore, an_empty_file_starts_at_one)
{
    struct logstore ls;

    tmpdir_write(dir, "svcd.log", "", 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 0);
    append(&ls, "first");
    cr_assert_eq(ls.last_seq, 1);
    logstore_close(&ls);
}

Test(logstore, a_file_of_garbage_is_kept_aside_not_deleted)
{
    struct logstore ls;
    const char junk[] = "this is not a log\nat all\n\xff\xfe";
    size_t len;

    tmpdir_write(dir, "svcd.log", junk, sizeof(junk) - 1);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_neq(ls.moved_to[0], '\0');
    cr_assert_eq(ls.size, 0);
    char *kept = tmpdir_read(dir, strrchr(ls.moved_to, '/') + 1, &len);
    cr_assert_not_null(kept);
    cr_assert_eq(len, sizeof(junk) - 1, "the old bytes are all still there");
    free(kept);
    append(&ls, "fresh");
    cr_assert_eq(ls.last_seq, 1);
    logstore_close(&ls);
}

/* How many rotated files (svcd.log.<n>) the directory holds. */
static int rotated_count(void)
{
    struct logfiles set;
    char path[512];
    int n;

    snprintf(path, sizeof(path), "%s/svcd.log", dir);
    cr_assert_eq(logfiles_load(path, &set), 0);
    n = (int)set.n - 1;
    logfiles_free(&set);
    return n;
}

static void fill(struct logstore *ls, int from, int to)
{
    char m[64];
    for (int i = from; i <= to; i++) {
        snprintf(m, sizeof(m), "entry %04d padding padding padding padding", i);
        append(ls, m);
    }
}

/* Reads everything a reader returns, slice after slice as the query loop
 * does; checks consecutive seqs; returns count and the first seq. */
static int read_all(struct logreader *r, uint64_t *first)
{
    struct log_entry e;
    uint64_t prev = 0;
    int n = 0, rc;

    while ((rc = logreader_next(r, &e)) == 1 || rc == LOGREAD_MORE) {
        if (rc == LOGREAD_MORE) {
            r->scanned = 0;
            continue;
        }
        if (prev)
            cr_assert_eq(e.seq, prev + 1, "no gap or duplicate after #%llu",
                         (unsigned long long)prev);
        else
            *first = e.seq;
        prev = e.seq;
        n++;
    }
    cr_assert_eq(rc, 0);
    return n;
}

Test(logstore, rotates_by_size_and_keeps_the_newest_files)
{
    struct logstore ls;
    struct logreader r;
    uint64_t first = 0;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 3, 0);
    fill(&ls, 1, 500); /* ~150 bytes each: ~18 files' worth */
    cr_assert_gt(ls.rotations, 10);
    cr_assert_eq(rotated_count(), 3, "only the newest 3 rotated files are kept");
    cr_assert_leq(ls.size, 4096);
    cr_assert_eq(logreader_open(&r, ls.path, NULL, 50, 0, NULL), 0);
    cr_assert_eq(read_all(&r, &first), 50, "a tail crosses rotated files");
    cr_assert_eq(first, 451);
    logreader_close(&r);
    cr_assert_eq(logreader_open(&r, ls.path, NULL, UINT32_MAX, 0, NULL), 0);
    int kept = read_all(&r, &first);
    cr_assert_eq(first + (uint64_t)kept - 1, 500, "everything kept, oldest first, to the end");
    cr_assert_gt(kept, 3 * 4096 / 200);
    logreader_close(&r);
    logstore_close(&ls);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 500, "the sequence continues after a restart");
    logstore_close(&ls);
}

Test(logstore, a_follower_crosses_rotations_without_gap_or_duplicate)
{
    struct logstore ls;
    struct logreader r;
    struct log_entry e;
    uint64_t prev;
    int got = 0;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 20, 0);
    fill(&ls, 1, 10);
    cr_assert_eq(logreader_open(&r, ls.path, NULL, 1, 1, &ls.rotations), 0);
    cr_assert_eq(logreader_next(&r, &e), 1);
    prev = e.seq;
    cr_assert_eq(prev, 10);
    for (int round = 0; round < 5; round++) {
        fill(&ls, 11 + round * 40, 50 + round * 40); /* each round rotates */
        while (logreader_next(&r, &e) == 1) {
            cr_assert_eq(e.seq, prev + 1, "round %d", round);
            prev = e.seq;
            got++;
        }
    }
    cr_assert_eq(got, 200);
    cr_assert_gt(ls.rotations, 4);
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logstore, old_rotated_files_expire_by_age)
{
    struct logstore ls;
    struct logfiles set;
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}}; /* 2001 */

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 86400ULL * 1000000);
    fill(&ls, 1, 100);
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    cr_assert_geq(set.n, 3);
    cr_assert_eq(utimensat(AT_FDCWD, set.v[0].path, old, 0), 0);
    char expired[PATHS_MAX];
    snprintf(expired, sizeof(expired), "%s", set.v[0].path);
    logfiles_free(&set);
    fill(&ls, 101, 200); /* the next rotation prunes */
    cr_assert_neq(access(expired, F_OK), 0, "%s is older than a day: removed", expired);
    cr_assert_geq(rotated_count(), 2, "recent ones stay");
    logstore_close(&ls);
}

Test(logstore, a_time_range_reads_across_files)
{
    struct logstore ls;
    struct logfilter f;
    struct logreader r;
    uint64_t first = 0;
    int64_t t100;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    fill(&ls, 1, 99);
    usleep(2000);
    fill(&ls, 100, 100);
    t100 = ls.last_time_us;
    usleep(2000);
    fill(&ls, 101, 200);
    memset(&f, 0, sizeof(f));
    f.since_us = t100;
    cr_assert_eq(logreader_open(&r, ls.path, &f, UINT32_MAX, 0, NULL), 0);
    cr_assert_eq(read_all(&r, &first), 101);
    cr_assert_eq(first, 100);
    logreader_close(&r);
    f.since_us = 0;
    f.until_us = t100;
    cr_assert_eq(logreader_open(&r, ls.path, &f, 5, 0, NULL), 0);
    cr_assert_eq(read_all(&r, &first), 5);
    cr_assert_eq(first, 96, "the last 5 up to #100, found in an older file");
    logreader_close(&r);
    logstore_close(&ls);
}

/* logreader_next as the query loop drives it: each LOGREAD_MORE starts a
 * fresh slice and is counted in *slices. Returns 1 with an entry, or 0. */
static int next_sliced(struct logreader *r, struct log_entry *e, int *slices)
{
    int rc;

    while ((rc = logreader_next(r, e)) == LOGREAD_MORE) {
        r->scanned = 0;
        (*slices)++;
    }
    cr_assert_geq(rc, 0);
    return rc;
}

Test(logstore, a_long_scan_yields_in_slices_and_loses_no_line)
{
    struct logstore ls;
    struct logreader r;
    struct logfilter f;
    struct log_entry e;
    int matches = 0, slices = 0;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 1; i <= 2 * LOGREAD_SLICE; i++)
        append(&ls, i % LOGREAD_SLICE == 0 ? "needle at a slice edge" : "hay");
    memset(&f, 0, sizeof(f));
    strcpy(f.grep, "needle");
    f.grep_len = 6;
    cr_assert_eq(logreader_open(&r, ls.path, &f, UINT32_MAX, 0, NULL), 0);
    while (next_sliced(&r, &e, &slices))
        matches++;
    cr_assert_eq(matches, 2, "the lines at slice edges are found");
    cr_assert_geq(slices, 1, "the scan yielded");
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logstore, a_backward_search_for_a_rare_match_yields_too)
{
    struct logstore ls;
    struct logreader r;
    struct logfilter f;
    struct log_entry e;
    int slices = 0;
    char found[64] = "";

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "the only needle, far back");
    for (int i = 0; i < 3 * LOGREAD_SLICE; i++)
        append(&ls, "hay");
    memset(&f, 0, sizeof(f));
    strcpy(f.grep, "needle");
    f.grep_len = 6;
    /* `logs --tail 1 --grep needle`: the search runs backwards over
     * 150 000 lines before it finds anything. */
    cr_assert_eq(logreader_open(&r, ls.path, &f, 1, 0, NULL), 0);
    while (next_sliced(&r, &e, &slices)) {
        cr_assert_str_empty(found, "one match only");
        snprintf(found, sizeof(found), "%.*s", (int)e.msg_len, e.msg);
    }
    cr_assert_str_eq(found, "the only needle, far back");
    cr_assert_geq(slices, 2, "the backward search yielded between slices (%d)", slices);
    logreader_close(&r);
    logstore_close(&ls);
}

/* Issue 13's status-during-scans target: a request that arrives during a
 * scan waits one slice, so a slice looks at a few thousand lines, not the
 * 10 000 it did (a status p99 twice and more the idle one). */
Test(logstore, a_slice_of_a_search_looks_at_no_more_than_2500_lines)
{
    struct logstore ls;
    struct logreader r;
    struct logfilter f;
    struct log_entry e;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < 8000; i++)
        append(&ls, "hay");
    memset(&f, 0, sizeof(f));
    strcpy(f.grep, "needle");
    f.grep_len = 6;
    cr_assert_eq(logreader_open(&r, ls.path, &f, UINT32_MAX, 0, NULL), 0);
    r.scanned = 0;
    cr_assert_eq(logreader_next(&r, &e), LOGREAD_MORE, "8000 lines are more than a slice");
    cr_assert_leq(r.looked, 2500, "one slice looked at %llu lines", (unsigned long long)r.looked);
    logreader_close(&r);
    logstore_close(&ls);
}

/* The same for a huge unfiltered tail, which counts newlines back: its
 * first slice (taken when it opens) counts back through half a MiB, not 2. */
Test(logstore, a_slice_of_counting_back_reads_no_more_than_half_a_mib)
{
    struct logstore ls;
    struct logreader r;
    char msg[200];

    memset(msg, 'x', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < 12000; i++) /* some 3 MiB */
        append(&ls, msg);
    cr_assert_eq(logreader_open(&r, ls.path, NULL, UINT32_MAX - 1, 0, NULL), 0);
    cr_assert(r.locating, "still counting back after the first slice");
    cr_assert_gt(r.loc_end, 0);
    cr_assert_leq(r.end - r.loc_end, 512u * 1024u + LOGSCAN_BLOCK,
                  "the first slice counted back %llu bytes",
                  (unsigned long long)(r.end - r.loc_end));
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logstore, a_file_removed_under_a_reader_is_stepped_over_and_reported)
{
    struct logstore ls;
    struct logreader r;
    struct logfiles set;
    struct log_entry e;
    uint64_t prev = 0, gone_first, gone_next;
    int n = 0, gaps = 0, rc;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    fill(&ls, 1, 150);
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    cr_assert_geq(set.n, 4);
    gone_first = set.v[1].first_seq;
    gone_next = set.v[2].first_seq;
    cr_assert_eq(logreader_open(&r, ls.path, NULL, UINT32_MAX, 0, NULL), 0);
    /* Retention removes the second file after the reader listed the files. */
    cr_assert_eq(unlink(set.v[1].path), 0);
    while ((rc = logreader_next(&r, &e)) == 1 || rc == LOGREAD_GAP) {
        if (rc == LOGREAD_GAP) {
            gaps++;
            cr_assert_eq(prev, gone_first - 1, "the gap comes right after the last entry read");
            cr_assert_eq(r.gap_missed, gone_next - gone_first,
                         "exactly the removed file's entries");
            cr_assert_eq(r.gap_resume, gone_next);
            continue;
        }
        cr_assert(prev == 0 || e.seq == prev + 1 || (gaps == 1 && e.seq == gone_next),
                  "#%llu after #%llu", (unsigned long long)e.seq, (unsigned long long)prev);
        prev = e.seq;
        n++;
    }
    cr_assert_eq(rc, 0);
    cr_assert_eq(gaps, 1, "one gap, said once");
    cr_assert_eq((uint64_t)n, 150 - (gone_next - gone_first));
    cr_assert_eq(e.seq, 150, "the reader went on to the end");
    logfiles_free(&set);
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logstore, a_slow_slice_ends_on_time_not_only_on_lines)
{
    struct logstore ls;
    struct logreader r;
    struct logfilter f;
    struct log_entry e;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < 2000; i++)
        append(&ls, "hay");
    memset(&f, 0, sizeof(f));
    strcpy(f.grep, "needle");
    f.grep_len = 6;
    cr_assert_eq(logreader_open(&r, ls.path, &f, UINT32_MAX, 0, NULL), 0);
    /* A slice that began long ago (a cold cache, say): fewer lines than
     * LOGREAD_SLICE, yet it must end at the next time check
     * (LOGREAD_CLOCK_LINES). */
    r.scanned = 1;
    r.slice_start_us = clock_mono_us() - 1000000;
    cr_assert_eq(logreader_next(&r, &e), LOGREAD_MORE, "2000 lines is under the line budget");
    /* Fresh slices read on to the end (under a sanitizer one may run out of
     * time too: each must still make progress). */
    int rc, slices = 1;
    do {
        uint64_t before = r.looked;
        r.scanned = 0;
        r.slice_start_us = clock_mono_us();
        rc = logreader_next(&r, &e);
        cr_assert(rc == 0 || (rc == LOGREAD_MORE && r.looked > before), "slice %d: rc %d", slices,
                  rc);
    } while (rc == LOGREAD_MORE && ++slices < 1000);
    cr_assert_eq(rc, 0, "fresh slices read on to the end");
    logreader_close(&r);
    logstore_close(&ls);
}

/* Counting back in pieces of any size ends where one pass ends: each pause is
 * at a line start, and no line is counted twice or missed. */
Test(logstore, counting_back_in_pieces_agrees_with_one_pass)
{
    const uint64_t ns[] = {1, 2, 999, 1000, 1001, 2500, 4000, 5000};
    char path[512], line[80];
    fs_file *f;
    uint64_t end;

    snprintf(path, sizeof(path), "%s/lines", dir);
    FILE *w = fopen(path, "w");
    cr_assert_not_null(w);
    for (int i = 0; i < 4000; i++) /* 4000 lines of 11 to 61 bytes, 150 KiB in all */
        fprintf(w, "%.*s}\n", 9 + i % 51, "line line line line line line line line line line line");
    fclose(w);
    cr_assert_eq(fs_open_read(path, &f), 0);
    cr_assert_eq(fs_size(f, &end), 0);
    for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
        uint64_t off1, found1, off = 0, found, at = end, want = ns[k], pauses = 0;
        int rc;

        cr_assert_eq(logscan_tail_offset(f, end, ns[k], UINT64_MAX, &off1, &found1), 0);
        while ((rc = logscan_tail_offset(f, at, want, 1, &off, &found)) == 1) {
            cr_assert_lt(off, at, "a pause moves on");
            size_t got;
            cr_assert_eq(fs_read_at(f, line, 1, off - 1, &got), 0);
            cr_assert_eq(line[0], '\n', "a pause is at a line start");
            want -= found;
            at = off;
            pauses++;
        }
        cr_assert_eq(rc, 0);
        cr_assert_eq(off, off1, "n=%llu", (unsigned long long)ns[k]);
        cr_assert_eq(found + (ns[k] - want), found1, "n=%llu", (unsigned long long)ns[k]);
        if (ns[k] > 2000)
            cr_assert_geq(pauses, 1, "a 64 KiB block already spends a 1-byte budget");
    }
    uint64_t off, found;
    cr_assert_eq(logscan_tail_offset(f, end, 5000, 1, &off, &found), 1, "pauses on the way");
    cr_assert_eq(logscan_tail_offset(f, end, 5000, UINT64_MAX, &off, &found), 0);
    cr_assert_eq(found, 4000, "fewer than asked: all of them");
    cr_assert_eq(off, 0);
    fs_close(f);
}

/* What a crash leaves and recovery keeps (a torn fragment ended with a
 * newline, a NUL run) is not counted as an entry of the tail. */
Test(logstore, counting_back_passes_over_lines_that_are_not_entries)
{
    static const char text[] = "{\"a\"}\n{\"torn\":\"x\n\0\0\0\n\n{\"b\"}\n";
    char path[512];
    uint64_t off, found;
    fs_file *f;

    snprintf(path, sizeof(path), "%s/lines", dir);
    cr_assert_eq(tmpdir_write(dir, "lines", text, sizeof(text) - 1), 0);
    cr_assert_eq(fs_open_read(path, &f), 0);
    cr_assert_eq(logscan_tail_offset(f, sizeof(text) - 1, 2, UINT64_MAX, &off, &found), 0);
    cr_assert_eq(found, 2);
    cr_assert_eq(off, 0, "the two entries are the first and the last line");
    cr_assert_eq(logscan_tail_offset(f, sizeof(text) - 1, 3, UINT64_MAX, &off, &found), 0);
    cr_assert_eq(found, 2, "three asked, two there");
    fs_close(f);
}

/* `logs --tail N` with a huge N over a big history: the newline count yields
 * between slices, and what comes back is exactly the last N, in order. */
Test(logstore, a_huge_unfiltered_tail_counts_back_in_slices)
{
    struct logstore ls;
    struct logreader r;
    struct log_entry e;
    char m[160], pad[101];
    int slices = 0;
    uint64_t n = 0, next = 20001;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    /* 100 000 entries of about 190 bytes: 19 MB, over two slices' bytes. */
    memset(pad, 'x', 100);
    pad[100] = '\0';
    for (int i = 1; i <= 100000; i++) {
        snprintf(m, sizeof(m), "entry %06d %s", i, pad);
        append(&ls, m);
    }
    /* 80 000 lines back is some 15 MB: more than one slice may count. */
    cr_assert_eq(logreader_open(&r, ls.path, NULL, 80000, 0, NULL), 0);
    cr_assert(r.locating, "the first slice paused before it found the start");
    /* A slice that began long ago (a cold cache) ends after one chunk, on
     * time, though the rest (some 7 MB) is under a slice's bytes. */
    r.scanned = 1;
    r.slice_start_us = clock_mono_us() - 1000000;
    cr_assert_eq(logreader_next(&r, &e), LOGREAD_MORE);
    cr_assert(r.locating, "still counting back");
    r.scanned = 0;
    while (next_sliced(&r, &e, &slices)) {
        cr_assert_eq(e.seq, next, "entries in order, none lost or repeated");
        next++;
        n++;
    }
    cr_assert_eq(n, 80000);
    logreader_close(&r);
    logstore_close(&ls);
}

/* Appends one entry at monotonic time `now` (the rotation retry clock). */
static void append_at(struct logstore *ls, int i, uint64_t now)
{
    char m[64];

    snprintf(m, sizeof(m), "entry %04d padding padding padding padding", i);
    cr_assert_eq(logtest_append(ls, m, 0, now), 0, "a blocked rotation never fails an append");
}

/* The rename of a rotation fails (here: a directory squats on the rotated
 * name, as a reader without FILE_SHARE_DELETE blocks it on Windows): the log
 * keeps every entry in the current file, says why, retries at most once per
 * LOGSTORE_ROTATE_RETRY_US, and rotates as soon as the rename works. */
Test(logstore, a_blocked_rotation_is_reported_retried_and_loses_nothing)
{
    struct logstore ls;
    struct logreader r;
    char squat[512], inside[600];
    uint64_t first = 0, ms = 1000;
    int64_t since;
    int i = 1;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 5, 0);
    snprintf(squat, sizeof(squat), "%s/svcd.log.000000000001", dir);
    cr_assert_eq(mkdir(squat, 0700), 0);
    snprintf(inside, sizeof(inside), "%s/x", squat);
    close(open(inside, O_CREAT | O_WRONLY, 0600));
    for (; i <= 100; i++) /* 100 ms of entries, ~15 KB: well past rotate_size */
        append_at(&ls, i, (uint64_t)i * ms);
    cr_assert_neq(ls.rotate_blocked, 0);
    cr_assert_eq(ls.rotations, 0);
    cr_assert_gt(ls.size, 3 * 4096, "the file grows on rather than losing entries");
    cr_assert_eq(ls.rotate_errors, 1, "one attempt per retry period, not one per entry");
    cr_assert(strstr(ls.rotate_blocked_why, "cannot rename svcd.log to svcd.log.000000000001"),
              "%s", ls.rotate_blocked_why);
    since = ls.rotate_blocked_since_us;
    cr_assert_gt(since, 0);
    append_at(&ls, i++, 100 * ms + LOGSTORE_ROTATE_RETRY_US);
    cr_assert_eq(ls.rotate_errors, 2, "retried once the period passed");
    cr_assert_eq(ls.rotate_blocked_since_us, since, "the same episode");
    cr_assert_eq(remove(inside), 0);
    cr_assert_eq(rmdir(squat), 0);
    append_at(&ls, i++, 100 * ms + LOGSTORE_ROTATE_RETRY_US + 1); /* too soon: no attempt */
    cr_assert_neq(ls.rotate_blocked, 0);
    append_at(&ls, i++, 100 * ms + 2 * LOGSTORE_ROTATE_RETRY_US);
    cr_assert_eq(ls.rotate_blocked, 0, "the rename worked: not blocked any more");
    cr_assert_eq(ls.rotations, 1);
    cr_assert_lt(ls.size, 4096);
    cr_assert_eq(ls.last_seq, 103);
    cr_assert_eq(logreader_open(&r, ls.path, NULL, UINT32_MAX, 0, NULL), 0);
    cr_assert_eq(read_all(&r, &first), 103, "every entry, once, in order, across both files");
    cr_assert_eq(first, 1);
    logreader_close(&r);
    logstore_close(&ls);
}
