/* Followers take what the writer just appended from its memory (struct
 * logrecent) instead of reading the file back. What they see must be what a
 * follower reading the file sees, whatever else touches the file: another
 * program appending to it, a truncation in place, rotations, a line longer
 * than the writer holds, a burst longer than it holds. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logstore.h"
#include "logtest.h"
#include "sbuf.h"
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

TestSuite(logrecent, .init = setup, .fini = teardown);

/* A follower from the end and what it has read: "seq msg" lines. */
struct follower {
    struct logreader r;
    char *seen;
    size_t len, cap;
};

static void follow(struct follower *f, struct logstore *ls, int from_memory)
{
    memset(f, 0, sizeof(*f));
    cr_assert_eq(logreader_open(&f->r, ls->path, NULL, 0, 1, &ls->rotations), 0);
    f->r.written = &ls->last_seq;
    f->r.recent = from_memory ? &ls->recent : NULL;
}

static void note(struct follower *f, const char *s, size_t n)
{
    if (f->len + n + 1 > f->cap) {
        f->cap = (f->len + n + 1) * 2;
        f->seen = realloc(f->seen, f->cap);
        cr_assert_not_null(f->seen);
    }
    memcpy(f->seen + f->len, s, n);
    f->len += n;
    f->seen[f->len] = '\0';
}

/* Reads on to the end of what is written. */
static void drain(struct follower *f)
{
    struct log_entry e;
    char head[64];
    int rc;

    while ((rc = logreader_next(&f->r, &e)) == 1 || rc == LOGREAD_MORE || rc == LOGREAD_GAP) {
        if (rc != 1) {
            f->r.scanned = 0;
            continue;
        }
        note(f, head, (size_t)snprintf(head, sizeof(head), "%llu ", (unsigned long long)e.seq));
        note(f, e.msg, e.msg_len);
        note(f, "\n", 1);
    }
    cr_assert_eq(rc, 0, "the follow ends at what is written: %d", rc);
}

static void unfollow(struct follower *f)
{
    logreader_close(&f->r);
    free(f->seen);
}

/* Both followers have read up to now, and read the same. */
static void same_but_place(struct follower *mem, struct follower *file, const char *when)
{
    drain(mem);
    drain(file);
    cr_assert_eq(mem->len, file->len, "%s: %zu bytes seen from memory, %zu from the file", when,
                 mem->len, file->len);
    cr_assert(mem->len == 0 || memcmp(mem->seen, file->seen, mem->len) == 0,
              "%s: the followers differ", when);
}

/* The same, and they stand at the same place. Not so right after another
 * program appended to the file: the follower from memory is at the end of
 * svcd's last entry until svcd writes again, then reads the rest. */
static void same(struct follower *mem, struct follower *file, const char *when)
{
    same_but_place(mem, file, when);
    /* and stand at the same place: a reader resynchronises on seqs, so a
     * wrong offset would show only here, until it made an entry vanish */
    cr_assert_eq(mem->r.end, file->r.end, "%s: from memory at byte %llu, from the file at %llu",
                 when, (unsigned long long)mem->r.end, (unsigned long long)file->r.end);
    cr_assert_eq(mem->r.idx, file->r.idx, "%s: not in the same file", when);
}

static void append(struct logstore *ls, const char *msg)
{
    cr_assert_eq(logtest_append(ls, msg, 0, 0), 0);
}

static void fill(struct logstore *ls, int n, const char *word)
{
    char m[96];

    for (int i = 0; i < n; i++) {
        snprintf(m, sizeof(m), "%s %04d padding padding padding padding padding", word, i);
        append(ls, m);
    }
}

/* What another program appending to svcd.log does (a hand edit, a
 * misconfigured shipper). */
static void foreign_append(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND);

    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static int count_lines(const struct follower *f)
{
    int n = 0;

    for (size_t i = 0; i < f->len; i++)
        n += f->seen[i] == '\n';
    return n;
}

