/* The sequence is the store's (issue 12, items 10, 4 and 6): it continues
 * from the rotated files and the high-water mark when the current file says
 * nothing, rotation never renames over a file, a svcd.log deleted, renamed
 * or replaced under the writer is noticed and a new one begun, and rotation
 * waits for rotate_min_age so that a shipper that polls finds every file. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "logfiles.h"
#include "logstore.h"
#include "logtest.h"
#include "tmpdir.h"

#define SEC 1000000ull

static char dir[256], log_path[300];

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(log_path, sizeof(log_path), "%s/svcd.log", dir);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(logseq, .init = setup, .fini = teardown);

/* Appends entry i (~150 bytes) at monotonic time `now`. */
static void put(struct logstore *ls, int i, uint64_t now)
{
    char m[80];

    snprintf(m, sizeof(m), "entry %04d padding padding padding padding padding", i);
    cr_assert_eq(logtest_append(ls, m, 0, now), 0, "entry %d", i);
}

static void put_range(struct logstore *ls, int from, int to, uint64_t now)
{
    for (int i = from; i <= to; i++)
        put(ls, i, now);
}

static int rotated_count(void)
{
    struct logfiles set;
    int n;

    cr_assert_eq(logfiles_load(log_path, &set), 0);
    n = (int)set.n - 1;
    logfiles_free(&set);
    return n;
}

/* The path of the oldest rotated file. */
static void oldest_rotated(char *buf, size_t n)
{
    struct logfiles set;

    cr_assert_eq(logfiles_load(log_path, &set), 0);
    cr_assert_geq(set.n, 2);
    snprintf(buf, n, "%s", set.v[0].path);
    logfiles_free(&set);
}

/* The newest entry a reader returns for `logs -n 1`. */
static uint64_t newest_seq(char *msg, size_t n)
{
    struct logreader r;
    struct log_entry e;
    uint64_t seq = 0;

    cr_assert_eq(logreader_open_tail(&r, log_path, 1), 0);
    while (logreader_next(&r, &e) == 1) {
        seq = e.seq;
        snprintf(msg, n, "%.*s", (int)e.msg_len, e.msg);
    }
    logreader_close(&r);
    return seq;
}

/* Every entry of the store, oldest first: no gap, no duplicate. Returns how
 * many, and the first and last seq. */
static int read_all(uint64_t *first, uint64_t *last)
{
    struct logreader r;
    struct log_entry e;
    int n = 0;

    *first = *last = 0;
    cr_assert_eq(logreader_open(&r, log_path, NULL, UINT32_MAX, 0, NULL), 0);
    while (logreader_next(&r, &e) == 1) {
        if (n)
            cr_assert_eq(e.seq, *last + 1, "no gap or duplicate after #%llu",
                         (unsigned long long)*last);
        else
            *first = e.seq;
        *last = e.seq;
        n++;
    }
    logreader_close(&r);
    return n;
}

static int count_entries(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, "{\"seq\":")) != NULL; p++)
        n++;
    return n;
}

/* Overwrites the current file with NULs, as a power loss can leave it. */
static void nul_fill(size_t n)
{
    char *zeros = calloc(1, n);
    cr_assert_eq(tmpdir_write(dir, "svcd.log", zeros, n), 0);
    free(zeros);
}

static uint64_t seq_file(void)
{
    size_t len;
    char *text = tmpdir_read(dir, LOGSTORE_SEQ_FILE, &len);
    uint64_t v;

    cr_assert_not_null(text, "%s/%s exists", dir, LOGSTORE_SEQ_FILE);
    v = strtoull(text, NULL, 10);
    free(text);
    return v;
}

/* Builds a store of several rotated files and closes it; returns the last
 * seq written. */
static uint64_t rotated_store(void)
{
    struct logstore ls;
    uint64_t last;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    put_range(&ls, 1, 100, 0);
    cr_assert_gt(ls.rotations, 2);
    last = ls.last_seq;
    logstore_close(&ls);
    return last;
}

