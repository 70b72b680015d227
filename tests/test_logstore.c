#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "logstore.h"
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
    struct log_entry e;
    memset(&e, 0, sizeof(e));
    e.level = LOG_INFO;
    strcpy(e.source, "worker");
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    cr_assert_eq(logstore_append(ls, &e, 0, 0), 0);
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

Test(logstore, torn_tail_is_cut_and_sequence_continues)
{
    struct logstore ls;
    char got[256];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    append(&ls, "b");
    logstore_close(&ls);
    /* Simulate a crash mid-write: half a line, no newline. */
    FILE *f = fopen(ls.path, "a");
    fputs("{\"seq\":3,\"time\":\"2026-11-", f);
    fclose(f);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.cut_bytes, strlen("{\"seq\":3,\"time\":\"2026-11-"));
    cr_assert_eq(ls.last_seq, 2);
    append(&ls, "c");
    cr_assert_eq(ls.last_seq, 3);
    logstore_close(&ls);
    read_tail(ls.path, 10, got, sizeof(got), &first);
    cr_assert_str_eq(got, "a,b,c");
}

Test(logstore, garbage_lines_are_skipped_by_readers)
{
    struct logstore ls;
    char got[256];
    uint64_t first;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    append(&ls, "a");
    logstore_close(&ls);
    FILE *f = fopen(ls.path, "a");
    fputs("not json at all\n", f);
    fclose(f);
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
