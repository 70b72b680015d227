/* The log writer under a faulty file system: logfs.h's seam is swapped for
 * one that fails the k-th call of one kind (append: EIO, ENOSPC, or a short
 * write that really writes a prefix; sync: EIO; rename: EIO; open: ENOENT,
 * ENOSPC; truncate), for one call or a burst, at every call position of a
 * scripted run of appends, syncs, rotations, close and reopen. After each,
 * the files are read back, raw and with the real reader: every entry at most
 * once, in seq order, exactly the entries the API said it wrote, what was
 * acknowledged durable was synced, no file ever shorter, and the store works
 * again once the faults stop. (A truncate fault can be armed too, but every
 * run asserts that the writer makes no truncate call at all.) Then the same at svc.c's level:
 * degraded on a failed sync, never an entry twice, and no crash when the directory goes. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "logfiles.h"
#include "logfs.h"
#include "logline.h"
#include "logread.h"
#include "logstore.h"
#include "svc.h"
#include "logtest.h"
#include "tmpdir.h"

/* ---- the faulty file system ---------------------------------------------- */

enum call { CALL_APPEND, CALL_SYNC, CALL_RENAME, CALL_OPEN, CALL_TRUNCATE, CALLS };

static const char *call_name[CALLS] = {"append", "sync", "rename", "open_append", "truncate"};

static struct {
    unsigned calls[CALLS]; /* made so far, faulted or not */
    int armed;
    enum call on;         /* the kind that fails, */
    unsigned from, count; /* its calls number from .. from+count-1 (1-based) */
    int err;              /* with this error */
    int short_write;      /* an append writes half its bytes first (2: all but the last) */
    fs_file *synced_f;    /* the last file a sync succeeded on */
    uint64_t synced_size; /* and its size then */
} fx;

static int faulted(enum call c)
{
    unsigned n = ++fx.calls[c];

    return fx.armed && c == fx.on && n >= fx.from && n < fx.from + fx.count;
}

static int faulty_append(fs_file *f, const void *data, size_t n)
{
    if (faulted(CALL_APPEND)) {
        size_t part = fx.short_write == 2 ? n - 1 : n / 2;
        if (fx.short_write && part > 0 && logfs_real.append(f, data, part) < 0)
            cr_assert_fail("the real append of a short write failed");
        return fx.err;
    }
    return logfs_real.append(f, data, n);
}

static int faulty_sync(fs_file *f)
{
    if (faulted(CALL_SYNC))
        return fx.err;
    /* No power is cut here, so what a sync makes durable is what this
     * records, not the disk: the real fdatasync would only cost time (the
     * sweeps make thousands). */
    fx.synced_f = f;
    cr_assert_eq(logfs_real.size(f, &fx.synced_size), 0);
    return 0;
}

static int faulty_rename(const char *from, const char *to)
{
    return faulted(CALL_RENAME) ? fx.err : logfs_real.rename(from, to);
}

/* Rotation renames with rename_noreplace (never over a file): the same
 * call position as a rename. */
static int faulty_rename_noreplace(const char *from, const char *to)
{
    return faulted(CALL_RENAME) ? fx.err : logfs_real.rename_noreplace(from, to);
}

static int faulty_open_append(const char *path, fs_file **out)
{
    if (faulted(CALL_OPEN))
        return fx.err;
    fx.synced_f = NULL; /* a new handle may reuse a closed one's address */
    return logfs_real.open_append(path, out);
}

static int faulty_truncate(fs_file *f, uint64_t size)
{
    return faulted(CALL_TRUNCATE) ? fx.err : logfs_real.truncate(f, size);
}

static struct logfs faulty;

static void use_faulty_fs(void)
{
    faulty = logfs_real;
    faulty.append = faulty_append;
    faulty.sync = faulty_sync;
    faulty.rename = faulty_rename;
    faulty.rename_noreplace = faulty_rename_noreplace;
    faulty.open_append = faulty_open_append;
    faulty.truncate = faulty_truncate;
    memset(&fx, 0, sizeof(fx));
    logfs = &faulty;
}

static void arm(enum call on, unsigned from, unsigned count, int err, int short_write)
{
    fx.on = on;
    fx.from = from;
    fx.count = count;
    fx.err = err;
    fx.short_write = short_write;
    fx.armed = 1;
}

/* ---- files on disk ---------------------------------------------------------- */

static char dir[256], state[300], logpath[340];

