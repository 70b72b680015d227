/* A randomized model-based test of the log store (issue 12).
 *
 * A seeded generator drives the real writer (logstore.h) and readers
 * (logread.h) in a temporary directory through appends of heartbeat,
 * lifecycle and audit entries (hostile bytes, users that need escaping),
 * rotations and retention (a small rotate_size and rotate_keep), clean
 * restarts, kill -9 (the process dies, the page cache keeps what was
 * written, maybe with half a line in flight), power losses (the current file
 * cut at any byte past what was synced, maybe a NUL run), faults on the next
 * k calls of append/sync/rename/open through the logfs seam, wall-clock steps
 * back, tail/grep/level/time queries and incremental follows with and
 * without filters.
 *
 * The model is what the caller was told: which entries were acknowledged
 * (append returned 0) and which durable, which seqs were handed out. After
 * every operation the files themselves are read line by line (what a
 * shipper sees) and checked against it, one named property at a time (see
 * `props`); queries and follows must then return exactly those files'
 * entries, filtered as asked. What is legitimately uncertain is allowed and
 * nothing more: an entry whose append failed may be in the file once or not
 * at all; a power loss may take entries that were never acknowledged
 * durable, only as a suffix; retention may remove the oldest rotated files.
 *
 * Each seed runs in a child process, so a crash of the store is reported as
 * a failing property with its seed and operation like any other. A failure
 * prints the seed, the operation index and the command that reproduces it:
 *   SVCD_MODEL_SEED=<seed> build/native/tests/test_logmodel --filter 'logmodel/<profile>'
 * Long mode: SVCD_MODEL_SEEDS=1000 runs seeds 1..1000 of every profile
 * (SVCD_MODEL_FIRST moves the start, SVCD_MODEL_OPS the length of a run,
 * SVCD_MODEL_TRACE=1 prints every operation, SVCD_MODEL_KEEP=1 keeps the
 * log directory of each run, SVCD_MODEL_PLAIN=1 leaves out users that need
 * JSON escaping). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "json.h"
#include "logfs.h"
#include "logread.h"
#include "logstore.h"
#include "tmpdir.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define MODEL_LSAN 1
#endif

/* ---------------------------------------------------------------- properties */

enum prop {
    P_NO_CRASH,
    P_OPEN_RECOVERS,
    P_APPEND_RECOVERS,
    P_SEQ_ONCE,
    P_SEQ_ORDER,
    P_FILE_NAME,
    P_ENTRY_ONCE,
    P_CONTENT,
    P_ACKED_KEPT,
    P_DURABLE_KEPT,
    P_LOSS_IS_SUFFIX,
    P_SEQ_NEVER_BACK,
    P_NEVER_SHRINK,
    P_NO_REPLACE,
    P_RETENTION,
    P_QUERY_TAIL,
    P_QUERY_GREP,
    P_QUERY_LEVEL,
    P_QUERY_TIME,
    P_FOLLOW,
    P_FOLLOW_FILTERED,
    P_NO_LEAK,
    P_COUNT
};

static const struct {
    const char *name, *what;
} props[P_COUNT] = {
    [P_NO_CRASH] = {"no_crash", "the store never crashes, whatever the faults"},
    [P_OPEN_RECOVERS] = {"open_recovers", "logstore_open succeeds once the faults are spent"},
    [P_APPEND_RECOVERS] = {"append_recovers",
                           "once the faults are spent, held entries are written within 5 s"},
    [P_SEQ_ONCE] = {"seq_once", "each seq is in the files at most once"},
    [P_SEQ_ORDER] = {"seq_order", "seqs strictly increase through the files, oldest first"},
    [P_FILE_NAME] = {"file_name", "a rotated file is named after its first entry's seq"},
    [P_ENTRY_ONCE] = {"entry_once",
                      "each appended entry is in the files at most once (a retry never "
                      "appends again what is there)"},
    [P_CONTENT] = {"content",
                   "every entry in the files is one the writer was given (or a notice of the "
                   "store's own), with the seq it was acknowledged under and every field equal"},
    [P_ACKED_KEPT] = {"acked_kept",
                      "an acknowledged entry stays readable unless retention removed it or a "
                      "power loss took it before it was durable"},
    [P_DURABLE_KEPT] = {"durable_kept",
                        "an entry acknowledged durable survives kill -9 and power loss"},
    [P_LOSS_IS_SUFFIX] = {"loss_is_suffix", "a power loss takes only the newest entries"},
    [P_SEQ_NEVER_BACK] = {"seq_never_back",
                          "a new entry's seq is above every seq the files ever showed (after a "
                          "power loss: above every durable or surviving one)"},
    [P_NEVER_SHRINK] = {"never_shrink",
                        "no file ever gets shorter, except by the simulated power loss itself"},
    [P_NO_REPLACE] = {"no_replace",
                      "a rotated file's name keeps its file until retention removes it "
                      "(rotation never renames over history)"},
    [P_RETENTION] = {"retention",
                     "at most rotate_keep rotated files, and retention removes only the oldest"},
    [P_QUERY_TAIL] = {"query_tail", "an unfiltered tail N equals the model's last N"},
    [P_QUERY_GREP] = {"query_grep", "a grep (with or without ignore_case) equals the model's"},
    [P_QUERY_LEVEL] = {"query_level", "a min-level query equals the model's"},
    [P_QUERY_TIME] = {"query_time",
                      "a since/until query equals the model's, also after the clock stepped "
                      "back (seq order is authoritative)"},
    [P_FOLLOW] = {"follow",
                  "an unfiltered follow returns every new entry once, in order (missing only "
                  "what retention removed)"},
    [P_FOLLOW_FILTERED] = {"follow_filtered",
                           "a filtered follow returns every new match once, in order, also "
                           "across rotations"},
    [P_NO_LEAK] = {"no_leak", "nothing leaks (ASan builds)"},
};

/* What a seed's child hands back to the parent, in shared memory. */
struct report {
    volatile unsigned op;     /* the operation running */
    char opdesc[256];         /* and what it is */
    unsigned failed[P_COUNT]; /* 1 + the op index of the first failure, 0 if none */
    char msg[P_COUNT][512];   /* the first failure's message */
    unsigned ops_done;
};

static struct report *rep;

/* ---------------------------------------------------------------- random */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64: tiny, and the same sequence everywhere. */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static int chance(unsigned percent)
{
    return below(100) < percent;
}

/* ---------------------------------------------------------------- profiles */

enum op {
    OP_APPEND,
    OP_BURST,
    OP_BIG,
    OP_SYNC,
    OP_RESTART,
    OP_KILL,
    OP_POWERLOSS,
    OP_FAULT,
    OP_CLOCK_BACK,
    OP_QUERY,
    OP_FOLLOW_OPEN,
    OP_FOLLOW_READ,
    OP_COUNT
};

struct profile {
    const char *name;
    unsigned w[OP_COUNT];
    int filtered_follows; /* percent of follows with a filter */
    int time_queries;     /* percent of queries with since/until */
};

static const struct profile profiles[] = {
    {"appends_rotations_queries", {30, 8, 6, 4, 4, 0, 0, 0, 0, 20, 5, 10}, 0, 20},
    {"filtered_follows", {30, 8, 8, 2, 2, 0, 0, 0, 0, 8, 8, 14}, 80, 10},
    {"crashes", {30, 8, 5, 5, 3, 6, 6, 0, 0, 15, 5, 8}, 40, 15},
    {"faults", {30, 8, 6, 5, 3, 2, 2, 10, 0, 12, 4, 8}, 40, 15},
    {"clock_steps_back", {30, 8, 4, 2, 2, 0, 0, 0, 6, 25, 2, 5}, 30, 70},
    {"everything", {30, 8, 6, 4, 3, 3, 3, 6, 3, 15, 5, 8}, 50, 30},
};

/* ---------------------------------------------------------------- the faulty file system */

enum fkind { F_APPEND, F_SYNC, F_RENAME, F_OPEN, F_KINDS };
static const char *const fkind_name[F_KINDS] = {"append", "sync", "rename", "open_append"};

static struct {
    unsigned left;
    int err;
    int short_write;
} faults[F_KINDS];

/* Per inode of an appended file: how much of it a sync made durable. */
struct synced {
    fs_file *f;
    ino_t ino;
};
static struct synced handles[64];
static size_t nhandles;

struct tracked {
    int fd;
    ino_t ino;
    uint64_t size;    /* at the last check */
    uint64_t durable; /* bytes a successful sync covered */
};
static struct tracked tracked[64];
static size_t ntracked;

