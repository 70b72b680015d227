/* The readers' position in the sequence: filtered follows resume after what
 * they read, not after what matched; entries removed before a reader got to
 * them are reported as a gap, exactly; time bounds hold when the wall clock
 * steps back. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "err.h"
#include "frame.h"
#include "logstore.h"
#include "query.h"
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

TestSuite(logread, .init = setup, .fini = teardown);

static void append(struct logstore *ls, const char *msg)
{
    cr_assert_eq(logtest_append(ls, msg, 0, 0), 0);
}

/* Entries of ~150 bytes: a 4 KiB file holds some 27. */
static void fill(struct logstore *ls, int from, int to, const char *word)
{
    char m[96];

    for (int i = from; i <= to; i++) {
        snprintf(m, sizeof(m), "%s %04d padding padding padding padding padding", word, i);
        append(ls, m);
    }
}

static struct logfilter grep(const char *text)
{
    struct logfilter f;

    memset(&f, 0, sizeof(f));
    snprintf(f.grep, sizeof(f.grep), "%s", text);
    f.grep_len = strlen(f.grep);
    return f;
}

/* `logs -f -n 0 --grep needle` started with needles in the history: across
 * rotations it prints each new needle once and never an old one, because
 * its position is what it read (hay included), not the last match. */
Test(logread, a_filtered_follow_resumes_after_what_it_read_not_what_matched)
{
    struct logstore ls;
    struct logreader r;
    struct logfilter f = grep("needle");
    struct log_entry e;
    uint64_t start, prev = 0;
    int rc, got = 0;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 50, 0);
    for (int i = 0; i < 5; i++) { /* old needles, spread over several files */
        fill(&ls, i * 30 + 1, i * 30 + 29, "hay");
        fill(&ls, i * 30 + 30, i * 30 + 30, "needle");
    }
    start = ls.last_seq;
    cr_assert_eq(logreader_open(&r, ls.path, &f, 0, 1, &ls.rotations), 0);
    for (int round = 0; round < 6; round++) {
        uint64_t rot = ls.rotations;
        fill(&ls, 1, 40, "hay"); /* each round rotates at least once */
        cr_assert_gt(ls.rotations, rot);
        fill(&ls, 1, 1, "needle");
        uint64_t want = ls.last_seq;
        while ((rc = logreader_next(&r, &e)) == 1) {
            cr_assert_gt(e.seq, start, "#%llu is older than the follow's start (#%llu)",
                         (unsigned long long)e.seq, (unsigned long long)start);
            cr_assert_gt(e.seq, prev, "#%llu twice", (unsigned long long)e.seq);
            cr_assert_eq(e.seq, want, "round %d: only the new needle", round);
            prev = e.seq;
            got++;
        }
        cr_assert_eq(rc, 0, "round %d ended with %d", round, rc);
    }
    cr_assert_eq(got, 6);
    logreader_close(&r);
    logstore_close(&ls);
}

/* The same for a follow with no filter whose very first new entry rotates
 * the file (so no line of the old file is read after it opened). The
 * out-of-process form (no rotation counter) too. */
Test(logread, a_follow_from_the_end_starts_after_the_newest_entry_across_a_rotation)
{
    for (int counter = 0; counter < 2; counter++) {
        struct logstore ls;
        struct logreader r;
        struct log_entry e;
        uint64_t next, rot;
        int rc;

        cr_assert_eq(logstore_open(&ls, dir, 0), 0);
        logstore_set_rotation(&ls, 4096, 50, 0);
        fill(&ls, 1, 60, "entry");
        while (ls.size + ls.line.len + 4 <= 4096) /* until one more entry rotates */
            fill(&ls, 1, 1, "entry");
        cr_assert_eq(logreader_open(&r, ls.path, NULL, 0, 1, counter ? &ls.rotations : NULL), 0);
        next = ls.last_seq + 1;
        rot = ls.rotations;
        fill(&ls, 1, 1, "entry");
        cr_assert_eq(ls.rotations, rot + 1, "the first new entry began a new file");
        fill(&ls, 1, 10, "entry");
        while ((rc = logreader_next(&r, &e)) == 1) {
            cr_assert_eq(e.seq, next, "expected #%llu, got #%llu", (unsigned long long)next,
                         (unsigned long long)e.seq);
            next++;
        }
        cr_assert_eq(rc, 0);
        cr_assert_eq(next, ls.last_seq + 1, "up to the newest entry");
        logreader_close(&r);
        logstore_close(&ls);
        tmpdir_remove(dir);
        cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    }
}