static void setup(void)
{
    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(logpath, sizeof(logpath), "%s/svcd.log", state);
    use_faulty_fs();
}

static void teardown(void)
{
    logfs = &logfs_real;
    tmpdir_remove(dir);
}

TestSuite(logfaults, .init = setup, .fini = teardown, .timeout = 240);

#define MAX_FILES 32

/* Every file of the log (svcd.log*) by inode, with its size: a file may
 * grow or be renamed, never shrink or vanish (nothing here prunes). */
struct snapshot {
    size_t n;
    ino_t ino[MAX_FILES];
    off_t size[MAX_FILES];
    char name[MAX_FILES][256];
};

static void take_snapshot(struct snapshot *s)
{
    DIR *d = opendir(state);
    struct dirent *de;
    char path[700];
    struct stat st;

    s->n = 0;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, LOGSTORE_FILE, strlen(LOGSTORE_FILE)) != 0)
            continue; /* the log's files only (other state may be replaced whole) */
        snprintf(path, sizeof(path), "%s/%s", state, de->d_name);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_lt(s->n, MAX_FILES);
        snprintf(s->name[s->n], sizeof(s->name[0]), "%s", de->d_name);
        s->ino[s->n] = st.st_ino;
        s->size[s->n++] = st.st_size;
    }
    closedir(d);
}

static void assert_nothing_shrank(const struct snapshot *before, const struct snapshot *after,
                                  const char *where)
{
    for (size_t i = 0; i < before->n; i++) {
        size_t j = 0;
        while (j < after->n && after->ino[j] != before->ino[i])
            j++;
        cr_assert_lt(j, after->n, "%s: %s (%lld bytes) vanished", where, before->name[i],
                     (long long)before->size[i]);
        cr_assert_geq(after->size[j], before->size[i], "%s: %s (now %s) shrank from %lld to %lld",
                      where, before->name[i], after->name[j], (long long)before->size[i],
                      (long long)after->size[j]);
    }
}

/* ---- the scripted run ------------------------------------------------------- */

#define MAX_SENT 128

/* What the API said about each entry it was given. */
struct sent {
    uint64_t seq;
    char msg[32];
};

struct run {
    struct logstore ls;
    int open;
    uint64_t now;
    struct sent written[MAX_SENT]; /* in the file, by the API's word */
    size_t n_written;
    size_t n_not_written;
    struct snapshot snap;
    char where[160];
};

/* a: an entry, D: a durable entry, S: a sync, R: close and reopen. Entries
 * are ~100 bytes and files rotate at 1 KiB, so rotations fall throughout. */
static const char script[] = "aaDaSaaDDaaaSaDaaRaaaDaSaaaDaaaaRDaaDaSaaaaDaDR";

static void run_append(struct run *r, int durable, int step)
{
    struct log_entry e;
    char msg[32];
    uint64_t before = r->ls.last_seq;
    int rc;

    snprintf(msg, sizeof(msg), "entry %03d", step);
    memset(&e, 0, sizeof(e));
    e.level = LOG_INFO;
    strcpy(e.source, "worker");
    e.msg = msg;
    e.msg_len = strlen(msg);
    e.uid = e.pid = -1;
    rc = logstore_append(&r->ls, &e, durable, r->now);
    cr_assert(rc == 0 || rc < 0 || (durable && rc == LOGSTORE_UNSYNCED),
              "%s: append of %s returned %d", r->where, msg, rc);
    if (rc < 0) {
        cr_assert_eq(r->ls.last_seq, before, "%s: a failed append used a seq", r->where);
        r->n_not_written++;
        return;
    }
    cr_assert_eq(e.seq, before + 1, "%s", r->where);
    cr_assert_eq(r->ls.last_seq, e.seq, "%s", r->where);
    cr_assert_lt(r->n_written, MAX_SENT);
    r->written[r->n_written].seq = e.seq;
    snprintf(r->written[r->n_written++].msg, sizeof(r->written[0].msg), "%s", msg);
    if (rc == LOGSTORE_UNSYNCED) {
        cr_assert_lt(r->ls.sync_error, 0, "%s: the sync error is kept", r->where);
        cr_assert_eq(r->ls.dirty, 1, "%s: a sync is owed", r->where);
    } else if (durable) {
        cr_assert_not_null(r->ls.f, "%s", r->where);
        cr_assert(fx.synced_f == r->ls.f && fx.synced_size == r->ls.size,
                  "%s: %s acknowledged durable but the file was not synced to its end", r->where,
                  msg);
        cr_assert_eq(r->ls.sync_error, 0, "%s", r->where);
    }
}