static struct tracked *track_ino(ino_t ino)
{
    for (size_t i = 0; i < ntracked; i++)
        if (tracked[i].ino == ino)
            return &tracked[i];
    return NULL;
}

/* Syncs that an injected fault failed: an append or sync that returns 0
 * although one of its syncs failed (written, not yet durable: the store
 * retries the sync) has not acknowledged durability. */
static unsigned sync_faults_fired;
static unsigned faults_fired;

static int take_fault(enum fkind k, int *err, int *short_write)
{
    if (faults[k].left == 0)
        return 0;
    faults[k].left--;
    faults_fired++;
    if (k == F_SYNC)
        sync_faults_fired++;
    *err = faults[k].err;
    *short_write = faults[k].short_write;
    return 1;
}

static int faults_pending(void)
{
    for (int k = 0; k < F_KINDS; k++)
        if (faults[k].left)
            return 1;
    return 0;
}

static void note_handle(fs_file *f, const char *path);

static int ff_open_append(const char *path, fs_file **out)
{
    int err, sw;
    if (take_fault(F_OPEN, &err, &sw))
        return err;
    int rc = logfs_real.open_append(path, out);
    if (rc == 0)
        note_handle(*out, path);
    return rc;
}

static int ff_append(fs_file *f, const void *data, size_t n)
{
    int err, sw;
    if (take_fault(F_APPEND, &err, &sw)) {
        if (sw && n > 1) /* a full disk takes part of the write */
            logfs_real.append(f, data, 1 + below(n - 1));
        return err;
    }
    return logfs_real.append(f, data, n);
}

static int ff_sync(fs_file *f)
{
    int err, sw;
    uint64_t size;

    if (take_fault(F_SYNC, &err, &sw))
        return err;
    /* The disk is simulated (durable bytes per inode, cut at a power loss):
     * a real fdatasync would only cost time. fs_size still touches the
     * handle, as a sync would. */
    int rc = logfs_real.size(f, &size);
    if (rc == 0) {
        for (size_t i = 0; i < nhandles; i++) {
            struct tracked *t;
            if (handles[i].f == f && (t = track_ino(handles[i].ino)) && size > t->durable)
                t->durable = size;
        }
    }
    return rc;
}

static int ff_rename(const char *from, const char *to)
{
    int err, sw;
    if (take_fault(F_RENAME, &err, &sw))
        return err;
    return logfs_real.rename(from, to);
}

/* Rotation renames never over a file: the same fault position. */
static int ff_rename_noreplace(const char *from, const char *to)
{
    int err, sw;
    if (take_fault(F_RENAME, &err, &sw))
        return err;
    return logfs_real.rename_noreplace(from, to);
}

static const struct logfs faulty = {
    .open_append = ff_open_append,
    .open_read = fs_open_read,
    .append = ff_append,
    .sync = ff_sync,
    .size = fs_size,
    .truncate = fs_truncate,
    .rename = ff_rename,
    .rename_noreplace = ff_rename_noreplace,
    .path_state = fs_path_state,
    .replace = fs_replace,
    .remove = fs_remove,
    .mtime = fs_mtime,
    .mkdir_p = fs_mkdir_p,
    .list = fs_list,
};

/* The file system as a killed process leaves it: nothing more reaches the
 * files, and nothing is synced. logstore_close under this table frees what
 * the store holds (no leak under ASan) without writing or syncing anything. */
static int dead_open(const char *path, fs_file **out)
{
    (void)path;
    (void)out;
    return ERR_IO;
}
static int dead_append(fs_file *f, const void *d, size_t n)
{
    (void)f;
    (void)d;
    (void)n;
    return ERR_IO;
}
static int dead_sync(fs_file *f)
{
    (void)f;
    return 0;
}
static int dead_truncate(fs_file *f, uint64_t size)
{
    (void)f;
    (void)size;
    return ERR_IO;
}
static int dead_rename(const char *a, const char *b)
{
    (void)a;
    (void)b;
    return ERR_IO;
}
static int dead_remove(const char *a)
{
    (void)a;
    return ERR_IO;
}
static int dead_mkdir(const char *p, enum fs_dir_mode m)
{
    (void)p;
    (void)m;
    return ERR_IO;
}

static int dead_path_state(fs_file *f, const char *path)
{
    (void)f;
    (void)path;
    return ERR_IO;
}
static int dead_replace(const char *path, const void *d, size_t n)
{
    (void)path;
    (void)d;
    (void)n;
    return ERR_IO;
}

static const struct logfs dead = {
    .open_append = dead_open,
    .open_read = dead_open,
    .append = dead_append,
    .sync = dead_sync,
    .size = fs_size,
    .truncate = dead_truncate,
    .rename = dead_rename,
    .rename_noreplace = dead_rename,
    .path_state = dead_path_state,
    .replace = dead_replace,
    .remove = dead_remove,
    .mtime = fs_mtime,
    .mkdir_p = dead_mkdir,
    .list = fs_list,
};

/* ---------------------------------------------------------------- the model */

/* An entry the caller asked to append (its id is in the message). */
struct logical {
    uint64_t id;
    struct log_entry e; /* as handed to logstore_append; msg points at raw */
    char *raw;          /* the message as given (hostile bytes included) */
    size_t raw_len;
    char *canon; /* what a reader must return: the JSON round trip of raw */
    size_t canon_len;
    int durable_wanted;
    uint64_t acked_seq; /* 0 until an append of it returned 0 */
    int durable;        /* acknowledged durable */
    int may_be_lost;    /* a power loss came before it was durable */
    int pruned;         /* its file was removed by retention */
    int ever_seen;      /* 1: seen in the files once; 2: in the latest scan */
    uint64_t seen_seq;  /* the seq it was last seen under */
};

/* An entry as read from the files. */
struct fent {
    uint64_t seq;
    int64_t time_us;
    int level;
    char source[LOG_SOURCE_MAX];
    char user[LOG_USER_MAX];
    long uid, pid;
    char *msg;
    size_t msg_len;
    uint64_t id; /* 0: not ours (a notice of the store's own) */
    int file;    /* index in the scan's file list */
};

struct scan {
    struct fent *v; /* in file order: oldest rotated file first, the current one last */
    size_t n, cap;
    char names[64][64];
    ino_t inos[64];
    uint64_t first_seq[64]; /* the file's first parseable entry, 0 if none */
    uint64_t size[64];
    size_t nfiles;
    struct fent *view; /* what readers must show: seq-ascending, each seq once */
    size_t nview;
};

struct follower {
    int open;
    struct logreader r;
    struct logfilter f;
    uint64_t cursor; /* everything matching up to here was returned */
    int filtered;
    char desc[400];
};

#define NFOLLOW 3

struct run {
    const struct profile *p;
    uint64_t seed;
    unsigned op;
    char dir[256];
    char path[512];
    struct logstore ls;
    int ls_open;
    uint64_t rotate_size, rotate_keep;
    struct logical *lg;
    size_t nlg, caplg;
    size_t *held; /* indexes into lg, oldest first: the caller's hold queue */
    size_t nheld, capheld;
    struct scan cur, prev;
    uint64_t seq_floor; /* a new seq must be above this */
    int64_t wall_us;
    uint64_t mono_us;
    uint64_t faults_spent_mono; /* when the last fault was used up (0: none pending) */
    int had_faults;
    struct follower fol[NFOLLOW];
    struct sbuf tmp;
    char rotated_names[64][64]; /* rotated names seen, with their inode */
    ino_t rotated_inos[64];
    size_t nrotated;
    int trace;
    uint64_t rotations_before; /* the store's rotation count when the op began */
    unsigned faults_before;    /* faults_fired when the op began */
    int reader_looped;         /* a reader was caught reading the files round and round */
};

static jmp_buf bail; /* a fatal failure (the store cannot go on) */

/* The test itself cannot go on (not a finding about the store). */
static void die(const char *what)
{
    snprintf(rep->msg[P_NO_CRASH], sizeof(rep->msg[0]), "test harness: %s: %s", what,
             strerror(errno));
    rep->failed[P_NO_CRASH] = rep->op + 1;
    _exit(3);
}

static void fail(struct run *R, enum prop p, const char *fmt, ...)
{
    va_list ap;

    if (rep->failed[p])
        return;
    rep->failed[p] = R->op + 1;
    va_start(ap, fmt);
    vsnprintf(rep->msg[p], sizeof(rep->msg[p]), fmt, ap);
    va_end(ap);
    if (R->trace)
        fprintf(stderr, "    FAIL %s: %s\n", props[p].name, rep->msg[p]);
}