Test(logseq, a_nul_filled_current_file_continues_after_the_high_water_mark)
{
    struct logstore ls;
    char first_file[PATHS_MAX], msg[128];
    size_t before_len, after_len;
    char *before, *after;

    cr_assert_eq(rotated_store(), 100);
    cr_assert_eq(seq_file(), 100, "close wrote the high-water mark");
    oldest_rotated(first_file, sizeof(first_file));
    cr_assert(strstr(first_file, "svcd.log.000000000001"), "%s", first_file);
    before = tmpdir_read(dir, "svcd.log.000000000001", &before_len);
    nul_fill(3000);

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_neq(ls.moved_to[0], '\0', "the NUL file is kept aside");
    cr_assert_eq(ls.last_seq, 100, "the sequence does not start again at 1");
    logstore_set_rotation(&ls, 4096, 100, 0);
    put_range(&ls, 101, 200, 0); /* rotates again */
    cr_assert_eq(ls.last_seq, 200);
    after = tmpdir_read(dir, "svcd.log.000000000001", &after_len);
    cr_assert_not_null(after, "svcd.log.000000000001 is still there");
    cr_assert_eq(after_len, before_len);
    cr_assert_eq(memcmp(before, after, before_len), 0, "and untouched");
    cr_assert_eq(newest_seq(msg, sizeof(msg)), 200, "logs -n 1 shows the newest entry");
    cr_assert(strstr(msg, "entry 0200"), "%s", msg);
    logstore_close(&ls);
    free(before);
    free(after);
}

/* Without the high-water mark (deleted by hand), the rotated files alone
 * say where the sequence is: the newest one's last entry. */
Test(logseq, without_the_mark_the_newest_rotated_file_gives_the_sequence)
{
    struct logstore ls;
    struct logfiles set;
    uint64_t in_rotated = 0, first, last;
    char path[400];

    rotated_store();
    snprintf(path, sizeof(path), "%s/%s", dir, LOGSTORE_SEQ_FILE);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(logfiles_load(log_path, &set), 0);
    /* The seq before the current file's first is the newest rotated file's last. */
    in_rotated = set.v[set.n - 1].first_seq - 1;
    logfiles_free(&set);
    nul_fill(100);

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, in_rotated, "continues after the newest rotated file's last entry");
    put(&ls, 1, 0);
    cr_assert_eq(ls.last_seq, in_rotated + 1);
    logstore_close(&ls);
    cr_assert_eq(seq_file(), in_rotated + 1, "the mark is back");
    cr_assert_eq(read_all(&first, &last), (int)in_rotated + 1, "every kept entry, once, in order");
    cr_assert_eq(first, 1);
}

/* A crash right after a rotation's rename leaves no current file. */
Test(logseq, a_crash_between_rename_and_new_file_does_not_restart_the_sequence)
{
    struct logstore ls;
    char path[400], to[420];

    rotated_store();
    snprintf(path, sizeof(path), "%s/%s", dir, LOGSTORE_SEQ_FILE);
    cr_assert_eq(unlink(path), 0);
    struct logfiles set;
    cr_assert_eq(logfiles_load(log_path, &set), 0);
    snprintf(to, sizeof(to), "%s.%012llu", log_path,
             (unsigned long long)set.v[set.n - 1].first_seq);
    logfiles_free(&set);
    cr_assert_eq(rename(log_path, to), 0);

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 100);
    logstore_close(&ls);
}

/* The mark outlives the files: every log file removed by hand, the
 * sequence still goes on. */
Test(logseq, the_high_water_mark_survives_the_files_being_removed)
{
    struct logstore ls;
    struct logfiles set;

    rotated_store();
    cr_assert_eq(logfiles_load(log_path, &set), 0);
    for (size_t i = 0; i < set.n; i++)
        cr_assert_eq(unlink(set.v[i].path), 0);
    logfiles_free(&set);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 100);
    put(&ls, 1, 0);
    cr_assert_eq(ls.last_seq, 101);
    logstore_close(&ls);
}