/* Reads on until the end; counts entries (checked consecutive except right
 * after a gap) and gaps, remembering the first gap. */
struct tally {
    uint64_t first, last;
    int entries, gaps;
    uint64_t gap_after, gap_missed, gap_resume;
};

static int read_on(struct logreader *r, struct tally *t)
{
    struct log_entry e;
    int rc, after_gap = 0;

    while ((rc = logreader_next(r, &e)) == 1 || rc == LOGREAD_GAP || rc == LOGREAD_MORE) {
        if (rc == LOGREAD_MORE) {
            r->scanned = 0;
            continue;
        }
        if (rc == LOGREAD_GAP) {
            if (t->gaps++ == 0) {
                t->gap_after = t->last;
                t->gap_missed = r->gap_missed;
                t->gap_resume = r->gap_resume;
            }
            after_gap = 1;
            continue;
        }
        if (t->last && after_gap)
            cr_assert_eq(e.seq, r->gap_resume, "the stream resumes where the gap said");
        else if (t->last)
            cr_assert_eq(e.seq, t->last + 1, "#%llu after #%llu", (unsigned long long)e.seq,
                         (unsigned long long)t->last);
        else
            t->first = e.seq;
        after_gap = 0;
        t->last = e.seq;
        t->entries++;
    }
    return rc;
}

/* rotate_keep 1 and a reader that stops reading while the writer fills
 * several files: the next read says exactly how many entries retention
 * removed before the reader got to them, and where it resumes. */
Test(logread, a_follower_overtaken_by_retention_is_told_the_exact_gap)
{
    for (int filtered = 0; filtered < 2; filtered++) {
        struct logstore ls;
        struct logreader r;
        struct logfilter f = grep("entry");
        struct logfiles set;
        struct tally t;

        memset(&t, 0, sizeof(t));
        cr_assert_eq(logstore_open(&ls, dir, 0), 0);
        logstore_set_rotation(&ls, 4096, 1, 0);
        fill(&ls, 1, 10, "entry");
        cr_assert_eq(logreader_open(&r, ls.path, filtered ? &f : NULL, 1, 1, &ls.rotations), 0);
        cr_assert_eq(read_on(&r, &t), 0);
        cr_assert_eq(t.entries, 1);
        cr_assert_eq(t.last, 10);
        fill(&ls, 11, 300, "entry"); /* some ten files; two are kept */
        cr_assert_eq(logfiles_load(ls.path, &set), 0);
        cr_assert_eq(set.n, 2);
        uint64_t oldest = set.v[0].first_seq;
        logfiles_free(&set);
        cr_assert_eq(read_on(&r, &t), 0);
        cr_assert_eq(t.gaps, 1, "one gap");
        cr_assert_eq(t.gap_resume, oldest, "resumes at the oldest entry kept");
        cr_assert_eq(t.gap_missed, oldest - t.gap_after - 1, "missed #%llu-#%llu",
                     (unsigned long long)t.gap_after + 1, (unsigned long long)oldest - 1);
        cr_assert_gt(t.gap_after, 10, "the file it was reading is read to its end first");
        cr_assert_eq(t.last, 300);
        cr_assert_eq((uint64_t)t.entries + t.gap_missed, 300 - 9, "each entry read or missed");
        logreader_close(&r);
        logstore_close(&ls);
        tmpdir_remove(dir);
        cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    }
}

/* A reader whose listing was made before a rotation finds the rotated file
 * (it was not removed, only renamed): nothing skipped, no gap. */