static void opdesc(struct run *R, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->opdesc, sizeof(rep->opdesc), fmt, ap);
    va_end(ap);
    if (R->trace)
        fprintf(stderr, "  op %u: %s\n", R->op, rep->opdesc);
}

/* ---------------------------------------------------------------- inode tracking */

static void note_handle(fs_file *f, const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return;
    size_t i;
    for (i = 0; i < nhandles && handles[i].f != f; i++)
        ;
    if (i == nhandles) {
        if (nhandles == sizeof(handles) / sizeof(handles[0]))
            i = 0; /* the oldest handles are long closed */
        else
            nhandles++;
    }
    handles[i].f = f;
    handles[i].ino = st.st_ino;
    if (!track_ino(st.st_ino) && ntracked < sizeof(tracked) / sizeof(tracked[0])) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            /* What is there when the writer opens it counts as on disk. */
            tracked[ntracked++] =
                (struct tracked){fd, st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_size};
        }
    } else if (track_ino(st.st_ino) && track_ino(st.st_ino)->durable < (uint64_t)st.st_size) {
        /* Reopened after a restart: the previous process's writes are on
         * disk by now as far as this test goes (a power loss cuts only what
         * this process wrote). */
        track_ino(st.st_ino)->durable = (uint64_t)st.st_size;
    }
}

/* Every file the store ever had open, held open here so that its inode
 * cannot be reused: none may ever get shorter. Removed ones are let go. */
static void check_shrink(struct run *R)
{
    for (size_t i = 0; i < ntracked;) {
        struct stat st;
        if (fstat(tracked[i].fd, &st) < 0 || st.st_nlink == 0) {
            close(tracked[i].fd);
            tracked[i] = tracked[--ntracked];
            continue;
        }
        if ((uint64_t)st.st_size < tracked[i].size)
            fail(R, P_NEVER_SHRINK, "a file (inode %lu) shrank from %" PRIu64 " to %lld bytes",
                 (unsigned long)st.st_ino, tracked[i].size, (long long)st.st_size);
        tracked[i].size = (uint64_t)st.st_size;
        if (tracked[i].durable > tracked[i].size)
            tracked[i].durable = tracked[i].size;
        i++;
    }
}

static void untrack_all(void)
{
    for (size_t i = 0; i < ntracked; i++)
        close(tracked[i].fd);
    ntracked = nhandles = 0;
}

/* ---------------------------------------------------------------- reading the files */

static void scan_free(struct scan *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].msg);
    free(s->v);
    free(s->view);
    memset(s, 0, sizeof(*s));
}

static uint64_t msg_id(const char *m, size_t n)
{
    uint64_t id = 0;
    size_t i = 2;

    if (n < 4 || m[0] != '[' || m[1] != 'L')
        return 0;
    for (; i < n && m[i] >= '0' && m[i] <= '9'; i++)
        id = id * 10 + (uint64_t)(m[i] - '0');
    return (i < n && m[i] == ']') ? id : 0;
}

static int by_first_seq(const void *a, const void *b)
{
    const char *x = a, *y = b;
    uint64_t sx = strtoull(x + strlen(LOGSTORE_FILE) + 1, NULL, 10);
    uint64_t sy = strtoull(y + strlen(LOGSTORE_FILE) + 1, NULL, 10);
    return sx < sy ? -1 : sx > sy;
}

static int is_rotated_name(const char *name)
{
    size_t bl = strlen(LOGSTORE_FILE);
    if (strncmp(name, LOGSTORE_FILE ".", bl + 1) != 0 || name[bl + 1] == '\0')
        return 0;
    for (const char *p = name + bl + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static void scan_file(struct scan *s, struct sbuf *msg, const char *dir, size_t fi)
{
    size_t len;
    char *data = tmpdir_read(dir, s->names[fi], &len);
    struct stat st;
    char full[600];

    snprintf(full, sizeof(full), "%s/%s", dir, s->names[fi]);
    s->inos[fi] = stat(full, &st) == 0 ? st.st_ino : 0;
    s->size[fi] = data ? len : 0;
    if (!data)
        return;
    for (size_t off = 0; off < len;) {
        char *nl = memchr(data + off, '\n', len - off);
        if (!nl)
            break; /* an incomplete line is not an entry yet */
        size_t n = (size_t)(nl - (data + off));
        struct log_entry e;
        if (logline_parse(data + off, n, &e, msg) == 0) {
            if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 256;
                s->v = realloc(s->v, s->cap * sizeof(*s->v));
            }
            struct fent *f = &s->v[s->n++];
            memset(f, 0, sizeof(*f));
            f->seq = e.seq;
            f->time_us = e.time_us;
            f->level = (int)e.level;
            memcpy(f->source, e.source, sizeof(f->source));
            memcpy(f->user, e.user, sizeof(f->user));
            f->uid = e.uid;
            f->pid = e.pid;
            f->msg = malloc(e.msg_len + 1);
            memcpy(f->msg, e.msg, e.msg_len);
            f->msg[e.msg_len] = '\0';
            f->msg_len = e.msg_len;
            f->id = msg_id(e.msg, e.msg_len);
            f->file = (int)fi;
            if (s->first_seq[fi] == 0)
                s->first_seq[fi] = e.seq;
        }
        off += n + 1;
    }
    free(data);
}

/* Reads every file of the log, oldest first. */
static void scan_dir(struct run *R, struct scan *s)
{
    DIR *d = opendir(R->dir);
    struct dirent *de;
    size_t nrot = 0;

    memset(s, 0, sizeof(*s));
    while (d && (de = readdir(d)) != NULL) {
        if (is_rotated_name(de->d_name) && nrot < 63 && strlen(de->d_name) < sizeof(s->names[0]))
            memcpy(s->names[nrot++], de->d_name, strlen(de->d_name) + 1);
    }
    if (d)
        closedir(d);
    qsort(s->names, nrot, sizeof(s->names[0]), by_first_seq);
    snprintf(s->names[nrot], sizeof(s->names[0]), "%s", LOGSTORE_FILE);
    s->nfiles = nrot + 1;
    for (size_t i = 0; i < s->nfiles; i++)
        scan_file(s, &R->tmp, R->dir, i);
    /* What a reader shows: the file order, each seq once (a reader drops a
     * seq not above the last one). */
    s->view = malloc((s->n + 1) * sizeof(*s->view));
    uint64_t last = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].seq <= last)
            continue;
        last = s->v[i].seq;
        s->view[s->nview++] = s->v[i];
    }
}

static struct logical *logical_by_id(struct run *R, uint64_t id)
{
    return (id >= 1 && id <= R->nlg) ? &R->lg[id - 1] : NULL;
}

static int same_content(const struct fent *f, const struct logical *l)
{
    return f->time_us == l->e.time_us && f->level == (int)l->e.level &&
           strcmp(f->source, l->e.source) == 0 && strcmp(f->user, l->e.user) == 0 &&
           f->uid == l->e.uid && f->pid == l->e.pid && f->msg_len == l->canon_len &&
           memcmp(f->msg, l->canon, f->msg_len) == 0;
}

static void show(char *buf, size_t n, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
    }
    buf[o] = '\0';
}

/* ---------------------------------------------------------------- checks of the files */

/* Retention: rotated names that vanished since the last scan. Their seq
 * ranges are pruned; only the oldest may go, and never more than needed. */
static void check_retention(struct run *R, const struct scan *prev, const struct scan *cur)
{
    size_t nrot = cur->nfiles - 1;

    /* Checked after a rotation that no fault touched: one whose reopen
     * failed may not have got to its pruning (the next one will). */
    if (nrot > R->rotate_keep && R->ls_open && R->ls.rotations != R->rotations_before &&
        faults_fired == R->faults_before)
        fail(R, P_RETENTION, "%zu rotated files with rotate_keep %" PRIu64, nrot, R->rotate_keep);
    for (size_t i = 0; i + 1 < prev->nfiles; i++) {
        int still = 0;
        for (size_t j = 0; j + 1 < cur->nfiles; j++)
            still |= strcmp(prev->names[i], cur->names[j]) == 0;
        if (still)
            continue;
        uint64_t from = strtoull(prev->names[i] + strlen(LOGSTORE_FILE) + 1, NULL, 10);
        uint64_t to = UINT64_MAX;
        for (size_t j = 0; j < cur->nfiles; j++)
            if (cur->first_seq[j] > from && cur->first_seq[j] < to)
                to = cur->first_seq[j];
        for (size_t j = 0; j + 1 < cur->nfiles; j++) {
            uint64_t s = strtoull(cur->names[j] + strlen(LOGSTORE_FILE) + 1, NULL, 10);
            if (s < from)
                fail(R, P_RETENTION, "%s was removed while the older %s was kept", prev->names[i],
                     cur->names[j]);
        }
        for (size_t k = 0; k < R->nlg; k++)
            if (R->lg[k].acked_seq >= from && R->lg[k].acked_seq < to)
                R->lg[k].pruned = 1;
    }
}