/* A mark that is not a number is ignored, not trusted. */
Test(logseq, a_garbage_mark_is_ignored)
{
    struct logstore ls;

    cr_assert_eq(tmpdir_write(dir, LOGSTORE_SEQ_FILE, "12x\n", 4), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 0);
    put(&ls, 1, 0);
    cr_assert_eq(ls.last_seq, 1);
    logstore_close(&ls);
    cr_assert_eq(seq_file(), 1);
}

/* A file already at the rotated name (put back by hand, or from a time the
 * sequence went back, as it did before svcd kept it) is never replaced: the
 * rotation is blocked, says why, and the file keeps every byte. */
Test(logseq, rotation_never_renames_over_an_existing_file)
{
    struct logstore ls;
    const char precious[] = "history that must not be destroyed\n";
    size_t len;
    char *kept;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put_range(&ls, 1, 5, 0); /* the current file begins at #1 */
    logstore_close(&ls);
    cr_assert_eq(tmpdir_write(dir, "svcd.log.000000000001", precious, sizeof(precious) - 1), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    put_range(&ls, 6, 60, 0);
    cr_assert_eq(ls.rotate_blocked, ERR_EXIST);
    cr_assert(strstr(ls.rotate_blocked_why, "never renames over one"), "%s", ls.rotate_blocked_why);
    cr_assert_eq(ls.rotations, 0);
    kept = tmpdir_read(dir, "svcd.log.000000000001", &len);
    cr_assert_eq(len, sizeof(precious) - 1);
    cr_assert_eq(memcmp(kept, precious, len), 0, "not replaced");
    free(kept);
    cr_assert_eq(ls.last_seq, 60, "nothing lost: the current file grows on");
    logstore_close(&ls);
}

Test(logseq, rename_noreplace_refuses_an_existing_name)
{
    char a[400], b[400];

    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    cr_assert_eq(tmpdir_write(dir, "a", "A", 1), 0);
    cr_assert_eq(tmpdir_write(dir, "b", "B", 1), 0);
    cr_assert_eq(fs_rename_noreplace(a, b), ERR_EXIST);
    cr_assert_eq(access(a, F_OK), 0, "the source stays");
    cr_assert_eq(unlink(b), 0);
    cr_assert_eq(fs_rename_noreplace(a, b), 0);
    cr_assert_neq(access(a, F_OK), 0);
    cr_assert_eq(access(b, F_OK), 0);
}

/* --- the file under the writer's feet --- */

static struct logstore *open_store(struct logstore *ls)
{
    cr_assert_eq(logstore_open(ls, dir, 0), 0);
    put_range(ls, 1, 3, 0);
    cr_assert_eq(logstore_check_path(ls, 0, SEC), 0, "nothing happened yet");
    return ls;
}

Test(logseq, a_deleted_log_is_noticed_and_a_new_one_begun)
{
    struct logstore ls;
    uint64_t rotations;
    char msg[128];

    open_store(&ls);
    rotations = ls.rotations;
    cr_assert_eq(unlink(log_path), 0);
    put(&ls, 4, SEC / 2); /* into the deleted file: the check comes at most a period later */
    cr_assert_eq(logstore_check_path(&ls, SEC / 2, SEC), 0, "not due yet: no look");
    cr_assert_eq(logstore_check_path(&ls, SEC, SEC), 1);
    cr_assert_str_eq(ls.path_why + strlen(dir),
                     "/svcd.log was deleted while open; entries #4 to #4, written since the last "
                     "check, went with it; started a new one at entry #5");
    cr_assert_eq(access(log_path, F_OK), 0, "a new svcd.log");
    cr_assert_gt(ls.rotations, rotations, "followers are told");
    put(&ls, 5, SEC);
    cr_assert_eq(ls.last_seq, 5, "the sequence never goes back");
    cr_assert_eq(newest_seq(msg, sizeof(msg)), 5);
    cr_assert_geq(seq_file(), 4, "the mark is written when a new file is begun");
    cr_assert_eq(logstore_check_path(&ls, 2 * SEC, SEC), 0, "the new file is the path's");
    logstore_close(&ls);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.last_seq, 5);
    logstore_close(&ls);
}

