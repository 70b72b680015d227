/* The fields of an entry, from the writer to every reader: names that need
 * JSON escaping (DOMAIN\user, quotes), names too long for their field, and
 * hostile bytes in every string, through logline, the log store's recovery
 * and its readers. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "json.h"
#include "logline.h"
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

static struct log_entry entry(const char *source, const char *msg, const char *user)
{
    struct log_entry e;

    memset(&e, 0, sizeof(e));
    e.level = user ? LOG_NOTICE : LOG_INFO;
    snprintf(e.source, sizeof(e.source), "%s", source);
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    if (user) {
        snprintf(e.user, sizeof(e.user), "%s", user);
        e.uid = 1000;
        e.pid = 4242;
    }
    return e;
}

TestSuite(escaped, .init = setup, .fini = teardown);

/* The case: winbind's DOMAIN\user form and a name with a quote. The
 * old reader refused any backslash in "user", so `logs` skipped the entry
 * and, after a kill, recovery cut the synced audit entries off as a torn
 * tail and gave their seqs again. */
Test(escaped, audit_entries_of_domain_users_are_read_and_survive_recovery)
{
    const char *users[] = {"DOMAIN\\alice", "o\"brien", "tab\there"};
    struct logstore ls;
    struct logreader r;
    struct log_entry e;
    char msg[3][128];
    uint64_t size;

    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    e = entry("worker", "heartbeat 1", NULL);
    cr_assert_eq(logstore_append(&ls, &e, 0, 0), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(msg[i], sizeof(msg[i]), "pause by %s (uid 1000, pid 4242): granted", users[i]);
        e = entry("audit", msg[i], users[i]);
        cr_assert_eq(logstore_append(&ls, &e, 1, 0), 0);
    }
    size = ls.size;
    /* As after kill -9: the next start recovers the file as it is. */
    logstore_close(&ls);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, 0, "recovery took %llu bytes of synced entries for a torn tail",
                 (unsigned long long)ls.torn_bytes);
    cr_assert_eq(ls.size, size);
    cr_assert_eq(ls.last_seq, 4, "the sequence continues after the audit entries");

    cr_assert_eq(logreader_open_tail(&r, ls.path, 10), 0);
    cr_assert_eq(logreader_next(&r, &e), 1);
    cr_assert_eq(e.seq, 1);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(logreader_next(&r, &e), 1, "entry of %s is readable", users[i]);
        cr_assert_eq(e.seq, (uint64_t)i + 2);
        cr_assert_str_eq(e.user, users[i]);
        cr_assert_eq(e.msg_len, strlen(msg[i]));
        cr_assert_arr_eq(e.msg, msg[i], e.msg_len);
    }
    cr_assert_eq(logreader_next(&r, &e), 0);
    cr_assert_eq(r.skipped, 0);
    logreader_close(&r);
    logstore_close(&ls);
}

TestSuite(fields);

static void must_parse(const char *line, struct log_entry *e, struct sbuf *msg)
{
    cr_assert_eq(logline_parse(line, strlen(line), e, msg), 0, "%s", line);
}

Test(fields, every_string_field_accepts_any_json_string)
{
    const char *line =
        "{\"seq\":9,\"time\":\"2026-11-24T13:12:12.123456Z\",\"level\":\"notice\","
        "\"logger\":\"au\\u0064it\",\"msg\":\"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\","
        "\"user_name\":\"DOM\\\\\\u00e9\\\"x\",\"user_id\":5,\"pid\":6,"
        "\"host_name\":\"h\\u00f6st\"}";
    struct log_entry e;
    struct sbuf msg;

    sbuf_init(&msg, 0);
    must_parse(line, &e, &msg);
    cr_assert_str_eq(e.source, "audit");
    cr_assert_eq(e.msg_len, strlen("a\"b\\c/dé😀"));
    cr_assert_arr_eq(e.msg, "a\"b\\c/dé😀", e.msg_len);
    cr_assert_str_eq(e.user, "DOM\\é\"x");
    cr_assert_eq(e.uid, 5);
    cr_assert_eq(e.pid, 6);
    cr_assert_str_eq(e.host, "höst");
    cr_assert_eq(e.line, line, "the stored line is kept for logs --json");
    cr_assert_eq(e.line_len, strlen(line));
    sbuf_free(&msg);
}