/* A rotated name keeps its inode from when it first appeared. */
static void check_no_replace(struct run *R, const struct scan *cur)
{
    for (size_t j = 0; j + 1 < cur->nfiles; j++) {
        size_t k;
        for (k = 0; k < R->nrotated && strcmp(R->rotated_names[k], cur->names[j]); k++)
            ;
        if (k == R->nrotated) {
            if (R->nrotated == 64)
                continue;
            snprintf(R->rotated_names[k], sizeof(R->rotated_names[k]), "%s", cur->names[j]);
            R->rotated_inos[k] = cur->inos[j];
            R->nrotated++;
        } else if (R->rotated_inos[k] != cur->inos[j]) {
            fail(R, P_NO_REPLACE, "%s is another file than before (inode %lu, was %lu)",
                 cur->names[j], (unsigned long)cur->inos[j], (unsigned long)R->rotated_inos[k]);
            R->rotated_inos[k] = cur->inos[j];
        }
    }
}

/* Everything the files hold, against what the writer was told. */
static void check_files(struct run *R)
{
    struct scan *s = &R->cur;
    char a[200];

    for (size_t i = 0; i < s->n; i++) {
        const struct fent *f = &s->v[i];
        if (i > 0 && f->seq <= s->v[i - 1].seq) {
            int dup = 0;
            for (size_t j = 0; j < i; j++)
                dup |= s->v[j].seq == f->seq;
            if (dup)
                fail(R, P_SEQ_ONCE, "seq %" PRIu64 " is in the files more than once (%s, %s)",
                     f->seq, s->names[s->v[i - 1].file], s->names[f->file]);
            else
                fail(R, P_SEQ_ORDER, "seq %" PRIu64 " in %s comes after seq %" PRIu64 " in %s",
                     f->seq, s->names[f->file], s->v[i - 1].seq, s->names[s->v[i - 1].file]);
        }
    }
    for (size_t fi = 0; fi + 1 < s->nfiles; fi++) {
        uint64_t named = strtoull(s->names[fi] + strlen(LOGSTORE_FILE) + 1, NULL, 10);
        if (s->first_seq[fi] && s->first_seq[fi] != named)
            fail(R, P_FILE_NAME, "%s begins with seq %" PRIu64, s->names[fi], s->first_seq[fi]);
    }
    /* Each of ours at most once, with its acknowledged seq and its fields. */
    for (size_t k = 0; k < R->nlg; k++)
        R->lg[k].ever_seen &= ~2;
    for (size_t i = 0; i < s->n; i++) {
        const struct fent *f = &s->v[i];
        if (f->id == 0)
            continue; /* a notice the store wrote itself */
        struct logical *l = logical_by_id(R, f->id);
        if (!l) {
            show(a, sizeof(a), f->msg, f->msg_len);
            fail(R, P_CONTENT, "seq %" PRIu64 " is an entry nobody appended: \"%s\"", f->seq, a);
            continue;
        }
        if (l->ever_seen & 2)
            fail(R, P_ENTRY_ONCE,
                 "entry L%" PRIu64 " is in the files twice (again as seq %" PRIu64 ")", l->id,
                 f->seq);
        l->ever_seen |= 3;
        l->seen_seq = f->seq;
        if (!same_content(f, l)) {
            char b[200];
            show(a, sizeof(a), f->msg, f->msg_len);
            show(b, sizeof(b), l->canon, l->canon_len);
            fail(
                R, P_CONTENT,
                "seq %" PRIu64 " (L%" PRIu64 ") differs from what was appended: msg \"%s\" "
                "user \"%s\" uid %ld pid %ld level %d; expected \"%s\" user \"%s\" uid %ld pid %ld "
                "level %d",
                f->seq, l->id, a, f->user, f->uid, f->pid, f->level, b, l->e.user, l->e.uid,
                l->e.pid, (int)l->e.level);
        } else if (l->acked_seq && f->seq != l->acked_seq) {
            fail(R, P_CONTENT,
                 "L%" PRIu64 " is stored as seq %" PRIu64 " but was acknowledged as %" PRIu64,
                 l->id, f->seq, l->acked_seq);
        }
    }
    /* What was acknowledged is there, unless legitimately gone: retention
     * removes whole files from the oldest on, so everything before the
     * oldest file left (by its name) may be gone, even when the file came
     * and went within one operation. */
    uint64_t oldest = s->nfiles > 1 ? strtoull(s->names[0] + strlen(LOGSTORE_FILE) + 1, NULL, 10)
                                    : s->first_seq[0];
    for (size_t k = 0; k < R->nlg; k++) {
        struct logical *l = &R->lg[k];
        if (!l->acked_seq || (l->ever_seen & 2) || l->pruned)
            continue;
        if (s->nfiles > R->rotate_keep && l->acked_seq < oldest) {
            l->pruned = 1;
            continue;
        }
        show(a, sizeof(a), l->canon, l->canon_len > 60 ? 60 : l->canon_len);
        if (l->durable)
            fail(R, P_DURABLE_KEPT,
                 "seq %" PRIu64 " (L%" PRIu64 ", acknowledged durable, user \"%s\") is not in "
                 "the files: \"%s\"",
                 l->acked_seq, l->id, l->e.user, a);
        else if (!l->may_be_lost)
            fail(R, P_ACKED_KEPT,
                 "seq %" PRIu64 " (L%" PRIu64 ", acknowledged, user \"%s\") is not in the "
                 "files: \"%s\"",
                 l->acked_seq, l->id, l->e.user, a);
        if (!l->may_be_lost)
            l->pruned = 1; /* reported once; the model follows the files from here */
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].seq > R->seq_floor)
            R->seq_floor = s->v[i].seq;
}

/* One check after every operation. */
static void after_op(struct run *R)
{
    scan_free(&R->prev);
    R->prev = R->cur;
    scan_dir(R, &R->cur);
    check_shrink(R);
    check_retention(R, &R->prev, &R->cur);
    check_no_replace(R, &R->cur);
    check_files(R);
}

/* ---------------------------------------------------------------- generating entries */

static const char *const users[] = {
    "alice",
    "DOMAIN\\alice",
    "o\"brien",
    "bob smith",
    "\xc3\xa9milie",
    "a'b",
    "x\\\"y",
    "CORP\\svc-backup$",
    "root",
    "\\\\server\\share",
    "a123456789b123456789c123456789d123456789e123456789f123456789ghi", /* 63 bytes */
};

static const char *const hostile[] = {
    "\"",           "\\",      "\n",        "\t",
    "\r",           "\x01",    "\x7f",      "\xc3\xa9",
    "\xe2\x82\xac", "\xff",    "\xc3",      "}",
    "{\"seq\":1}",  "\\u0000", "%s%n",      "\xf0\x9f\x92\xa9",
    "\xe2\x80\xa8", " ",       "Error",     "ERROR",
    "error",        "denied",  "Heartbeat",
};

static int plain_users;

static void add_hostile(struct sbuf *b)
{
    unsigned n = (unsigned)below(6);
    for (unsigned i = 0; i < n; i++) {
        if (chance(8)) {
            sbuf_add(b, "\0", 1);
            continue;
        }
        const char *h = hostile[below(sizeof(hostile) / sizeof(hostile[0]))];
        sbuf_adds(b, h);
    }
}

/* What a reader gives back for `raw`: the JSON string's round trip. */
static void canonical(struct run *R, const char *raw, size_t n, char **out, size_t *outn)
{
    struct sbuf q;

    sbuf_init(&q, LOGREAD_LINE_MAX);
    json_add_string(&q, raw, n);
    sbuf_reset(&R->tmp);
    if (q.failed || json_unescape(q.p + 1, q.len - 2, &R->tmp) < 0)
        die("json round trip of a generated message");
    *out = malloc(R->tmp.len + 1);
    memcpy(*out, R->tmp.p, R->tmp.len);
    (*out)[R->tmp.len] = '\0';
    *outn = R->tmp.len;
    sbuf_free(&q);
}

static struct logical *new_entry(struct run *R, size_t big)
{
    struct sbuf b;
    struct logical *l;