static void run_open(struct run *r)
{
    int rc = logstore_open(&r->ls, state, 0);

    if (rc < 0) {
        cr_assert_null(r->ls.f, "%s: a failed open leaves no file", r->where);
        return;
    }
    r->open = 1;
    logstore_set_rotation(&r->ls, 1024, 1000, 0);
}

static void run_step(struct run *r, char op, int step)
{
    r->now += 1000;
    if (!r->open) { /* a failed open: the service would not have started */
        if (op == 'R')
            run_open(r);
        return;
    }
    switch (op) {
    case 'a':
    case 'D':
        run_append(r, op == 'D', step);
        break;
    case 'S':
        if (logstore_sync_due(&r->ls, r->now, 0) == 0) {
            cr_assert_eq(r->ls.dirty, 0, "%s", r->where);
            if (r->ls.f && fx.synced_f == r->ls.f)
                cr_assert_eq(fx.synced_size, r->ls.size, "%s", r->where);
        } else {
            cr_assert_lt(r->ls.sync_error, 0, "%s", r->where);
        }
        break;
    case 'R':
        logstore_close(&r->ls);
        r->open = 0;
        run_open(r);
        break;
    default:
        cr_assert_fail("unknown op %c", op);
    }
}

/* Reads every file of the set, oldest first, line by line; every line that
 * parses is an entry and must be the next one the API said it wrote. */
static void check_raw_files(const struct run *r)
{
    struct logfiles set;
    struct sbuf msg;
    struct log_entry e;
    size_t k = 0, len;

    cr_assert_eq(logfiles_load(logpath, &set), 0, "%s", r->where);
    sbuf_init(&msg, 0);
    for (size_t i = 0; i < set.n; i++) {
        char *data = tmpdir_read(state, strrchr(set.v[i].path, '/') + 1, &len);
        cr_assert_not_null(data, "%s: %s", r->where, set.v[i].path);
        cr_assert(len == 0 || data[len - 1] == '\n', "%s: %s does not end with a whole line",
                  r->where, set.v[i].path);
        for (char *line = data; line < data + len;) {
            char *nl = memchr(line, '\n', (size_t)(data + len - line));
            cr_assert_not_null(nl);
            if (logline_parse(line, (size_t)(nl - line), &e, &msg) == 0) {
                cr_assert_lt(k, r->n_written, "%s: more entries in the files than written: #%llu",
                             r->where, (unsigned long long)e.seq);
                cr_assert_eq(e.seq, r->written[k].seq, "%s: entry %zu: seq %llu, want %llu",
                             r->where, k, (unsigned long long)e.seq,
                             (unsigned long long)r->written[k].seq);
                cr_assert(e.msg_len == strlen(r->written[k].msg) &&
                              memcmp(e.msg, r->written[k].msg, e.msg_len) == 0,
                          "%s: seq %llu holds %.*s, want %s", r->where, (unsigned long long)e.seq,
                          (int)e.msg_len, e.msg, r->written[k].msg);
                k++;
            }
            line = nl + 1;
        }
        free(data);
    }
    cr_assert_eq(k, r->n_written, "%s: %zu entries in the files, %zu written", r->where, k,
                 r->n_written);
    sbuf_free(&msg);
    logfiles_free(&set);
}

/* The real reader over the directory returns the same entries. */
static void check_reader(const struct run *r)
{
    struct logreader rd;
    struct log_entry e;
    size_t k = 0;
    int rc;

    cr_assert_eq(logreader_open(&rd, logpath, NULL, UINT32_MAX, 0, NULL), 0, "%s", r->where);
    while ((rc = logreader_next(&rd, &e)) == 1) {
        cr_assert_lt(k, r->n_written, "%s: the reader returns more than was written", r->where);
        cr_assert_eq(e.seq, r->written[k].seq, "%s: reader entry %zu", r->where, k);
        cr_assert(e.msg_len == strlen(r->written[k].msg) &&
                      memcmp(e.msg, r->written[k].msg, e.msg_len) == 0,
                  "%s: reader entry %zu", r->where, k);
        k++;
    }
    cr_assert_eq(rc, 0, "%s", r->where);
    cr_assert_eq(k, r->n_written, "%s: the reader returned %zu of %zu", r->where, k, r->n_written);
    logreader_close(&rd);
}