Test(fields, lines_of_older_versions_stay_readable)
{
    const char *old = "{\"seq\":6,\"time\":\"2026-11-24T13:30:17.888739Z\",\"level\":\"notice\","
                      "\"source\":\"client\",\"msg\":\"paused by root (uid 0, pid 11857)\","
                      "\"user\":\"root\",\"uid\":0,\"pid\":11857}";
    struct log_entry e;
    struct sbuf msg;

    sbuf_init(&msg, 0);
    must_parse(old, &e, &msg);
    cr_assert_str_eq(e.source, "client");
    cr_assert_str_eq(e.user, "root");
    cr_assert_eq(e.uid, 0);
    cr_assert_eq(e.pid, 11857);
    cr_assert_null(e.host);
    /* Where both are present, the current name decides, in either order. */
    must_parse(
        "{\"logger\":\"new\",\"source\":\"old\",\"seq\":1,\"time\":\"2026-11-24T13:30:17.000000Z\","
        "\"level\":\"info\",\"msg\":\"m\",\"uid\":1,\"user_id\":2,\"user\":\"o\","
        "\"user_name\":\"n\",\"uid\":3}",
        &e, &msg);
    cr_assert_str_eq(e.source, "new");
    cr_assert_str_eq(e.user, "n");
    cr_assert_eq(e.uid, 2);
    sbuf_free(&msg);
}

Test(fields, names_too_long_for_their_field_are_cut_with_a_marker_not_refused)
{
    char line[1200], name[600];
    struct log_entry e;
    struct sbuf msg;

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(line, sizeof(line),
             "{\"seq\":1,\"time\":\"2026-11-24T13:30:17.000000Z\",\"level\":\"info\",\"msg\":\"m\","
             "\"logger\":\"%.40s\",\"user_name\":\"%s\"}",
             name, name);
    sbuf_init(&msg, 0);
    must_parse(line, &e, &msg);
    cr_assert_eq(strlen(e.user), LOG_USER_MAX - 1);
    cr_assert_str_eq(e.user + LOG_USER_MAX - 1 - JSON_CUT_MARK_LEN, JSON_CUT_MARK);
    cr_assert_str_eq(e.source + strlen(e.source) - JSON_CUT_MARK_LEN, JSON_CUT_MARK);
    sbuf_free(&msg);
}

Test(fields, the_host_name_is_written_only_when_set)
{
    struct log_entry e = entry("worker", "hb", NULL), back;
    struct sbuf b, msg;

    sbuf_init(&b, 0);
    sbuf_init(&msg, 0);
    e.seq = 1;
    e.time_us = 1795525932123456LL;
    logline_format(&e, &b);
    cr_assert_null(strstr(b.p, "host"), "%s", b.p);
    e.host = "";
    sbuf_reset(&b);
    logline_format(&e, &b);
    cr_assert_null(strstr(b.p, "host"), "%s", b.p);
    e.host = "web-01.example.org";
    sbuf_reset(&b);
    logline_format(&e, &b);
    cr_assert(strstr(b.p, ",\"host_name\":\"web-01.example.org\"}\n"), "%s", b.p);
    cr_assert_eq(logline_parse(b.p, b.len - 1, &back, &msg), 0);
    cr_assert_str_eq(back.host, "web-01.example.org");
    cr_assert_eq(back.msg_len, 2, "the host is not part of the message");
    cr_assert_arr_eq(back.msg, "hb", 2);
    sbuf_free(&b);
    sbuf_free(&msg);
}

/* ---- property: whatever the strings, the writer's entry reads back -------- */

static unsigned long long rng;

static unsigned next_rand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng >> 33);
}