    if (R->nlg == R->caplg) {
        R->caplg = R->caplg ? R->caplg * 2 : 256;
        R->lg = realloc(R->lg, R->caplg * sizeof(*R->lg));
    }
    l = &R->lg[R->nlg++];
    memset(l, 0, sizeof(*l));
    l->id = R->nlg;
    sbuf_init(&b, LOGREAD_LINE_MAX);
    sbuf_printf(&b, "[L%" PRIu64 "] ", l->id);
    l->e.uid = l->e.pid = -1;
    unsigned kind = (unsigned)below(3);
    if (kind == 0) {
        strcpy(l->e.source, "worker");
        l->e.level = LOG_INFO;
        sbuf_printf(&b, "heartbeat %" PRIu64, l->id);
    } else if (kind == 1) {
        static const char *const life[] = {"started (pid 4242)", "paused by", "resumed by",
                                           "stopping", "log writable again"};
        strcpy(l->e.source, "service");
        l->e.level = (enum log_level)(LOG_DEBUG + below(5));
        sbuf_adds(&b, life[below(5)]);
    } else {
        const char *u = users[below(sizeof(users) / sizeof(users[0]))];
        if (plain_users && strpbrk(u, "\\\""))
            u = "alice"; /* SVCD_MODEL_PLAIN=1: no user that needs escaping */
        strcpy(l->e.source, "control");
        l->e.level = chance(50) ? LOG_NOTICE : LOG_WARNING;
        snprintf(l->e.user, sizeof(l->e.user), "%s", u);
        l->e.uid = (long)below(70000);
        l->e.pid = (long)(1 + below(4000000));
        sbuf_printf(&b, "%s by ", chance(50) ? "pause" : "denied");
        sbuf_adds(&b, u);
    }
    sbuf_adds(&b, " ");
    add_hostile(&b);
    while (b.len < big)
        sbuf_adds(&b, "padding-padding-padding-padding ");
    l->raw = malloc(b.len ? b.len : 1);
    memcpy(l->raw, b.p, b.len);
    l->raw_len = b.len;
    sbuf_free(&b);
    canonical(R, l->raw, l->raw_len, &l->canon, &l->canon_len);
    l->e.msg = l->raw;
    l->e.msg_len = l->raw_len;
    R->wall_us += (int64_t)(1000 + below(2000000));
    l->e.time_us = R->wall_us; /* the caller's time, like a held entry's */
    return l;
}

/* ---------------------------------------------------------------- the writer */

/* rotate_min_age (issue 12) must be 0 here once the store has it: this test
 * rotates many times a (virtual) second. */
static void model_set_rotation(struct run *R)
{
    logstore_set_rotation(&R->ls, R->rotate_size, R->rotate_keep, 0);
}

static void close_followers(struct run *R);

/* logstore_open, retried while injected faults make it fail (as a service
 * manager restarts svcd). */
static void store_open(struct run *R)
{
    int rc = ERR_IO;

    for (int tries = 0; tries < 20; tries++) {
        rc = logstore_open(&R->ls, R->dir, 0);
        if (rc == 0)
            break;
        if (!faults_pending())
            break;
    }
    if (rc < 0) {
        fail(R, P_OPEN_RECOVERS, "logstore_open: %s with no fault left", err_str(rc));
        longjmp(bail, 1);
    }
    R->ls_open = 1;
    model_set_rotation(R);
}

/* Tries the held entries, oldest first, until one fails (svc.c's flush_held). */
static void flush_held(struct run *R)
{
    while (R->nheld) {
        struct logical *l = &R->lg[R->held[0]];
        uint64_t floor = R->seq_floor;
        R->mono_us += 1000;
        unsigned sync_failed = sync_faults_fired;
        int rc = logstore_append(&R->ls, &l->e, l->durable_wanted, R->mono_us);
        sync_failed = sync_faults_fired - sync_failed;
        if (faults_pending() == 0 && R->faults_spent_mono == 0 && R->had_faults)
            R->faults_spent_mono = R->mono_us;
        if (R->trace)
            fprintf(stderr, "    append L%" PRIu64 " -> seq %" PRIu64 " rc %d\n", l->id, l->e.seq,
                    rc);
        if (rc < 0)
            return;
        /* A retry may be acknowledged under the seq it is already in the files with. */
        if (l->e.seq <= floor && !(l->ever_seen && l->seen_seq == l->e.seq))
            fail(R, P_SEQ_NEVER_BACK,
                 "L%" PRIu64 " got seq %" PRIu64 ", not above %" PRIu64
                 " (already seen in the files or acknowledged)",
                 l->id, l->e.seq, floor);
        l->acked_seq = l->e.seq;
        if (l->e.seq > R->seq_floor)
            R->seq_floor = l->e.seq;
        l->durable = l->durable_wanted && !sync_failed;
        memmove(R->held, R->held + 1, (R->nheld - 1) * sizeof(*R->held));
        R->nheld--;
    }
    R->faults_spent_mono = 0;
    R->had_faults = faults_pending();
}

static void append_one(struct run *R, size_t big, int durable)
{
    struct logical *l = new_entry(R, big);
    l->durable_wanted = durable;
    if (R->nheld == R->capheld) {
        R->capheld = R->capheld ? R->capheld * 2 : 64;
        R->held = realloc(R->held, R->capheld * sizeof(*R->held));
    }
    R->held[R->nheld++] = (size_t)(l - R->lg);
    flush_held(R);
}

/* Held entries die with the process. */
static void drop_held(struct run *R)
{
    R->nheld = 0;
    R->faults_spent_mono = 0;
    R->had_faults = 0;
}

static void check_recovered(struct run *R)
{
    if (R->nheld && R->faults_spent_mono && R->mono_us - R->faults_spent_mono > 5000000)
        fail(R, P_APPEND_RECOVERS,
             "%zu entries still held %" PRIu64 " ms after the last fault was spent", R->nheld,
             (R->mono_us - R->faults_spent_mono) / 1000);
}

/* kill -9: the process is gone; what it wrote is in the page cache, and
 * maybe half of a line it was writing. */
static void crash(struct run *R, int power_loss)
{
    struct stat st;
    char frag[512];

    close_followers(R);
    logfs = &dead;
    logstore_close(&R->ls);
    logfs = &faulty;
    R->ls_open = 0;
    drop_held(R);
    memset(faults, 0, sizeof(faults));
    if (stat(R->path, &st) < 0)
        return;
    struct tracked *t = track_ino(st.st_ino);
    uint64_t size = (uint64_t)st.st_size, durable = t ? t->durable : 0, cut = size;
    if (power_loss) {
        /* Whatever was not synced may be lost, from any byte on. */
        cut = chance(25) ? durable : durable + below(size - durable + 1);
        if (truncate(R->path, (off_t)cut) < 0)
            die("truncate");
        if (chance(35)) {
            size_t nul = 1 + below(300);
            memset(frag, 0, sizeof(frag));
            FILE *f = fopen(R->path, "ab");
            fwrite(frag, 1, nul, f);
            fclose(f);
        }
        /* The model: unsynced entries are now uncertain, and the seqs they
         * held may be handed out again (nobody could have read them durably). */
        uint64_t floor = 0;
        for (size_t k = 0; k < R->nlg; k++) {
            struct logical *l = &R->lg[k];
            if (l->acked_seq && !l->durable)
                l->may_be_lost = 1;
            if (l->acked_seq && l->durable && l->acked_seq > floor)
                floor = l->acked_seq;
        }
        for (size_t i = 0; i < R->cur.n; i++) /* the rotated files are synced and intact */
            if (R->cur.v[i].file + 1 < (int)R->cur.nfiles && R->cur.v[i].seq > floor)
                floor = R->cur.v[i].seq;
        R->seq_floor = floor;
    } else if (chance(50)) {
        /* Half a line in flight: never a whole entry ('}' missing). */
        uint64_t seq = R->seq_floor + 1;
        int n = snprintf(frag, sizeof(frag),
                         "{\"seq\":%" PRIu64 ",\"time\":\"2026-12-01T10:00:00.000000Z\","
                         "\"level\":\"info\",\"source\":\"worker\",\"msg\":\"torn heartbeat\"}",
                         seq);
        size_t keep = 1 + below((uint64_t)n - 2);
        FILE *f = fopen(R->path, "ab");
        fwrite(frag, 1, keep, f);
        fclose(f);
    }
    if (t) { /* the cut is the disk's doing, not the store's */
        struct stat now;
        if (stat(R->path, &now) == 0) {
            t->size = (uint64_t)now.st_size;
            t->durable = t->size;
        }
    }
    opdesc(R, "%s (file %" PRIu64 " bytes, synced %" PRIu64 ", cut at %" PRIu64 ")",
           power_loss ? "power loss" : "kill -9", size, durable, cut);
}