/* Runs the script with the fault armed (or none), then without faults:
 * three durable entries must be acknowledged, and again after a reopen.
 * Returns how many entries the API refused. */
static size_t run_script(const char *where)
{
    static struct run r;
    struct snapshot now;

    memset(&r, 0, sizeof(r));
    snprintf(r.where, sizeof(r.where), "%s", where);
    run_open(&r);
    cr_assert(r.open || fx.armed, "%s: the first open fails without a fault", where);
    for (int i = 0; script[i]; i++) {
        run_step(&r, script[i], i);
        take_snapshot(&now);
        assert_nothing_shrank(&r.snap, &now, where);
        r.snap = now;
    }
    fx.armed = 0; /* the faults stop: the store works again */
    if (!r.open)
        run_open(&r);
    cr_assert(r.open, "%s: cannot open once the faults stopped", where);
    size_t refused = r.n_not_written;
    for (int i = 0; i < 3; i++) {
        size_t before = r.n_written;
        run_append(&r, 1, 900 + i);
        cr_assert_eq(r.n_written, before + 1, "%s: a durable append after the faults stopped",
                     where);
        cr_assert_eq(r.ls.sync_error, 0, "%s", where);
    }
    logstore_close(&r.ls);
    r.open = 0;
    run_open(&r);
    cr_assert(r.open, "%s", where);
    run_append(&r, 1, 999);
    cr_assert_eq(r.n_not_written, refused, "%s: an append failed after the faults stopped", where);
    logstore_close(&r.ls);
    take_snapshot(&now);
    assert_nothing_shrank(&r.snap, &now, where);
    check_raw_files(&r);
    check_reader(&r);
    cr_assert_eq(fx.calls[CALL_TRUNCATE], 0, "%s: the writer truncated a file", where);
    return refused;
}

struct variant {
    const char *name;
    int err;
    int short_write;
};

/* Every position of `on`'s calls in the script, each variant, failing one
 * call and a burst of three. */
static void sweep(enum call on, const struct variant *v, size_t nv)
{
    unsigned total;
    char where[160];
    int faults = 0, refusals = 0;

    run_script("no fault");
    total = fx.calls[on];
    cr_assert_gt(total, 0, "the script makes %s calls", call_name[on]);
    for (unsigned k = 1; k <= total; k++) {
        for (size_t i = 0; i < nv; i++) {
            for (unsigned count = 1; count <= 3; count += 2) {
                tmpdir_remove(state);
                memset(&fx, 0, sizeof(fx));
                arm(on, k, count, v[i].err, v[i].short_write);
                snprintf(where, sizeof(where), "%s call %u of %u: %s x%u", call_name[on], k, total,
                         v[i].name, count);
                refusals += run_script(where) > 0;
                faults++;
            }
        }
    }
    cr_log_info("%s: %d faulted runs, %d with entries refused", call_name[on], faults, refusals);
}

Test(logfaults, append_failures_at_every_position)
{
    static const struct variant v[] = {{"EIO", ERR_IO, 0},
                                       {"ENOSPC", ERR_NOSPC, 0},
                                       {"short write", ERR_NOSPC, 1},
                                       {"all but the newline", ERR_NOSPC, 2}};
    sweep(CALL_APPEND, v, 4);
}

Test(logfaults, sync_failures_at_every_position)
{
    static const struct variant v[] = {{"EIO", ERR_IO, 0}};
    sweep(CALL_SYNC, v, 1);
}

Test(logfaults, rename_failures_at_every_position)
{
    static const struct variant v[] = {{"EIO", ERR_IO, 0}};
    sweep(CALL_RENAME, v, 1);
}

Test(logfaults, open_failures_at_every_position)
{
    static const struct variant v[] = {{"ENOENT", ERR_NOENT, 0}, {"ENOSPC", ERR_NOSPC, 0}};
    sweep(CALL_OPEN, v, 2);
}

/* ---- the cases by name -------------------------------------------------------- */

static int append_msg(struct logstore *ls, const char *msg, int durable, uint64_t now)
{
    return logtest_append(ls, msg, durable, now);
}

/* Counts the lines of every file of the log that parse and hold `msg`. */
static int count_entries(const char *msg)
{
    struct logreader rd;
    struct log_entry e;
    int n = 0;

    cr_assert_eq(logreader_open(&rd, logpath, NULL, UINT32_MAX, 0, NULL), 0);
    while (logreader_next(&rd, &e) == 1)
        n += e.msg_len == strlen(msg) && memcmp(e.msg, msg, e.msg_len) == 0;
    logreader_close(&rd);
    return n;
}