Test(logseq, a_renamed_log_is_noticed_and_keeps_what_it_holds)
{
    struct logstore ls;
    char moved[400];
    size_t len;
    char *text;

    open_store(&ls);
    snprintf(moved, sizeof(moved), "%s/elsewhere.log", dir);
    cr_assert_eq(rename(log_path, moved), 0);
    cr_assert_eq(logstore_check_path(&ls, SEC, SEC), 1);
    cr_assert(strstr(ls.path_why, "svcd.log was renamed or moved away while open; started a new "
                                  "one at entry #4"),
              "%s", ls.path_why);
    put(&ls, 4, SEC);
    logstore_close(&ls);
    text = tmpdir_read(dir, "elsewhere.log", &len);
    cr_assert_eq(count_entries(text), 3, "the moved file keeps its entries");
    free(text);
}

/* logrotate's `create` (rename, then a new file at the path), or a hand
 * edit saved by rename: the writer goes on in the file now at the path,
 * after a newline if its last line is partial. */
Test(logseq, a_replaced_log_is_noticed_and_the_new_file_written)
{
    struct logstore ls;
    size_t len;
    char *text, other[400];

    open_store(&ls);
    snprintf(other, sizeof(other), "%s/other", dir);
    cr_assert_eq(tmpdir_write(dir, "other", "a partial line", 14), 0);
    cr_assert_eq(rename(other, log_path), 0);
    cr_assert_eq(logstore_check_path(&ls, SEC, SEC), 1);
    cr_assert(strstr(ls.path_why, "svcd.log was replaced by another file while open; writing to "
                                  "the new one at entry #4"),
              "%s", ls.path_why);
    put(&ls, 4, SEC);
    logstore_close(&ls);
    text = tmpdir_read(dir, "svcd.log", &len);
    cr_assert(strncmp(text, "a partial line\n{\"seq\":4,", strlen("a partial line\n{\"seq\":4,")) ==
                  0,
              "%s", text);
    free(text);
}

/* The whole directory gone, and a file where it was: no new svcd.log can
 * be begun (the store recreates a missing directory, not this). Appends
 * fail (the service holds them), nothing crashes, and once the path is
 * free the next check begins the file and the sequence goes on. */
Test(logseq, a_new_file_that_cannot_be_made_is_retried)
{
    struct logstore ls;
    char cmd[600];

    open_store(&ls);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && touch '%s'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_lt(logstore_check_path(&ls, SEC, SEC), 0);
    cr_assert_null(ls.f);
    cr_assert_lt(logtest_append(&ls, "x", 1, SEC), 0, "an error, not a crash");
    cr_assert_eq(logstore_sync_due(&ls, 2 * SEC, 0), 0);
    cr_assert_lt(logstore_check_path(&ls, 2 * SEC, SEC), 0, "still impossible");
    cr_assert_eq(unlink(dir), 0);
    cr_assert_eq(mkdir(dir, 0700), 0);
    cr_assert_eq(logstore_check_path(&ls, 3 * SEC, SEC), 1);
    cr_assert(strstr(ls.path_why, "was deleted while open; started a new one at entry #4"), "%s",
              ls.path_why);
    put(&ls, 4, 3 * SEC);
    cr_assert_eq(ls.last_seq, 4);
    logstore_close(&ls);
}

/* An append may get there first (it reopens a lost file at every entry):
 * the check still reports what happened, once. */
Test(logseq, a_file_reopened_by_an_append_is_still_reported)
{
    struct logstore ls;
    char cmd[600];

    open_store(&ls);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && touch '%s'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_lt(logstore_check_path(&ls, SEC, SEC), 0);
    cr_assert_eq(unlink(dir), 0);
    put(&ls, 4, SEC + 1); /* reopens, recreating the directory */
    cr_assert_not_null(ls.f);
    cr_assert_eq(logstore_check_path(&ls, 2 * SEC, SEC), 1);
    cr_assert(strstr(ls.path_why, "was deleted while open"), "%s", ls.path_why);
    cr_assert_eq(logstore_check_path(&ls, 3 * SEC, SEC), 0, "once");
    logstore_close(&ls);
}