Test(logread, a_file_rotated_after_the_listing_is_read_not_skipped)
{
    struct logstore ls;
    struct logreader r;
    struct tally t;

    memset(&t, 0, sizeof(t));
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 100, 0);
    fill(&ls, 1, 100, "entry");
    cr_assert_eq(logreader_open(&r, ls.path, NULL, UINT32_MAX, 0, NULL), 0);
    fill(&ls, 101, 200, "entry"); /* the listed current file is rotated away */
    cr_assert_eq(read_on(&r, &t), 0);
    cr_assert_eq(t.gaps, 0);
    cr_assert_eq(t.first, 1);
    cr_assert_eq(t.last, 200);
    cr_assert_eq(t.entries, 200);
    logreader_close(&r);
    logstore_close(&ls);
}

/* Writes entries to dir/name by hand: seqs from `seq`, one per time given
 * (minutes after 10:00, 2026-11-24), or a garbage line for GARBAGE. */
#define GARBAGE (-100000)
static void write_log(const char *name, uint64_t seq, const int *minutes, size_t n)
{
    struct sbuf out, line;

    sbuf_init(&out, 0);
    sbuf_init(&line, 0);
    for (size_t i = 0; i < n; i++) {
        struct log_entry e;
        char m[32];

        if (minutes[i] == GARBAGE) {
            sbuf_adds(&out, "{\"seq\":12,\"ti\n");
            continue;
        }
        memset(&e, 0, sizeof(e));
        e.seq = seq++;
        e.time_us = (1795514400LL + minutes[i] * 60LL) * 1000000LL;
        e.level = LOG_INFO;
        strcpy(e.source, "worker");
        snprintf(m, sizeof(m), "at %d", minutes[i]);
        e.msg = m;
        e.msg_len = strlen(m);
        e.uid = e.pid = -1;
        sbuf_reset(&line);
        cr_assert_eq(logline_format(&e, &line), 0);
        sbuf_add(&out, line.p, line.len);
    }
    cr_assert_eq(tmpdir_write(dir, name, out.p, out.len), 0);
    sbuf_free(&out);
    sbuf_free(&line);
}

/* A garbage line where the next file begins (a torn write) is not a gap:
 * only entries that were in the log and are gone are. */
Test(logread, a_garbage_line_is_not_a_gap)
{
    const int a[] = {0, 1, 2}, b[] = {GARBAGE, 4, 5};
    char path[512];
    struct logreader r;
    struct log_entry e;
    int rc, n = 0;

    write_log("svcd.log.000000000001", 1, a, 3);
    write_log("svcd.log", 5, b, 3);
    snprintf(path, sizeof(path), "%s/svcd.log", dir);
    cr_assert_eq(logreader_open(&r, path, NULL, UINT32_MAX, 0, NULL), 0);
    while ((rc = logreader_next(&r, &e)) == 1)
        n++;
    cr_assert_eq(rc, 0, "a line that does not parse is not reported as missed (%d)", rc);
    cr_assert_eq(n, 5);
    cr_assert_eq(r.skipped, 1);
    logreader_close(&r);
}

static Svcd__Response *decode(const uint8_t *frame, size_t len)
{
    uint32_t plen;
    Svcd__Response *r;

    cr_assert_eq(frame_get_header(frame, FRAME_MAX_PAYLOAD, &plen), 0);
    cr_assert_eq(plen + 4, len);
    cr_assert_eq(codec_unpack_response(frame + 4, plen, &r), 0);
    return r;
}

/* Frames of a query until it waits (following) or ends; checks entries are
 * consecutive but where a LogGap says they are not. */