/* A failed sync after the line was written: the entry is in the file once,
 * LOGSTORE_UNSYNCED says so, and the sync (not the write) is what is owed. */
Test(logfaults, a_failed_sync_is_owed_as_a_sync_never_a_second_write)
{
    struct logstore ls;
    uint64_t size;

    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    arm(CALL_SYNC, 1, 3, ERR_IO, 0);
    cr_assert_eq(append_msg(&ls, "paused by alice", 1, 1), LOGSTORE_UNSYNCED);
    cr_assert_eq(ls.last_seq, 1, "written: the seq is used");
    cr_assert_eq(ls.sync_error, ERR_IO);
    size = ls.size;
    unsigned appends = fx.calls[CALL_APPEND];
    cr_assert_eq(logstore_sync(&ls, 2), ERR_IO);
    cr_assert_eq(logstore_sync_due(&ls, 3, 1000000), ERR_IO, "owed: retried without a window");
    cr_assert_eq(fx.calls[CALL_APPEND], appends, "retried as a sync, never as a write");
    cr_assert_eq(ls.size, size);
    cr_assert_eq(logstore_sync_due(&ls, 4, 1000000), 0);
    cr_assert_eq(ls.sync_error, 0);
    cr_assert_eq(ls.dirty, 0);
    cr_assert_eq(append_msg(&ls, "next", 1, 5), 0);
    logstore_close(&ls);
    cr_assert_eq(count_entries("paused by alice"), 1);
}

/* A short write (a full disk mid-line) leaves a prefix: it is ended with a
 * newline, never cut, and the entry counts as not written; when even the
 * newline fails it is ended before the next entry. */
Test(logfaults, a_short_write_is_ended_with_a_newline_not_truncated)
{
    struct logstore ls;
    size_t len;

    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    cr_assert_eq(append_msg(&ls, "one", 1, 1), 0);
    uint64_t before = ls.size;
    arm(CALL_APPEND, fx.calls[CALL_APPEND] + 1, 2, ERR_NOSPC, 1); /* the line, then its newline */
    cr_assert_eq(append_msg(&ls, "two", 1, 2), ERR_NOSPC);
    cr_assert_eq(ls.last_seq, 1, "not written: the seq is not used");
    cr_assert_eq(ls.mid_line, 1, "the newline could not be written either");
    cr_assert_eq(append_msg(&ls, "two again", 1, 3), 0);
    cr_assert_eq(ls.last_seq, 2);
    logstore_close(&ls);
    char *data = tmpdir_read(state, "svcd.log", &len);
    cr_assert_gt(len, before);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    cr_assert_eq(lines, 3, "one, the ended fragment, two again: %s", data);
    free(data);
    cr_assert_eq(count_entries("two again"), 1);
    cr_assert_eq(fx.calls[CALL_TRUNCATE], 0);
}

/* A full disk that takes all of an entry but its newline: the entry reads
 * whole once the newline is there, so it counts as written; the caller must
 * not write it again under the same seq (a shipper would get it twice). */
Test(logfaults, a_short_write_missing_only_the_newline_is_the_entry_written_once)
{
    struct logstore ls;
    size_t len;

    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    cr_assert_eq(append_msg(&ls, "one", 1, 1), 0);
    arm(CALL_APPEND, fx.calls[CALL_APPEND] + 1, 1, ERR_NOSPC, 2);
    cr_assert_eq(append_msg(&ls, "two", 1, 2), 0, "written, all but the newline, now ended");
    cr_assert_eq(ls.last_seq, 2);
    cr_assert_eq(append_msg(&ls, "three", 1, 3), 0);
    logstore_close(&ls);
    char *data = tmpdir_read(state, "svcd.log", &len);
    cr_assert_not_null(data);
    int twos = 0;
    for (const char *p = data; (p = strstr(p, "\"seq\":2,")) != NULL; p++)
        twos++;
    cr_assert_eq(twos, 1, "seq 2 once in the file: %s", data);
    cr_assert(strstr(data, "\"msg\":\"two\"}\n{\"seq\":3,"), "%s", data);
    free(data);
}

/* Issue 12 item 9: the rotation's reopen fails (no inodes left). The store
 * has no open file, says why, fails appends without touching a NULL handle,
 * and recovers at the first append once the file can be created. */