/* After a power loss: what it took must be the newest entries. */
static void check_loss_suffix(struct run *R, const struct scan *before)
{
    uint64_t max_kept = 0, min_lost = UINT64_MAX;

    for (size_t i = 0; i < before->nview; i++) {
        const struct fent *b = &before->view[i];
        int kept = 0;
        for (size_t j = 0; j < R->cur.nview && !kept; j++)
            kept = R->cur.view[j].seq == b->seq && R->cur.view[j].id == b->id;
        struct logical *l = logical_by_id(R, b->id);
        if (l && l->pruned)
            continue;
        if (kept && b->seq > max_kept)
            max_kept = b->seq;
        if (!kept && b->seq < min_lost)
            min_lost = b->seq;
    }
    if (min_lost < max_kept)
        fail(R, P_LOSS_IS_SUFFIX,
             "seq %" PRIu64 " was lost while the later seq %" PRIu64 " survived", min_lost,
             max_kept);
}

/* ---------------------------------------------------------------- readers */

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The model's own reading of a filter (logfilter.h's contract), written
 * independently of logfilter.c. */
static int fent_matches(const struct fent *f, const struct logfilter *flt)
{
    if (flt->since_us && f->time_us < flt->since_us)
        return 0;
    if (flt->until_us && f->time_us > flt->until_us)
        return 0;
    if (flt->min_level && f->level < flt->min_level)
        return 0;
    if (flt->grep_len == 0)
        return 1;
    for (size_t i = 0; i + flt->grep_len <= f->msg_len; i++) {
        size_t j = 0;
        while (j < flt->grep_len &&
               (flt->ignore_case ? ascii_lower(f->msg[i + j]) == ascii_lower(flt->grep[j])
                                 : f->msg[i + j] == flt->grep[j]))
            j++;
        if (j == flt->grep_len)
            return 1;
    }
    return 0;
}

/* A filter for a query or a follow: grep text cut from a real message (or
 * not), a level, a time range. */
static void random_filter(struct run *R, struct logfilter *f, int with_time, char *desc, size_t dn)
{
    const struct scan *s = &R->cur;
    size_t o = 0;

    memset(f, 0, sizeof(*f));
    desc[0] = '\0';
    if (chance(50) && s->nview) {
        const struct fent *e = &s->view[below(s->nview)];
        size_t start = below(e->msg_len), len = 1 + below(8);
        if (start + len > e->msg_len)
            len = e->msg_len - start;
        if (chance(40)) { /* a word that rarely matches */
            static const char *const words[] = {"denied", "ERROR", "heartbeat 1",   "\"",      "\\",
                                                "brien",  "xyzzy", "DOMAIN\\alice", "\xc3\xa9"};
            const char *w = words[below(sizeof(words) / sizeof(words[0]))];
            start = 0;
            len = strlen(w);
            memcpy(f->grep, w, len);
        } else {
            memcpy(f->grep, e->msg + start, len);
        }
        f->grep_len = len;
        f->ignore_case = chance(40);
        char g[100];
        show(g, sizeof(g), f->grep, f->grep_len);
        o += (size_t)snprintf(desc + o, dn - o, " grep%s \"%s\"", f->ignore_case ? " -i" : "", g);
    }
    if (chance(30)) {
        f->min_level = (int)(1 + below(5));
        o += (size_t)snprintf(desc + o, dn - o, " level>=%d", f->min_level);
    }
    if (with_time && s->nview) {
        int64_t t1 = s->view[below(s->nview)].time_us + (int64_t)below(3) - 1;
        int64_t t2 = s->view[below(s->nview)].time_us + (int64_t)below(3) - 1;
        if (t1 > t2) {
            int64_t x = t1;
            t1 = t2;
            t2 = x;
        }
        if (chance(70))
            f->since_us = t1;
        if (chance(50) || !f->since_us)
            f->until_us = t2;
        o += (size_t)snprintf(desc + o, dn - o, " since %lld until %lld", (long long)f->since_us,
                              (long long)f->until_us);
    }
    if (o == 0)
        snprintf(desc, dn, " (no filter)");
}

/* Whether an entry a reader returned is one the model knows under that seq:
 * ours as acknowledged (or as seen in the files), or a notice of the store's
 * own seen in the files. */
static int known_entry(struct run *R, const struct fent *f)
{
    struct logical *l = logical_by_id(R, f->id);

    if (l)
        return same_content(f, l) && (f->seq == l->acked_seq || f->seq == l->seen_seq);
    for (size_t i = 0; i < R->cur.nview; i++)
        if (R->cur.view[i].seq == f->seq)
            return R->cur.view[i].id == 0;
    for (size_t i = 0; i < R->prev.nview; i++)
        if (R->prev.view[i].seq == f->seq)
            return R->prev.view[i].id == 0;
    return 0;
}

/* Reads a reader to its end (of the snapshot, or of what is written so
 * far), collecting seqs, and whether each matches `flt`. A reader that keeps
 * pausing without getting anywhere (it reads the same files over and over)
 * fails `p` rather than hanging the test. */
static int drain(struct logreader *r, const struct logfilter *flt, uint64_t *seqs, char *match,
                 size_t cap, size_t *n, struct run *R, enum prop p, const char *what)
{
    struct log_entry e;
    unsigned pauses = 0;
    size_t lines = 0;
    int rc;

    for (size_t i = 0; i < R->cur.nfiles; i++)
        lines += (size_t)(R->cur.size[i] / 16 + 1);
    uint64_t t0 = clock_mono_us();
    *n = 0;
    for (;;) {
        rc = logreader_next(r, &e);
        if (rc == LOGREAD_MORE) {
            /* A slice also ends on time (LOGREAD_SLICE_US), so a slow
             * machine pauses more: only many pauses and half a second spent
             * make a loop. */
            ++pauses;
            if ((R->reader_looped && pauses > 1 + lines / LOGREAD_SLICE) ||
                (pauses > 4 + lines / LOGREAD_SLICE && clock_mono_us() - t0 > 500000)) {
                R->reader_looped = 1; /* once known, the next loop is cut short */
                fail(R, p, "%s: never reaches the end (%u pauses over %zu lines' worth of files)",
                     what, pauses, lines);
                return ERR_IO;
            }
            r->scanned = 0;
            continue;
        }
        if (rc > 1) {
            /* Another notice than an entry (a gap record, once the reader
             * has them): read on, but not forever. */
            if (++pauses > 1000) {
                fail(R, p, "%s: notice %d again and again", what, rc);
                return ERR_IO;
            }
            continue;
        }
        if (rc != 1)
            break;
        struct fent f = {.seq = e.seq,
                         .time_us = e.time_us,
                         .level = (int)e.level,
                         .uid = e.uid,
                         .pid = e.pid,
                         .msg = (char *)e.msg,
                         .msg_len = e.msg_len};
        memcpy(f.source, e.source, sizeof(f.source));
        memcpy(f.user, e.user, sizeof(f.user));
        f.id = msg_id(e.msg, e.msg_len);
        if (!known_entry(R, &f)) {
            char a[120];
            show(a, sizeof(a), e.msg, e.msg_len > 60 ? 60 : e.msg_len);
            fail(R, p, "%s: seq %" PRIu64 " is not the entry the model has under it: \"%s\"", what,
                 e.seq, a);
        }
        if (*n < cap) {
            match[*n] = (char)fent_matches(&f, flt);
            seqs[(*n)++] = e.seq;
        }
    }
    if (rc < 0)
        fail(R, p, "%s: logreader_next: %s", what, err_str(rc));
    return rc;
}