/* A follower holding the deleted file moves to the new one. */
Test(logseq, a_follower_moves_to_the_new_file)
{
    struct logstore ls;
    struct logreader r;
    struct log_entry e;

    open_store(&ls);
    cr_assert_eq(logreader_open(&r, log_path, NULL, 1, 1, &ls.rotations), 0);
    cr_assert_eq(logreader_next(&r, &e), 1);
    cr_assert_eq(e.seq, 3);
    cr_assert_eq(logreader_next(&r, &e), 0);
    cr_assert_eq(unlink(log_path), 0);
    cr_assert_eq(logstore_check_path(&ls, SEC, SEC), 1);
    put_range(&ls, 4, 6, SEC);
    for (uint64_t want = 4; want <= 6; want++) {
        cr_assert_eq(logreader_next(&r, &e), 1, "entry #%llu reaches the follower",
                     (unsigned long long)want);
        cr_assert_eq(e.seq, want);
    }
    logreader_close(&r);
    logstore_close(&ls);
}

Test(logseq, path_state_tells_same_deleted_moved_and_replaced)
{
    char moved[400];
    fs_file *f, *g;

    cr_assert_eq(fs_open_append(log_path, &f), 0);
    cr_assert_eq(fs_path_state(f, log_path), FS_PATH_SAME);
    snprintf(moved, sizeof(moved), "%s.moved", log_path);
    cr_assert_eq(rename(log_path, moved), 0);
    cr_assert_eq(fs_path_state(f, log_path), FS_PATH_MOVED);
    cr_assert_eq(fs_open_append(log_path, &g), 0);
    fs_close(g);
    cr_assert_eq(fs_path_state(f, log_path), FS_PATH_REPLACED);
    cr_assert_eq(unlink(log_path), 0);
    cr_assert_eq(unlink(moved), 0);
    cr_assert_eq(fs_path_state(f, log_path), FS_PATH_DELETED);
    fs_close(f);
}

/* --- rotation a shipper can follow --- */

Test(logseq, a_file_is_not_rotated_before_rotate_min_age)
{
    struct logstore ls;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    logstore_set_min_age(&ls, 10 * SEC);
    put(&ls, 1, 0);
    for (int i = 2; i <= 99; i++) /* a burst: ~15 KB in 9.9 s */
        put(&ls, i, (uint64_t)i * SEC / 10);
    put(&ls, 100, 10 * SEC - 1);
    cr_assert_eq(ls.rotations, 0, "not before it is 10 s old");
    cr_assert_gt(ls.size, 3 * 4096, "the burst grows it past rotate_size");
    put(&ls, 101, 10 * SEC);
    cr_assert_eq(ls.rotations, 1, "rotated once it is old enough");
    put_range(&ls, 102, 200, 10 * SEC);
    cr_assert_eq(ls.rotations, 1, "the new file waits its 10 s too");
    put(&ls, 201, 20 * SEC);
    cr_assert_eq(ls.rotations, 2);
    logstore_close(&ls);
}

/* After a restart a file's age is its first entry's: an old file rotates
 * at once, a young one waits. */
Test(logseq, the_age_of_a_file_found_at_open_is_its_first_entry_s)
{
    struct logstore ls;
    struct log_entry e;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    memset(&e, 0, sizeof(e));
    e.level = LOG_INFO;
    strcpy(e.source, "worker");
    e.msg = "an hour ago";
    e.msg_len = strlen(e.msg);
    e.uid = e.pid = -1;
    e.time_us = clock_wall_us() - 3600 * (int64_t)SEC;
    cr_assert_eq(logstore_append(&ls, &e, 0, 0), 0);
    logstore_close(&ls);

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    logstore_set_min_age(&ls, 10 * SEC);
    put_range(&ls, 2, 40, 5 * SEC);
    cr_assert_eq(ls.rotations, 1, "an hour old: rotated as soon as it is full");
    logstore_close(&ls);

    cr_assert_eq(logstore_open(&ls, dir, 0), 0); /* its first entry is from just now */
    logstore_set_rotation(&ls, 4096, 100, 0);
    logstore_set_min_age(&ls, 10 * SEC);
    put_range(&ls, 41, 100, 5 * SEC);
    cr_assert_eq(ls.rotations, 0, "a young file waits");
    logstore_close(&ls);
}