Test(logfaults, a_rotation_that_cannot_reopen_the_log_recovers_without_a_crash)
{
    struct logstore ls;
    char msg[64];
    int i = 0, rc;

    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    logstore_set_rotation(&ls, 1024, 10, 0);
    arm(CALL_OPEN, 2, 5, ERR_NOSPC, 0); /* the first reopen and four retries */
    rc = 0;
    while (rc == 0 && i < 100) {
        snprintf(msg, sizeof(msg), "entry %03d padding padding padding padding", i++);
        rc = append_msg(&ls, msg, 1, (uint64_t)i);
    }
    cr_assert_eq(rc, ERR_NOSPC);
    /* That rotation renamed svcd.log away and could not create a new one;
     * the entry that triggered it was refused. */
    cr_assert_eq(ls.rotations, 1);
    cr_assert_null(ls.f);
    cr_assert_eq(ls.open_error, ERR_NOSPC);
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(append_msg(&ls, "refused", 1, 1000), ERR_NOSPC);
        cr_assert_eq(logstore_sync_due(&ls, 1000, 0), 0, "nothing to sync, no handle touched");
        cr_assert_null(ls.f);
    }
    cr_assert_eq(append_msg(&ls, "back", 1, 2000), 0);
    cr_assert_not_null(ls.f);
    cr_assert_eq(ls.open_error, 0);
    logstore_close(&ls);
    logstore_close(&ls); /* closing twice touches nothing */
    cr_assert_eq(count_entries("back"), 1);
    cr_assert_eq(count_entries("refused"), 0);
}

/* rm -rf of the state directory under a running store with small files:
 * the rotation finds nothing to rename and begins a new file in a
 * recreated directory; no append fails, nothing crashes. */