static void query(struct run *R)
{
    struct logfilter f;
    char desc[300];
    uint64_t tail = chance(20) ? UINT32_MAX : below(30);
    int with_time = chance((unsigned)R->p->time_queries);
    struct logreader r;
    static uint64_t got[4096], want[4096];
    static char gm[4096];
    size_t ngot = 0, nwant = 0, nmatch = 0;
    enum prop p;

    random_filter(R, &f, with_time, desc, sizeof(desc));
    p = (f.since_us || f.until_us) ? P_QUERY_TIME
        : f.grep_len               ? P_QUERY_GREP
        : f.min_level              ? P_QUERY_LEVEL
                                   : P_QUERY_TAIL;
    opdesc(R, "query tail %" PRIu64 "%s", tail, desc);
    for (size_t i = 0; i < R->cur.nview; i++)
        nmatch += (size_t)fent_matches(&R->cur.view[i], &f);
    for (size_t i = 0, seen = 0; i < R->cur.nview; i++) {
        if (!fent_matches(&R->cur.view[i], &f))
            continue;
        if (nmatch - seen++ <= tail && nwant < 4096)
            want[nwant++] = R->cur.view[i].seq;
    }
    int rc = logreader_open(&r, R->path, &f, tail, 0, NULL);
    if (rc < 0) {
        fail(R, p, "query tail %" PRIu64 "%s: logreader_open: %s", tail, desc, err_str(rc));
        return;
    }
    drain(&r, &f, got, gm, 4096, &ngot, R, p, "query");
    logreader_close(&r);
    if (ngot == nwant && memcmp(got, want, ngot * sizeof(got[0])) == 0)
        return;
    size_t i = 0;
    while (i < ngot && i < nwant && got[i] == want[i])
        i++;
    fail(R, p,
         "query tail %" PRIu64 "%s: %zu entries, the model has %zu; first difference at #%zu: "
         "got seq %" PRIu64 ", expected %" PRIu64,
         tail, desc, ngot, nwant, i, i < ngot ? got[i] : 0, i < nwant ? want[i] : 0);
}

static void close_followers(struct run *R)
{
    for (int i = 0; i < NFOLLOW; i++) {
        if (R->fol[i].open)
            logreader_close(&R->fol[i].r);
        R->fol[i].open = 0;
    }
}

static void follow_open(struct run *R)
{
    struct follower *fo = NULL;
    char desc[300];
    uint64_t tail = chance(50) ? 0 : below(6);
    int i;

    for (i = 0; i < NFOLLOW && R->fol[i].open; i++)
        ;
    if (i == NFOLLOW) { /* all busy: one client goes away */
        i = (int)below(NFOLLOW);
        logreader_close(&R->fol[i].r);
        R->fol[i].open = 0;
    }
    fo = &R->fol[i];
    if (chance((unsigned)R->p->filtered_follows)) {
        random_filter(R, &fo->f, 0, desc, sizeof(desc));
    } else {
        memset(&fo->f, 0, sizeof(fo->f));
        snprintf(desc, sizeof(desc), " (no filter)");
    }
    fo->filtered = !logfilter_is_all(&fo->f);
    const uint64_t *rot = chance(50) ? &R->ls.rotations : NULL;
    snprintf(fo->desc, sizeof(fo->desc), "follower %d (tail %" PRIu64 "%s%s)", i, tail, desc,
             rot ? ", in-process" : "");
    opdesc(R, "open %s", fo->desc);
    /* Where it starts: before the last `tail` matches, or at the end. */
    size_t nmatch = 0, seen = 0;
    uint64_t last = 0;
    fo->cursor = 0;
    for (size_t k = 0; k < R->cur.nview; k++) {
        last = R->cur.view[k].seq;
        nmatch += (size_t)fent_matches(&R->cur.view[k], &fo->f);
    }
    if (tail == 0) {
        fo->cursor = last;
    } else {
        for (size_t k = 0; k < R->cur.nview; k++) {
            if (!fent_matches(&R->cur.view[k], &fo->f))
                continue;
            if (nmatch - seen++ == tail) {
                fo->cursor = R->cur.view[k].seq - 1;
                break;
            }
        }
    }
    int rc = logreader_open(&fo->r, R->path, &fo->f, tail, 1, rot);
    if (rc < 0) {
        fail(R, fo->filtered ? P_FOLLOW_FILTERED : P_FOLLOW, "%s: logreader_open: %s", fo->desc,
             err_str(rc));
        return;
    }
    fo->open = 1;
}

/* Reads what a follower has now and checks it against the files: every new
 * match, once, in order; missing only what retention removed. */
static void follow_read(struct run *R, struct follower *fo)
{
    static uint64_t got[8192];
    static char gm[8192];
    size_t ngot;
    enum prop p = fo->filtered ? P_FOLLOW_FILTERED : P_FOLLOW;

    if (drain(&fo->r, &fo->f, got, gm, 8192, &ngot, R, p, fo->desc) < 0) {
        logreader_close(&fo->r); /* a broken follower: the client goes away */
        fo->open = 0;
        return;
    }
    uint64_t c = fo->cursor;
    size_t gi = 0;
    if (R->trace) {
        fprintf(stderr, "    %s after %" PRIu64 " read:", fo->desc, fo->cursor);
        for (size_t k = 0; k < ngot; k++)
            fprintf(stderr, " %" PRIu64, got[k]);
        fprintf(stderr, "\n    files:");
        for (size_t k = 0; k < R->cur.nfiles; k++)
            fprintf(stderr, " %s(first %" PRIu64 ")", R->cur.names[k], R->cur.first_seq[k]);
        fprintf(stderr, "\n");
    }
    for (size_t k = 0; k < ngot; k++) {
        if (got[k] <= c) {
            fail(R, p, "%s: seq %" PRIu64 " again (or out of order) after seq %" PRIu64, fo->desc,
                 got[k], c);
            continue;
        }
        c = got[k];
    }
    /* Every match in the files after the old cursor came back. */
    for (size_t k = 0; k < R->cur.nview; k++) {
        const struct fent *f = &R->cur.view[k];
        if (f->seq <= fo->cursor || !fent_matches(f, &fo->f))
            continue;
        while (gi < ngot && got[gi] < f->seq)
            gi++;
        if (gi == ngot || got[gi] != f->seq) {
            fail(R, p, "%s: missed seq %" PRIu64 " (read %zu entries after seq %" PRIu64 ")",
                 fo->desc, f->seq, ngot, fo->cursor);
            break;
        }
    }
    for (size_t k = 0; k < ngot; k++)
        if (!gm[k])
            fail(R, p, "%s: seq %" PRIu64 " does not match the filter", fo->desc, got[k]);
    if (c > fo->cursor)
        fo->cursor = c;
    /* Everything up to the end of the files counts as delivered now. */
    if (R->cur.nview && R->cur.view[R->cur.nview - 1].seq > fo->cursor)
        fo->cursor = R->cur.view[R->cur.nview - 1].seq;
}

/* ---------------------------------------------------------------- one run */

static enum op pick_op(const struct profile *p)
{
    unsigned total = 0;
    for (int i = 0; i < OP_COUNT; i++)
        total += p->w[i];
    unsigned x = (unsigned)below(total);
    for (int i = 0; i < OP_COUNT; i++) {
        if (x < p->w[i])
            return (enum op)i;
        x -= p->w[i];
    }
    return OP_APPEND;
}

static void do_op(struct run *R, enum op op)
{
    switch (op) {
    case OP_APPEND: {
        int durable = chance(40);
        opdesc(R, "append%s", durable ? " durable" : "");
        append_one(R, 0, durable);
        break;
    }
    case OP_BURST: {
        unsigned n = 5 + (unsigned)below(16);
        opdesc(R, "burst of %u", n);
        for (unsigned i = 0; i < n; i++)
            append_one(R, 0, i + 1 == n && chance(50));
        break;
    }
    case OP_BIG:
        opdesc(R, "big entry (rotates)");
        append_one(R, R->rotate_size / 2 + below(R->rotate_size / 2), chance(50));
        break;
    case OP_SYNC: {
        R->mono_us += 1000;
        opdesc(R, "sync");
        unsigned fired = sync_faults_fired;
        if (logstore_sync_due(&R->ls, R->mono_us, 0) == 0 && fired == sync_faults_fired) {
            /* A successful sync of the current file: what is in it is durable. */
            uint64_t first = R->cur.first_seq[R->cur.nfiles - 1];
            for (size_t k = 0; k < R->nlg && first; k++)
                if (R->lg[k].acked_seq >= first && !R->lg[k].may_be_lost)
                    R->lg[k].durable = 1;
        }
        break;
    }
    case OP_RESTART:
        opdesc(R, "restart");
        close_followers(R);
        logstore_close(&R->ls);
        R->ls_open = 0;
        drop_held(R);
        memset(faults, 0, sizeof(faults));
        store_open(R);
        break;
    case OP_KILL:
    case OP_POWERLOSS: {
        struct scan before = R->cur;
        memset(&R->cur, 0, sizeof(R->cur));
        scan_dir(R, &R->cur); /* the files as the crash found them */
        scan_free(&before);
        crash(R, op == OP_POWERLOSS);
        check_shrink(R); /* the cut becomes the baseline */
        store_open(R);
        after_op(R);
        if (op == OP_POWERLOSS)
            check_loss_suffix(R, &R->prev);
        return;
    }
    case OP_FAULT: {
        enum fkind k = (enum fkind)below(F_KINDS);
        faults[k].left = 1 + (unsigned)below(3);
        faults[k].err = chance(50) ? ERR_IO : ERR_NOSPC;
        faults[k].short_write = k == F_APPEND && chance(50);
        R->had_faults = 1;
        R->faults_spent_mono = 0;
        opdesc(R, "fault: the next %u %s calls fail with %s%s", faults[k].left, fkind_name[k],
               err_str(faults[k].err), faults[k].short_write ? " after a short write" : "");
        break;
    }
    case OP_CLOCK_BACK: {
        int64_t back = (int64_t)(1 + below(3600)) * 1000000;
        opdesc(R, "wall clock steps back %llds", (long long)(back / 1000000));
        R->wall_us -= back;
        break;
    }
    case OP_QUERY:
        query(R);
        break;
    case OP_FOLLOW_OPEN:
        follow_open(R);
        break;
    case OP_FOLLOW_READ:
        opdesc(R, "followers read");
        for (int i = 0; i < NFOLLOW; i++)
            if (R->fol[i].open)
                follow_read(R, &R->fol[i]);
        break;
    case OP_COUNT:
        break;
    }
    R->mono_us += 1000 * (1 + below(300));
    if (R->nheld && op != OP_FAULT)
        flush_held(R); /* the service retries held entries every round */
    after_op(R);
    check_recovered(R);
}