/* rotate_keep 1 would remove all but one rotated file, but none younger
 * than rotate_min_age goes: a shipper may not have read it yet. */
Test(logseq, no_rotated_file_younger_than_rotate_min_age_is_pruned)
{
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}}; /* 2001 */
    struct logstore ls;
    struct logfiles set;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 1, 0);
    logstore_set_min_age(&ls, 10 * SEC);
    for (int round = 0; round < 4; round++)
        put_range(&ls, round * 40 + 1, round * 40 + 40, (uint64_t)round * 10 * SEC);
    cr_assert_eq(ls.rotations, 3);
    cr_assert_eq(rotated_count(), 3, "all three are younger than 10 s (by their mtime)");
    cr_assert_eq(logfiles_load(log_path, &set), 0);
    for (size_t i = 0; i + 1 < set.n; i++)
        cr_assert_eq(utimensat(AT_FDCWD, set.v[i].path, old, 0), 0);
    logfiles_free(&set);
    put_range(&ls, 161, 200, 40 * SEC); /* the next rotation prunes the old ones */
    cr_assert_eq(ls.rotations, 4);
    cr_assert_eq(rotated_count(), 1, "old enough now: down to rotate_keep");
    logstore_close(&ls);
}

/* A power loss before the first rotation: svcd.log zero-filled, nothing
 * rotated, the mark never written by a rotation. The reservation written
 * ahead of use keeps every number a shipper may have read. */
Test(logseq, a_nul_filled_first_file_skips_numbers_rather_than_reuse_them)
{
    struct logstore ls;
    struct stat st;
    char msg[200];

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put_range(&ls, 1, 57, 0);
    /* kill -9 and then the power: the page cache is gone, the file is NULs */
    fs_close(ls.f);
    ls.f = NULL;
    sbuf_free(&ls.line);
    free(ls.recent.buf); /* the process is gone: so is its memory */
    cr_assert_eq(stat(log_path, &st), 0);
    char *zeros = calloc(1, (size_t)st.st_size);
    cr_assert_eq(tmpdir_write(dir, "svcd.log", zeros, (size_t)st.st_size), 0);
    free(zeros);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put(&ls, 58, 0);
    uint64_t seq = newest_seq(msg, sizeof(msg));
    cr_assert_gt(seq, 57, "numbers 1-57 may have been shipped: got #%llu", (unsigned long long)seq);
    logstore_close(&ls);
}

/* After a kill -9 (the files hold every entry) the sequence goes on with no
 * skip, reservation or not. */
Test(logseq, a_kill_9_continues_without_a_skip)
{
    struct logstore ls;
    uint64_t first, last;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put_range(&ls, 1, 20, 0);
    fs_close(ls.f); /* kill -9: no close */
    ls.f = NULL;
    sbuf_free(&ls.line);
    free(ls.recent.buf); /* the process is gone: so is its memory */
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put_range(&ls, 21, 25, 0);
    logstore_close(&ls);
    cr_assert_eq(read_all(&first, &last), 25);
    cr_assert_eq(last, 25);
}

/* A mark or a name no svcd writes is not where the sequence goes on: a
 * hand copy svcd.log.20261201, a seq past 2^53 - 1. */