Test(logfaults, a_removed_state_directory_is_recreated_at_the_next_rotation)
{
    struct logstore ls;
    struct stat st;
    char msg[64];

    logfs = &logfs_real;
    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    logstore_set_rotation(&ls, 1024, 10, 0);
    cr_assert_eq(append_msg(&ls, "before", 1, 0), 0);
    tmpdir_remove(state);
    for (int i = 0; i < 20; i++) {
        snprintf(msg, sizeof(msg), "entry %03d padding padding padding padding", i);
        cr_assert_eq(append_msg(&ls, msg, 1, (uint64_t)i + 1), 0, "entry %d", i);
    }
    cr_assert_geq(ls.rotations, 1);
    cr_assert_eq(ls.rotate_blocked, 0, "a file that is gone blocks no rotation");
    cr_assert_eq(stat(state, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700);
    logstore_close(&ls);
    cr_assert_eq(count_entries("entry 019 padding padding padding padding"), 1);
}

/* The state directory removed under a running store with small files
 * (rm -rf by a cleanup job): at the next rotation the store recreates it
 * with the mode logstore_open gives it and goes on, no crash. Where it
 * cannot be recreated (a file took its place), appends fail with the reason
 * and succeed once the way is clear. */
Test(logfaults, the_state_directory_removed_at_rotation_is_recreated)
{
    struct logstore ls;
    struct stat st;
    char msg[64];
    int i = 0;

    logfs = &logfs_real;
    cr_assert_eq(logstore_open(&ls, state, 0), 0);
    logstore_set_rotation(&ls, 1024, 10, 0);
    append_msg(&ls, "before", 1, 0);
    tmpdir_remove(state);
    cr_assert_eq(tmpdir_write(dir, "state", "x", 1), 0); /* in the directory's way */
    int rc = 0;
    for (; i < 100 && rc == 0; i++) {
        snprintf(msg, sizeof(msg), "entry %03d padding padding padding padding", i);
        rc = append_msg(&ls, msg, 1, (uint64_t)i);
    }
    cr_assert_lt(rc, 0, "the rotation could not recreate the directory");
    cr_assert_null(ls.f);
    cr_assert_neq(ls.open_error, 0);
    cr_assert_lt(append_msg(&ls, "still refused", 1, 1000), 0);
    cr_assert_eq(unlink(state), 0);
    cr_assert_eq(append_msg(&ls, "back", 1, 2000), 0);
    cr_assert_eq(stat(state, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0700, "recreated private, as logstore_open makes it");
    logstore_close(&ls);
    cr_assert_eq(count_entries("back"), 1);
    cr_assert_eq(count_entries("still refused"), 0);
}

/* ---- svc.c: degraded mode and held entries --------------------------------------- */

static struct svc s;
static struct ipc_peer alice = {.pid = 4242, .uid = 3999001, .gid = 0, .name = "alice"};

static void start_svc_with(uint64_t rotate_size, uint64_t interval_us, uint64_t flush_window_us)
{
    struct config cfg;

    config_defaults(&cfg, 0);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state);
    cfg.interval_us = interval_us;
    cfg.flush_window_us = flush_window_us;
    if (rotate_size) {
        cfg.rotate_size = rotate_size;
        cfg.rotate_min_age_us = 0; /* rotate as soon as it is full */
    }
    cr_assert_eq(svc_start(&s, &cfg, 0), 0);
}

static void start_svc(uint64_t rotate_size)
{
    start_svc_with(rotate_size, 3600ull * 1000000ull, 1000000); /* no heartbeat in the test */
}

/* Issue 12 item 2's reproduction: fsync fails (EIO) for several retries
 * after `pause`. The entry is in the file once; the status is degraded with
 * the sync error meanwhile and recovers once a sync works. */
Test(logfaults, svc_a_pause_while_fsync_fails_is_written_once_and_degrades_the_status)
{
    char msg[256];

    start_svc(0);
    arm(CALL_SYNC, fx.calls[CALL_SYNC] + 1, 7, ERR_IO, 0);
    cr_assert_eq(svc_pause(&s, &alice, msg, sizeof(msg)), 1);
    cr_assert_eq(s.degraded, 1, "a failed sync degrades the status");
    cr_assert(strstr(s.degraded_error, "cannot sync ") && strstr(s.degraded_error, "svcd.log"),
              "%s", s.degraded_error);
    cr_assert(strstr(s.degraded_error, err_str(ERR_IO)), "%s", s.degraded_error);
    cr_assert_eq(s.held.n, 0, "a written entry is not held");
    for (int i = 0; i < 20 && s.degraded; i++)
        svc_tick(&s);
    cr_assert_eq(s.degraded, 0, "the sync worked again");
    cr_assert_geq(fx.calls[CALL_SYNC], 8, "the sync was retried");
    svc_finish(&s);
    cr_assert_eq(count_entries("paused by alice (uid 3999001, pid 4242)"), 1,
                 "the pause is in the log exactly once");
    struct logreader rd;
    struct log_entry e;
    int recovered = 0;
    uint64_t prev = 0;
    cr_assert_eq(logreader_open(&rd, logpath, NULL, UINT32_MAX, 0, NULL), 0);
    while (logreader_next(&rd, &e) == 1) {
        cr_assert_eq(e.seq, prev + 1, "consecutive");
        prev = e.seq;
        recovered += e.msg_len > 20 && memcmp(e.msg, "log writable again after ", 25) == 0 &&
                     strstr(e.msg, "cannot sync ") != NULL;
    }
    logreader_close(&rd);
    cr_assert_eq(recovered, 1, "the recovery names the sync error");
}

/* Heartbeats are synced by the flush window, not one by one: when that
 * sync fails the status degrades too, no heartbeat is written twice, and
 * the status recovers once a sync works. */
Test(logfaults, svc_a_failed_flush_window_sync_degrades_and_writes_each_heartbeat_once)
{
    start_svc_with(0, 5000, 0);
    arm(CALL_SYNC, fx.calls[CALL_SYNC] + 1, 5, ERR_IO, 0);
    for (int i = 0; i < 200 && !s.degraded; i++) {
        usleep(6000);
        svc_tick(&s);
    }
    cr_assert_eq(s.degraded, 1);
    cr_assert(strstr(s.degraded_error, "cannot sync "), "%s", s.degraded_error);
    for (int i = 0; i < 200 && s.degraded; i++) {
        usleep(6000);
        svc_tick(&s);
    }
    cr_assert_eq(s.degraded, 0, "%s", s.degraded_error);
    cr_assert_eq(s.held.n, 0);
    svc_finish(&s);
    struct logreader rd;
    struct log_entry e;
    uint64_t prev = 0;
    int beats = 0;
    char seen[64][64];
    cr_assert_eq(logreader_open(&rd, logpath, NULL, UINT32_MAX, 0, NULL), 0);
    while (logreader_next(&rd, &e) == 1) {
        cr_assert_eq(e.seq, prev + 1, "consecutive");
        prev = e.seq;
        if (strcmp(e.source, "worker") != 0)
            continue;
        cr_assert_lt(e.msg_len, sizeof(seen[0]));
        for (int i = 0; i < beats && i < 64; i++)
            cr_assert(strlen(seen[i]) != e.msg_len || memcmp(seen[i], e.msg, e.msg_len) != 0,
                      "heartbeat %.*s twice", (int)e.msg_len, e.msg);
        if (beats < 64)
            snprintf(seen[beats], sizeof(seen[0]), "%.*s", (int)e.msg_len, e.msg);
        beats++;
    }
    logreader_close(&rd);
    cr_assert_gt(beats, 1);
}

/* Issue 12 item 9 at the service's level: the state directory is replaced
 * by a file while svcd runs with small files. At the rotation the log
 * cannot be reopened: svcd degrades with the reason and holds entries (old
 * code: segfault in the next append), then recreates the directory and
 * writes them once the way is clear. */
Test(logfaults, svc_a_lost_state_directory_degrades_holds_and_recovers)
{
    int i = 0;

    start_svc(4096);
    tmpdir_remove(state);
    cr_assert_eq(tmpdir_write(dir, "state", "x", 1), 0);
    while (!s.degraded && i < 200) {
        svc_audit(&s, &alice, "status", 1, NULL);
        i++;
    }
    cr_assert_eq(s.degraded, 1, "the rotation could not reopen the log");
    cr_assert(strstr(s.degraded_error, "cannot write "), "%s", s.degraded_error);
    cr_assert_null(s.log.f);
    cr_assert_gt(s.held.n, 0);
    svc_audit(&s, &alice, "held", 1, NULL);
    svc_tick(&s);
    cr_assert_eq(s.degraded, 1, "still in the way");
    cr_assert_eq(unlink(state), 0);
    svc_tick(&s);
    cr_assert_eq(s.degraded, 0, "%s", s.degraded_error);
    cr_assert_eq(s.held.n, 0);
    svc_finish(&s);
    cr_assert_eq(count_entries("held by alice (uid 3999001, pid 4242): granted"), 1);
}

/* Issue 12 item 5: a torn tail after a crash. A shipper may have read it, so
 * it is never cut: it stays (ended with a newline) in the file, which is
 * rotated, and the new svcd.log begins with the entry that says what was
 * found, after which entry, continuing the sequence after it. */
Test(logfaults, svc_a_torn_tail_is_kept_and_the_new_file_begins_with_the_recovered_entry)
{
    const char torn[] = "{\"seq\":3,\"time\":\"2026-11-";
    char path[400], want[160];
    struct stat st;
    size_t len;

    logfs = &logfs_real;
    start_svc(0);
    svc_finish(&s); /* started, stopped: seqs 1 and 2 */
    FILE *f = fopen(logpath, "ab");
    cr_assert_not_null(f);
    fwrite(torn, 1, sizeof(torn) - 1, f);
    fclose(f);
    cr_assert_eq(stat(logpath, &st), 0);
    off_t before = st.st_size;
    start_svc(0);
    svc_finish(&s);
    snprintf(path, sizeof(path), "%s/svcd.log.000000000001", state);
    cr_assert_eq(stat(path, &st), 0, "the torn file was rotated");
    cr_assert_eq(st.st_size, before + 1, "nothing cut; ended with a newline");
    char *old = tmpdir_read(state, "svcd.log.000000000001", &len);
    cr_assert_arr_eq(old + len - sizeof(torn), torn, sizeof(torn) - 1);
    free(old);
    char *cur = tmpdir_read(state, "svcd.log", &len);
    cr_assert(strncmp(cur, "{\"seq\":3,", 9) == 0, "%s", cur);
    snprintf(want, sizeof(want),
             "\"msg\":\"recovered log: %zu bytes of a torn or garbage tail "
             "after entry #2 were left in place",
             sizeof(torn) - 1);
    char *nl = strchr(cur, '\n');
    cr_assert_not_null(nl);
    *nl = '\0';
    cr_assert(strstr(cur, want), "the first entry: %s", cur);
    free(cur);
    struct logreader rd;
    struct log_entry e;
    uint64_t prev = 0;
    cr_assert_eq(logreader_open(&rd, logpath, NULL, UINT32_MAX, 0, NULL), 0);
    while (logreader_next(&rd, &e) == 1) {
        cr_assert_eq(e.seq, prev + 1, "the reader skips the torn line, and nothing else");
        prev = e.seq;
    }
    logreader_close(&rd);
    cr_assert_eq(prev, 5, "started, stopped, recovered, started, stopped");
}