static int stream(struct query *q, struct tally *t)
{
    int rc;

    for (;;) {
        uint8_t *frame;
        size_t len;

        rc = query_next(q, &frame, &len);
        if (rc == QUERY_YIELD)
            continue;
        if (rc == QUERY_WAITING)
            return rc;
        cr_assert_geq(rc, 0);
        Svcd__Response *r = decode(frame, len);
        free(frame);
        cr_assert_eq(r->id, 9);
        if (r->body_case == SVCD__RESPONSE__BODY_LOG_GAP) {
            cr_assert_eq(rc, 1);
            cr_assert_str_eq(r->log_gap->reason, "retention");
            cr_assert_eq(r->log_gap->resume_seq - r->log_gap->missed, t->last + 1,
                         "the gap begins right after the last entry sent");
            if (t->gaps++ == 0) {
                t->gap_after = t->last;
                t->gap_missed = r->log_gap->missed;
                t->gap_resume = r->log_gap->resume_seq;
            }
            t->last = r->log_gap->resume_seq - 1;
        } else if (r->body_case == SVCD__RESPONSE__BODY_LOG_CHUNK) {
            for (size_t i = 0; i < r->log_chunk->n_entries; i++) {
                uint64_t seq = r->log_chunk->entries[i]->seq;
                if (t->last)
                    cr_assert_eq(seq, t->last + 1, "#%llu after #%llu", (unsigned long long)seq,
                                 (unsigned long long)t->last);
                else
                    t->first = seq;
                t->last = seq;
                t->entries++;
            }
        } else {
            cr_assert_eq(r->body_case, SVCD__RESPONSE__BODY_LOG_END);
            cr_assert_eq(rc, 0);
            cr_assert_eq(r->log_end->count, (uint64_t)t->entries, "gaps are not entries");
        }
        svcd__response__free_unpacked(r, NULL);
        if (rc == 0)
            return 0;
    }
}

/* The stream of a query as the service sends it: the gap is a LogGap frame
 * of its own, after the chunk with the entries before it and before the
 * chunk with the entries after it; followed or not. */
Test(logread, the_query_stream_carries_the_gap_in_order)
{
    struct logstore ls;
    struct logfiles set;
    struct query *q;
    struct tally t;

    memset(&t, 0, sizeof(t));
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    logstore_set_rotation(&ls, 4096, 1, 0);
    fill(&ls, 1, 10, "entry");
    cr_assert_eq(query_open(&q, 9, ls.path, NULL, 1, 1, &ls.rotations, &ls.last_seq, &ls.recent),
                 0);
    cr_assert_eq(stream(q, &t), QUERY_WAITING);
    cr_assert_eq(t.entries, 1);
    fill(&ls, 11, 300, "entry");
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    uint64_t oldest = set.v[0].first_seq;
    logfiles_free(&set);
    cr_assert_eq(stream(q, &t), QUERY_WAITING);
    cr_assert_eq(t.gaps, 1);
    cr_assert_eq(t.gap_resume, oldest);
    cr_assert_eq(t.gap_missed, oldest - t.gap_after - 1);
    cr_assert_eq(t.last, 300);
    cr_assert_eq((uint64_t)t.entries + t.gap_missed, 300 - 9);
    query_free(q);

    /* Not following: a file removed after the listing. */
    logstore_set_rotation(&ls, 4096, 100, 0);
    fill(&ls, 301, 400, "entry");
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    cr_assert_geq(set.n, 4);
    memset(&t, 0, sizeof(t));
    cr_assert_eq(query_open(&q, 9, ls.path, NULL, UINT32_MAX, 0, NULL, NULL, NULL), 0);
    cr_assert_eq(unlink(set.v[2].path), 0);
    cr_assert_eq(stream(q, &t), 0);
    cr_assert_eq(t.gaps, 1);
    cr_assert_eq(t.gap_after, set.v[2].first_seq - 1);
    cr_assert_eq(t.gap_resume, set.v[3].first_seq);
    cr_assert_eq(t.gap_missed, set.v[3].first_seq - set.v[2].first_seq);
    cr_assert_eq(t.first, set.v[0].first_seq, "the first entry of a query is not a gap");
    cr_assert_eq(t.last, 400);
    logfiles_free(&set);
    query_free(q);
    logstore_close(&ls);
}

#define MIN(m) ((1795514400LL + (m)*60LL) * 1000000LL) /* 10:00 + m minutes */

/* The seqs a reader returns, as "1,2,4", after `tail` matching entries of
 * the bounds [since, until] (minutes after 10:00; NO_BOUND for none). Adds
 * the lines it looked at to *scanned. */