Test(logseq, marks_and_names_svcd_never_writes_are_ignored)
{
    struct logstore ls;
    uint64_t first, last;

    cr_assert_eq(tmpdir_write(dir, "svcd.seq", "18446744073709551609\n", 21), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.log.20261201", "", 0), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.log.99999999999999999999", "", 0), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put_range(&ls, 1, 3, 0);
    logstore_close(&ls);
    cr_assert_eq(read_all(&first, &last), 3);
    cr_assert_eq(first, 1);
    cr_assert_eq(rotated_count(), 0, "neither copy is a rotated file");
}

/* At LOG_SEQ_MAX the store stops rather than wrap to 0 or lose precision. */
Test(logseq, the_sequence_never_wraps)
{
    struct logstore ls;
    char mark[40];

    int n = snprintf(mark, sizeof(mark), "%llu\n", (unsigned long long)(LOG_SEQ_MAX - 1));
    cr_assert_eq(tmpdir_write(dir, "svcd.seq", mark, (size_t)n), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    put(&ls, 1, 0);
    cr_assert_eq(logtest_append(&ls, "one too many", 0, 0), ERR_TOOBIG);
    logstore_close(&ls);
    char msg[200];
    cr_assert_eq(newest_seq(msg, sizeof(msg)), LOG_SEQ_MAX, "the last one is readable");
}

/* logrotate's copytruncate (or `: > svcd.log`) empties the file in place:
 * same inode, smaller size. svcd says so, writes on in it, and a follower
 * (in-process or not) reads what comes after, once. */
Test(logseq, a_log_truncated_in_place_is_noticed_and_followed)
{
    struct logstore ls;
    struct logreader r, outside;
    struct log_entry e;

    open_store(&ls);
    cr_assert_eq(logreader_open(&r, log_path, NULL, 0, 1, &ls.rotations), 0);
    cr_assert_eq(logreader_open(&outside, log_path, NULL, 0, 1, NULL), 0);
    cr_assert_eq(truncate(log_path, 0), 0);
    cr_assert_eq(logstore_check_path(&ls, SEC, SEC), 1);
    cr_assert(strstr(ls.path_why, "svcd.log was truncated in place from "), "%s", ls.path_why);
    cr_assert(strstr(ls.path_why, "writing on in it at entry #4"), "%s", ls.path_why);
    put_range(&ls, 4, 6, SEC);
    cr_assert_eq(ls.size > 0 && ls.first_seq == 4, 1, "the file is learnt anew");
    for (uint64_t want = 4; want <= 6; want++) {
        int rc;
        while ((rc = logreader_next(&r, &e)) == LOGREAD_GAP)
            ;
        cr_assert_eq(rc, 1, "entry #%llu reaches the follower", (unsigned long long)want);
        cr_assert_eq(e.seq, want);
        while ((rc = logreader_next(&outside, &e)) == LOGREAD_GAP)
            ;
        cr_assert_eq(rc, 1, "and the one outside svcd: #%llu", (unsigned long long)want);
        cr_assert_eq(e.seq, want);
    }
    cr_assert_eq(logreader_next(&r, &e), 0);
    cr_assert_eq(logstore_check_path(&ls, 2 * SEC, SEC), 0, "noticed once");
    logreader_close(&r);
    logreader_close(&outside);
    logstore_close(&ls);
}

/* A log with no readable entry is kept aside, never over one kept before
 * (two in the same second get -2). */
Test(logseq, an_unreadable_log_kept_aside_never_replaces_another)
{
    struct logstore ls;
    char first[PATHS_MAX];

    cr_assert_eq(tmpdir_write(dir, "svcd.log", "garbage one\n", 12), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_neq(ls.moved_to[0], '\0');
    snprintf(first, sizeof(first), "%s", ls.moved_to);
    logstore_close(&ls);
    cr_assert_eq(tmpdir_write(dir, "svcd.log", "garbage two\n", 12), 0);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_str_neq(ls.moved_to, first, "another name");
    logstore_close(&ls);
    size_t len;
    char *one = tmpdir_read(dir, strrchr(first, '/') + 1, &len);
    cr_assert_not_null(one);
    cr_assert_str_eq(one, "garbage one\n", "the first kept file is intact");
    free(one);
}