static void run_free(struct run *R)
{
    close_followers(R);
    if (R->ls_open)
        logstore_close(&R->ls);
    R->ls_open = 0;
    for (size_t k = 0; k < R->nlg; k++) {
        free(R->lg[k].raw);
        free(R->lg[k].canon);
    }
    free(R->lg);
    free(R->held);
    scan_free(&R->cur);
    scan_free(&R->prev);
    sbuf_free(&R->tmp);
    untrack_all();
}

static int env_keep; /* SVCD_MODEL_KEEP=1: leave the run's directory for a look */

static void run_seed(const struct profile *p, uint64_t seed, unsigned nops, int trace)
{
    static struct run R; /* static: kept off the stack across longjmp */

    memset(&R, 0, sizeof(R));
    R.p = p;
    R.seed = seed;
    R.trace = trace;
    rng_state = seed * 0x100000001b3ull + (uint64_t)(p - profiles);
    sbuf_init(&R.tmp, LOGREAD_LINE_MAX);
    if (tmpdir_make(R.dir, sizeof(R.dir)) < 0)
        die("tmpdir_make");
    snprintf(R.path, sizeof(R.path), "%s/%s", R.dir, LOGSTORE_FILE);
    R.rotate_size = 1024 + below(3072);
    R.rotate_keep = 1 + below(3);
    R.wall_us = 1795000000000000ll + (int64_t)below(1000000000000ll);
    R.mono_us = 1000000;
    memset(faults, 0, sizeof(faults));
    logfs = &faulty;
    if (trace)
        fprintf(stderr, "seed %" PRIu64 " profile %s: rotate_size %" PRIu64 " keep %" PRIu64 "\n",
                seed, p->name, R.rotate_size, R.rotate_keep);
    if (setjmp(bail) == 0) {
        store_open(&R);
        after_op(&R);
        for (R.op = 1; R.op <= nops; R.op++) {
            rep->op = R.op;
            R.rotations_before = R.ls.rotations;
            R.faults_before = faults_fired;
            do_op(&R, pick_op(p));
        }
        rep->ops_done = nops;
    }
    run_free(&R);
    logfs = &logfs_real;
    if (env_keep)
        fprintf(stderr, "seed %" PRIu64 ": the log is kept in %s\n", seed, R.dir);
    else
        tmpdir_remove(R.dir);
}

/* ---------------------------------------------------------------- the driver */

/* This test's own path, for the command that reproduces a failure. */
static const char *self_exe(void)
{
    static char buf[1024];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return "build/native/tests/test_logmodel";
    buf[n] = '\0';
    return buf;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

/* Runs one seed in a child, so that a crash of the store is a finding like
 * any other. Returns the number of properties that failed. */
static unsigned run_child(const struct profile *p, uint64_t seed, unsigned nops, int trace,
                          unsigned *first_fail_count, uint64_t *first_fail_seed, char **first_msg)
{
    memset(rep, 0, sizeof(*rep));
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        alarm(120);                       /* a hang is a finding too (signal 14) */
        run_seed(p, seed, nops, trace);
#ifdef MODEL_LSAN
        if (__lsan_do_recoverable_leak_check())
            fail(&(struct run){.op = rep->op}, P_NO_LEAK, "LeakSanitizer reported leaks (above)");
#endif
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!rep->failed[P_NO_CRASH]) {
            rep->failed[P_NO_CRASH] = rep->op + 1;
            snprintf(rep->msg[P_NO_CRASH], sizeof(rep->msg[0]), "the run %s %d during \"%s\"",
                     WIFSIGNALED(status) ? "died of signal" : "exited with",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), rep->opdesc);
        }
    }
    unsigned nfail = 0;
    for (int i = 0; i < P_COUNT; i++) {
        if (!rep->failed[i])
            continue;
        nfail++;
        if (first_fail_count[i]++ == 0) {
            first_fail_seed[i] = seed;
            if (asprintf(&first_msg[i], "op %u: %s", rep->failed[i] - 1, rep->msg[i]) < 0)
                first_msg[i] = NULL;
        }
        fprintf(stderr,
                "logmodel %s seed %" PRIu64 ": property %s failed at op %u: %s\n"
                "  reproduce: SVCD_MODEL_SEED=%" PRIu64
                " SVCD_MODEL_TRACE=1 %s --filter 'logmodel/%s'\n",
                p->name, seed, props[i].name, rep->failed[i] - 1, rep->msg[i], seed, self_exe(),
                p->name);
    }
    return nfail;
}

/* The fixed seeds of ctest: enough to reach every operation many times, and
 * well under 20 s for all profiles under ASan on two cores. */
#define MODEL_SEEDS 4
#define MODEL_OPS   120

static void run_profile(const struct profile *p)
{
    uint64_t one = env_u64("SVCD_MODEL_SEED", 0);
    uint64_t first = one ? one : env_u64("SVCD_MODEL_FIRST", 1);
    uint64_t n = one ? 1 : env_u64("SVCD_MODEL_SEEDS", MODEL_SEEDS);
    unsigned nops = (unsigned)env_u64("SVCD_MODEL_OPS", MODEL_OPS);
    int trace = (int)env_u64("SVCD_MODEL_TRACE", 0);
    plain_users = (int)env_u64("SVCD_MODEL_PLAIN", 0);
    env_keep = (int)env_u64("SVCD_MODEL_KEEP", 0);
    unsigned count[P_COUNT] = {0};
    uint64_t seed_of[P_COUNT] = {0};
    char *msg[P_COUNT] = {0};
    unsigned bad_seeds = 0;

    rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(rep, MAP_FAILED);
    for (uint64_t s = first; s < first + n; s++)
        bad_seeds += run_child(p, s, nops, trace, count, seed_of, msg) ? 1 : 0;
    munmap(rep, sizeof(*rep));
    if (!bad_seeds) {
        for (int i = 0; i < P_COUNT; i++)
            free(msg[i]);
        return;
    }
    char summary[8192];
    size_t o = (size_t)snprintf(summary, sizeof(summary),
                                "logmodel %s: %u of %" PRIu64 " seeds failed (seeds %" PRIu64
                                "..%" PRIu64 ", %u ops each):\n",
                                p->name, bad_seeds, n, first, first + n - 1, nops);
    for (int i = 0; i < P_COUNT && o < sizeof(summary); i++) {
        if (!count[i])
            continue;
        o += (size_t)snprintf(summary + o, sizeof(summary) - o,
                              "  %-16s %u seeds, first seed %" PRIu64 " (%s): %s\n", props[i].name,
                              count[i], seed_of[i], props[i].what, msg[i] ? msg[i] : "");
        free(msg[i]);
    }
    cr_assert_fail("%s", summary);
}

TestSuite(logmodel, .timeout = 280);

Test(logmodel, appends_rotations_queries)
{
    run_profile(&profiles[0]);
}

Test(logmodel, filtered_follows)
{
    run_profile(&profiles[1]);
}

Test(logmodel, crashes)
{
    run_profile(&profiles[2]);
}

Test(logmodel, faults)
{
    run_profile(&profiles[3]);
}

Test(logmodel, clock_steps_back)
{
    run_profile(&profiles[4]);
}

Test(logmodel, everything)
{
    run_profile(&profiles[5]);
}