/* Hostile text: pieces that need escaping or repair, and random bytes. */
static size_t hostile(char *out, size_t cap, int allow_nul)
{
    static const char *const pieces[] = {"\\",
                                         "\"",
                                         "\\u0000",
                                         "\\\\\\\"",
                                         "DOMAIN\\",
                                         "\n",
                                         "\r\n",
                                         "\t",
                                         "\x1b[2J",
                                         "\x7f",
                                         "\xff",
                                         "\xc0\xaf",
                                         "\xed\xa0\x80",
                                         "\xf0\x9f\x98\x80",
                                         "\xea\xb5",
                                         "구동중",
                                         "}",
                                         "{\"seq\":1}",
                                         ",\"msg\":\"x\"",
                                         "\xe2\x80\xa6",
                                         "\xf4\x90\x80\x80",
                                         "\xef\xbf\xbd",
                                         " ",
                                         "plain"};
    size_t want = next_rand() % 8 == 0 ? cap - 1 : next_rand() % (cap < 300 ? cap : 300);
    size_t n = 0;

    while (n < want) {
        if (next_rand() % 3 == 0) {
            const char *p = pieces[next_rand() % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t l = strlen(p);
            if (n + l > want)
                break;
            memcpy(out + n, p, l);
            n += l;
        } else {
            char c = (char)(next_rand() & 0xff);
            if (c == 0 && !allow_nul)
                c = 'z';
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return n;
}

struct case_ {
    struct log_entry e;
    char msg[12000];
    char want_msg[3 * 12000];
    size_t want_len;
    char want_user[LOG_USER_MAX], want_source[LOG_SOURCE_MAX];
};

/* A random entry and what a reader must find in it. */
static void make_case(struct case_ *c)
{
    struct sbuf repaired;

    memset(&c->e, 0, sizeof(c->e));
    c->e.level = (enum log_level)(1 + next_rand() % 5);
    c->e.time_us = 1795525932123456LL + next_rand();
    hostile(c->e.source, sizeof(c->e.source), 0);
    hostile(c->e.user, sizeof(c->e.user), 0);
    c->e.uid = next_rand() % 2 ? (long)(next_rand() % 100000) : -1;
    c->e.pid = next_rand() % 2 ? (long)(next_rand() % 100000) : -1;
    c->e.msg_len = hostile(c->msg, next_rand() % 16 == 0 ? sizeof(c->msg) : 400, 1);
    c->e.msg = c->msg;
    sbuf_init(&repaired, 0);
    json_utf8_append(&repaired, c->msg, c->e.msg_len);
    memcpy(c->want_msg, repaired.p ? repaired.p : "", repaired.len);
    c->want_len = repaired.len;
    sbuf_free(&repaired);
    json_utf8_fit(c->want_user, sizeof(c->want_user), c->e.user, strlen(c->e.user));
    json_utf8_fit(c->want_source, sizeof(c->want_source), c->e.source, strlen(c->e.source));
}

static void expect_same(const struct case_ *c, const struct log_entry *got, const char *where)
{
    cr_assert_eq(got->level, c->e.level, "%s", where);
    cr_assert_eq(got->time_us, c->e.time_us, "%s", where);
    cr_assert_str_eq(got->source, c->want_source, "%s", where);
    cr_assert_str_eq(got->user, c->want_user, "%s", where);
    cr_assert_eq(got->uid, c->e.uid, "%s", where);
    cr_assert_eq(got->pid, c->e.pid, "%s", where);
    cr_assert_eq(got->msg_len, c->want_len, "%s", where);
    cr_assert_arr_eq(got->msg, c->want_msg, c->want_len, "%s", where);
}

Test(fields, random_hostile_strings_round_trip_through_format_and_parse)
{
    static struct case_ c;
    struct log_entry back;
    struct sbuf line, msg;

    rng = 20261201;
    sbuf_init(&line, 0);
    sbuf_init(&msg, 0);
    for (int i = 0; i < 3000; i++) {
        char where[64];
        make_case(&c);
        c.e.seq = (uint64_t)i + 1;
        sbuf_reset(&line);
        cr_assert_eq(logline_format(&c.e, &line), 0);
        cr_assert_eq(memchr(line.p, '\n', line.len - 1), NULL, "one line");
        cr_assert(json_utf8_valid(line.p, line.len), "valid UTF-8");
        snprintf(where, sizeof(where), "case %d (seed 20261201)", i);
        cr_assert_eq(logline_parse(line.p, line.len - 1, &back, &msg), 0, "%s: %s", where, line.p);
        expect_same(&c, &back, where);
        /* Fitted values are stored as they read: writing them again is the
         * same line. */
        struct sbuf again;
        sbuf_init(&again, 0);
        logline_format(&back, &again);
        cr_assert_str_eq(again.p, line.p, "%s", where);
        sbuf_free(&again);
    }
    sbuf_free(&line);
    sbuf_free(&msg);
}

TestSuite(hostile_store, .init = setup, .fini = teardown);

/* The same entries through the real store: appended (synced, as audit
 * entries are), the store reopened as after a kill, then read back. Recovery
 * must cut nothing, the sequence must continue, and every entry reads back
 * whole. */
Test(hostile_store, recovery_never_cuts_an_entry_the_writer_wrote)
{
    enum { N = 300 };
    static struct case_ cases[N];
    struct logstore ls;
    struct logreader r;
    struct log_entry e;

    rng = 7;
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    for (int i = 0; i < N; i++) {
        make_case(&cases[i]);
        cr_assert_eq(logstore_append(&ls, &cases[i].e, i % 7 == 0, 0), 0, "case %d", i);
        /* Reopen often: every entry gets to be the last one recovery sees. */
        if (i % 5 == 4) {
            uint64_t size = ls.size;
            logstore_close(&ls);
            cr_assert_eq(logstore_open(&ls, dir, 0), 0);
            cr_assert_eq(ls.torn_bytes, 0, "case %d (seed 7): recovery cut the last entry", i);
            cr_assert_eq(ls.size, size);
            cr_assert_eq(ls.last_seq, (uint64_t)i + 1);
        }
    }
    logstore_close(&ls);
    cr_assert_eq(logstore_open(&ls, dir, 0), 0);
    cr_assert_eq(ls.torn_bytes, 0);
    cr_assert_eq(ls.last_seq, N);
    cr_assert_eq(logreader_open_tail(&r, ls.path, UINT32_MAX), 0);
    for (int i = 0; i < N; i++) {
        char where[48];
        snprintf(where, sizeof(where), "case %d (seed 7)", i);
        cr_assert_eq(logreader_next(&r, &e), 1, "%s", where);
        cr_assert_eq(e.seq, (uint64_t)i + 1, "%s", where);
        expect_same(&cases[i], &e, where);
    }
    cr_assert_eq(logreader_next(&r, &e), 0);
    cr_assert_eq(r.skipped, 0);
    logreader_close(&r);
    logstore_close(&ls);
}

TestSuite(group, .init = setup, .fini = teardown);

static void expect_shared(const char *path, gid_t gid, unsigned mode)
{
    struct stat st;

    cr_assert_eq(stat(path, &st), 0, "%s", path);
    cr_assert_eq(st.st_gid, gid, "%s: group %u", path, (unsigned)st.st_gid);
    cr_assert_eq(st.st_mode & 07777, mode, "%s: mode %o", path, st.st_mode & 07777);
}

/* The unit half of log_group (tests/test_integration.c reads the files as
 * real members and non-members): every file of the set, the ones created
 * later included, and the directory. As root any gid will do; otherwise the
 * process's own. */
Test(group, the_directory_and_every_file_go_to_the_log_group)
{
    gid_t gid = geteuid() == 0 ? 54321 : getegid();
    struct logstore ls;
    struct logfiles set;
    struct log_entry e;
    char state[300];

    snprintf(state, sizeof(state), "%s/state", dir);
    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    logstore_set_rotation(&ls, 4096, 10, 0);
    for (int i = 0; i < 100; i++) {
        e = entry("worker", "a heartbeat of some length, to rotate every forty entries", NULL);
        cr_assert_eq(logstore_append(&ls, &e, 0, 0), 0);
    }
    cr_assert_eq(logstore_set_group(&ls, (long)gid), 0);
    expect_shared(state, gid, 0750); /* was 0700 (private) */
    cr_assert_eq(logfiles_load(ls.path, &set), 0);
    cr_assert_geq(set.n, 3, "rotated at least twice");
    for (size_t i = 0; i < set.n; i++)
        expect_shared(set.v[i].path, gid, 0640);
    logfiles_free(&set);
    uint64_t rotations = ls.rotations;
    for (int i = 0; i < 100; i++) {
        e = entry("worker", "a heartbeat of some length, to rotate every forty entries", NULL);
        cr_assert_eq(logstore_append(&ls, &e, 0, 0), 0);
    }
    cr_assert_gt(ls.rotations, rotations);
    expect_shared(ls.path, gid, 0640); /* created by a rotation after the setting */
    logstore_close(&ls);
}