Test(logrecent, a_follower_from_memory_reads_what_a_follower_from_the_file_reads)
{
    struct logstore ls;
    struct follower mem, file;
    char *big;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    fill(&ls, 3, "before");
    follow(&mem, &ls, 1);
    follow(&file, &ls, 0);
    same(&mem, &file, "at the start");

    fill(&ls, 5, "first");
    same(&mem, &file, "after five entries");
    cr_assert_eq(count_lines(&mem), 5);

    /* Another program appends between two entries, then right after one. */
    foreign_append(ls.path, "not an entry\n");
    fill(&ls, 2, "after-foreign");
    same(&mem, &file, "after a foreign line before ours");
    fill(&ls, 1, "then");
    foreign_append(ls.path, "{\"seq\":999999,\"msg\":\"forged, no time\"}\n");
    same_but_place(&mem, &file, "with a foreign line after ours, before the next entry");
    fill(&ls, 2, "next");
    same(&mem, &file, "after a foreign line after ours");
    cr_assert_eq(count_lines(&mem), 10);

    /* A burst longer than the writer holds between two reads. */
    fill(&ls, 400, "burst");
    same(&mem, &file, "after a burst of 400 entries");

    /* A line longer than the writer holds. */
    big = malloc(LOGRECENT_CAP + 5000);
    cr_assert_not_null(big);
    memset(big, 'x', LOGRECENT_CAP + 4999);
    big[LOGRECENT_CAP + 4999] = '\0';
    append(&ls, big);
    fill(&ls, 2, "after-big");
    same(&mem, &file, "after a line longer than the writer holds");
    free(big);
    cr_assert_eq(count_lines(&mem), 413);

    /* Truncated in place (copytruncate) with entries nobody read yet: the
     * writer notices at its next path check, and both start the file again;
     * neither has the entries that were cut. */
    fill(&ls, 3, "cut-unread");
    cr_assert_eq(truncate(ls.path, 0), 0);
    cr_assert_eq(logstore_check_path(&ls, 1, 0), 1);
    same(&mem, &file, "right after a truncation in place");
    fill(&ls, 3, "after-truncation");
    same(&mem, &file, "after a truncation in place");

    /* Rotations while following. */
    logstore_set_rotation(&ls, 4096, 50, 0);
    fill(&ls, 100, "rotating");
    same(&mem, &file, "across rotations");
    cr_assert_gt(ls.rotations, 2);
    fill(&ls, 1, "last");
    same(&mem, &file, "at the end");
    cr_assert(strstr(mem.seen, " last 0000 padding") != NULL);

    unfollow(&mem);
    unfollow(&file);
    logstore_close(&ls);
}

/* The point of it: an entry just written reaches a follower without the file
 * being read again. Shown by changing the entry's bytes in the file, in
 * place and at the same length, after it was written: the follower from
 * memory has what svcd wrote, the one from the file reads what is there. */
Test(logrecent, a_follower_takes_a_new_entry_from_the_writer_not_from_the_file)
{
    struct logstore ls;
    struct follower mem, file;
    struct stat st;
    const char *msg = "written by svcd";
    int fd;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    fill(&ls, 2, "before");
    follow(&mem, &ls, 1);
    follow(&file, &ls, 0);
    append(&ls, msg);
    cr_assert_eq(stat(ls.path, &st), 0);
    fd = open(ls.path, O_WRONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, "WRITTEN", 7, st.st_size - 1 - 2 - 15), 7); /* over the message */
    close(fd);
    drain(&mem);
    drain(&file);
    cr_assert(strstr(mem.seen, msg) != NULL, "from memory: %s", mem.seen ? mem.seen : "");
    cr_assert(strstr(file.seen, "WRITTEN by svcd") != NULL, "from the file: %s",
              file.seen ? file.seen : "");
    unfollow(&mem);
    unfollow(&file);
    logstore_close(&ls);
}