#define NO_BOUND 9999
static void query_times(uint64_t tail, int since, int until, char *out, size_t n, uint64_t *scanned)
{
    struct logfilter f;
    struct logreader r;
    struct log_entry e;
    char path[512];
    size_t off = 0;
    int rc;

    memset(&f, 0, sizeof(f));
    f.since_us = since == NO_BOUND ? 0 : MIN(since);
    f.until_us = until == NO_BOUND ? 0 : MIN(until);
    snprintf(path, sizeof(path), "%s/svcd.log", dir);
    out[0] = '\0';
    cr_assert_eq(logreader_open(&r, path, &f, tail, 0, NULL), 0);
    for (;;) {
        rc = logreader_next(&r, &e);
        if (rc == LOGREAD_MORE) {
            r.scanned = 0;
            continue;
        }
        if (rc != 1)
            break;
        off += (size_t)snprintf(out + off, n - off, "%s%llu", off ? "," : "",
                                (unsigned long long)e.seq);
    }
    *scanned += r.looked;
    cr_assert_eq(rc, 0);
    logreader_close(&r);
}

/* A wall clock that steps back (10:00, 10:05, then 09:58...), inside a file
 * and across files: every entry within the bounds is returned, in seq order
 * (the sequence is the truth, not the times). */
Test(logread, time_bounds_hold_when_the_wall_clock_steps_back)
{
    const int a[] = {0, 5, -2, 1}, b[] = {6, 7}, c[] = {-10, -1, 8};
    char got[256];
    uint64_t scanned = 0;

    write_log("svcd.log.000000000001", 1, a, 4); /* #3 stepped back to 09:58 */
    write_log("svcd.log.000000000005", 5, b, 2);
    write_log("svcd.log", 7, c, 3);           /* back to 09:50, then on */
    for (int round = 0; round < 2; round++) { /* the second knows the files' times */
        query_times(UINT32_MAX, 0, NO_BOUND, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "1,2,4,5,6,9", "--since 10:00, round %d", round);
        query_times(UINT32_MAX, NO_BOUND, -1, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "3,7,8", "--until 09:59, round %d", round);
        query_times(UINT32_MAX, -1, 1, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "1,4,8", "--since 09:59 --until 10:01, round %d", round);
        query_times(2, 0, NO_BOUND, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "6,9", "the last 2 --since 10:00, round %d", round);
        query_times(1, NO_BOUND, 0, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "8", "the last --until 10:00, round %d", round);
        query_times(UINT32_MAX, 9, NO_BOUND, got, sizeof(got), &scanned);
        cr_assert_str_eq(got, "", "nothing after 10:09, round %d", round);
    }
}

/* Where the times never go back (the common case), a time bound costs what
 * it returns once the files' times are known: learnt by the first query, a
 * full read; after that a few lines. */
Test(logread, time_bounds_use_shortcuts_where_times_are_known_monotonic)
{
    static int m[2000];
    char got[256], name[64];
    uint64_t first = 0, again = 0;

    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < 2000; i++)
            m[i] = f * 2000 + i;
        snprintf(name, sizeof(name), f < 2 ? "svcd.log.%012d" : "svcd.log", f * 2000 + 1);
        write_log(name, (uint64_t)f * 2000 + 1, m, 2000);
    }
    query_times(UINT32_MAX, 5997, NO_BOUND, got, sizeof(got), &first);
    cr_assert_str_eq(got, "5998,5999,6000");
    cr_assert_geq(first, 6000, "the first query learns every file (%llu lines)",
                  (unsigned long long)first);
    query_times(UINT32_MAX, 5997, NO_BOUND, got, sizeof(got), &again);
    cr_assert_str_eq(got, "5998,5999,6000");
    cr_assert_lt(again, 20, "then --since reads a few lines (%llu)", (unsigned long long)again);
    again = 0;
    query_times(UINT32_MAX, NO_BOUND, 2, got, sizeof(got), &again);
    cr_assert_str_eq(got, "1,2,3");
    cr_assert_lt(again, 20, "and --until stops at the bound (%llu)", (unsigned long long)again);
    again = 0;
    query_times(UINT32_MAX, 2000, 2001, got, sizeof(got), &again);
    cr_assert_str_eq(got, "2001,2002");
    cr_assert_lt(again, 2100, "a range in the middle reads one file (%llu)",
                 (unsigned long long)again);
}
