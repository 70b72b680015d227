#include "logstore.h"
#include "clock.h"
#include "err.h"
#include "json.h"
#include "logfiles.h"
#include "logfs.h"
#include "logscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECOVER_SCAN_MAX (8u * 1024u * 1024u) /* garbage looked through before giving up */

struct recover_scan {
    int found;
    uint64_t good_end; /* just after the last entry that parses */
    uint64_t scanned;
    int nul;
    uint64_t seq;
    int64_t time_us;
    struct sbuf msg;
};

static int recover_line(void *ctx, const char *line, size_t len, uint64_t start)
{
    struct recover_scan *r = ctx;
    struct log_entry e;

    if (logline_parse(line, len, &e, &r->msg) == 0) {
        r->found = 1;
        r->good_end = start + len + 1;
        r->seq = e.seq;
        r->time_us = e.time_us;
        return 1;
    }
    if (memchr(line, '\0', len))
        r->nul = 1; /* a power loss's zero-filled blocks, not a kill's torn write */
    r->scanned += len + 1;
    return r->scanned > RECOVER_SCAN_MAX ? 1 : 0;
}

/* Opens (creating) svcd.log for appending; a new file is given to the
 * log_group at once, before any entry is in it. */
static int open_log(struct logstore *ls)
{
    ls->recent.valid = 0; /* held for the file being left */
    ls->recent_id_known = 0;
    if (ls->group_set) /* readable by the group from its first moment */
        return fs_open_append_shared(ls->path, ls->group, &ls->f);
    return logfs->open_append(ls->path, &ls->f);
}

/* Whether a file of `size` bytes does not end with a newline. A byte that
 * cannot be read counts as "mid-line": ending a line that was complete
 * costs an empty line readers skip, leaving one open would join two. */
static int ends_mid_line(fs_file *f, uint64_t size)
{
    char c;
    size_t got = 0;

    if (size == 0)
        return 0;
    if (fs_read_at(f, &c, 1, size - 1, &got) < 0 || got != 1)
        return 1;
    return c != '\n';
}

/* Ends the line a failed write (or a crash) left open, so the next entry
 * starts a line of its own, and learns the size the file really has.
 * Returns 0 or the error (then the file may still end mid-line). */
static int end_mid_line(struct logstore *ls)
{
    int rc;

    if (!ls->mid_line)
        return 0;
    rc = logfs->append(ls->f, "\n", 1);
    if (rc == 0)
        rc = logfs->size(ls->f, &ls->size);
    if (rc < 0)
        return rc;
    ls->mid_line = 0;
    ls->dirty = 1;
    return 0;
}

/* Opens svcd.log again when no file is open (a rotation, a recovery or a
 * removed directory lost it), recreating the directory as logstore_open
 * did. The file found may be the old one (a failed rename) or a new one.
 * Returns 0 or the error, also kept in open_error. */
static int reopen(struct logstore *ls)
{
    uint64_t size = 0;
    int rc;

    if (ls->f)
        return 0;
    rc = logfs->mkdir_p(ls->dir, ls->dir_mode);
    if (rc == 0)
        rc = open_log(ls);
    if (rc == 0 && (rc = logfs->size(ls->f, &size)) < 0) {
        fs_close(ls->f);
        ls->f = NULL;
    }
    if (rc < 0) {
        ls->open_error = rc;
        return rc;
    }
    ls->open_error = 0;
    ls->size = size;
    ls->mid_line = ends_mid_line(ls->f, size);
    if (size == 0 || logscan_first_entry(ls->path, &ls->first_seq, &ls->first_time_us) != 1)
        ls->first_seq = 0;
    return 0;
}

/* No entry could be read: keep the old file under another name (nothing is
 * deleted) and start a new one. */
static int move_aside(struct logstore *ls)
{
    int rc;

    fs_close(ls->f);
    ls->f = NULL;
    /* Never over an earlier one (two in the same second): -2, -3... */
    for (int n = 1;; n++) {
        long long now = (long long)(clock_wall_us() / CLOCK_US_PER_SEC);
        rc = n == 1
                 ? sbuf_fmt(ls->moved_to, sizeof(ls->moved_to), "%s.unreadable-%lld", ls->path, now)
                 : sbuf_fmt(ls->moved_to, sizeof(ls->moved_to), "%s.unreadable-%lld-%d", ls->path,
                            now, n);
        if (rc < 0)
            return ERR_NAMETOOLONG;
        rc = logfs->rename_noreplace(ls->path, ls->moved_to);
        if (rc != ERR_EXIST || n == 100)
            break;
    }
    if (rc < 0)
        return rc;
    ls->torn_bytes = ls->size;
    ls->size = 0;
    return open_log(ls);
}

/* Finds the last entry that parses, whose sequence number the next entry
 * continues. What follows it (a partial line, a NUL run from a power loss,
 * lines that do not parse) is never cut: a shipper may have read it
 * already. It is ended with a newline (if that cannot be written now, before
 * the next entry) and the next append rotates, so the torn bytes stay in the
 * rotated file as a line no reader returns. */
static int recover(struct logstore *ls)
{
    struct recover_scan r;
    int rc;

    if (ls->size == 0)
        return 0;
    memset(&r, 0, sizeof(r));
    sbuf_init(&r.msg, LOGREAD_LINE_MAX);
    /* Scan from the very end: a partial last line is simply one that does not
     * parse (each_line_backward treats the end as a line end). */
    rc = logscan_backward(ls->f, ls->size + 1, recover_line, &r);
    sbuf_free(&r.msg);
    if (rc < 0)
        return rc;
    ls->lost_tail = r.nul || !r.found;
    if (!r.found)
        return move_aside(ls);
    ls->last_seq = r.seq;
    ls->last_time_us = r.time_us;
    if (r.good_end < ls->size) {
        ls->torn_bytes = ls->size - r.good_end;
        ls->recover_rotate = 1;
    }
    /* A whole entry whose newline never reached the disk, or a torn tail:
     * end the line. A full disk does not stop the start; the next append
     * tries again before it writes. */
    ls->mid_line = ends_mid_line(ls->f, ls->size);
    (void)end_mid_line(ls);
    return 0;
}

/* Reads one decimal number at *i of buf[0, got). Returns 1, or 0 when
 * there is none or it is above LOG_SEQ_MAX. */
static int read_number(const char *buf, size_t got, size_t *i, uint64_t *v)
{
    size_t start = *i;

    *v = 0;
    for (; *i < got && buf[*i] >= '0' && buf[*i] <= '9'; (*i)++) {
        if (*v > LOG_SEQ_MAX / 10)
            return 0;
        *v = *v * 10 + (uint64_t)(buf[*i] - '0');
    }
    return *i > start && *v <= LOG_SEQ_MAX;
}

/* The high-water mark in LOGSTORE_SEQ_FILE: "<last seq>[ <reserved up to>]\n"
 * into seq_saved and seq_reserved; both 0 when it is missing or not what
 * svcd writes (then the files alone say where the sequence is). */
static void read_seq_file(struct logstore *ls)
{
    char buf[64];
    uint64_t exact, reserved;
    size_t got = 0, i = 0;
    fs_file *f;

    ls->seq_saved = ls->seq_reserved = 0;
    if (logfs->open_read(ls->seq_path, &f) < 0)
        return;
    if (fs_read_at(f, buf, sizeof(buf) - 1, 0, &got) < 0)
        got = 0;
    fs_close(f);
    if (!read_number(buf, got, &i, &exact))
        return;
    reserved = exact;
    if (i < got && buf[i] == ' ') {
        i++;
        if (!read_number(buf, got, &i, &reserved) || reserved < exact)
            return;
    }
    if (i < got && buf[i] != '\n')
        return;
    ls->seq_saved = exact;
    ls->seq_reserved = reserved;
}

/* Writes the high-water mark: the exact last seq and how far ahead seqs
 * may be in use. A failure is counted, not fatal: the log files still hold
 * the truth. */
static void write_mark(struct logstore *ls, uint64_t exact, uint64_t reserved)
{
    char buf[64];
    int n;

    if (ls->seq_path[0] == '\0')
        return;
    n = snprintf(buf, sizeof(buf), "%llu %llu\n", (unsigned long long)exact,
                 (unsigned long long)reserved);
    if (logfs->replace(ls->seq_path, buf, (size_t)n) < 0) {
        ls->seq_errors++;
        return;
    }
    ls->seq_saved = exact;
    ls->seq_reserved = reserved;
}

/* Before `seq` is handed out: the mark's reservation is kept ahead of every
 * seq in use (one synced write per LOGSTORE_SEQ_RESERVE entries), so that
 * after a power loss took entries a shipper may have read (a NUL-filled
 * svcd.log), the sequence skips numbers rather than give one to another
 * entry. After a kill -9 the files hold every entry: no skip then. */
static void reserve_seq(struct logstore *ls, uint64_t seq)
{
    uint64_t mark = seq + LOGSTORE_SEQ_RESERVE - 1;

    if (seq > ls->seq_reserved)
        write_mark(ls, ls->seq_saved, mark > LOG_SEQ_MAX ? LOG_SEQ_MAX : mark);
}

/* Writes last_seq to the high-water mark when it holds less. */
static void save_seq(struct logstore *ls)
{
    if (ls->last_seq > ls->seq_saved)
        write_mark(ls, ls->last_seq,
                   ls->seq_reserved > ls->last_seq ? ls->seq_reserved : ls->last_seq);
}

/* The highest seq in the newest rotated file: its last entry that parses,
 * found scanning backwards, or the seq its name carries (its first). 0 when
 * there is no rotated file. */
static uint64_t newest_rotated_seq(const struct logstore *ls)
{
    struct logfiles set;
    struct recover_scan r;
    uint64_t seq, size;
    fs_file *f;

    if (logfiles_load(ls->path, &set) < 0 || set.n < 2) {
        if (set.n)
            logfiles_free(&set);
        return 0;
    }
    seq = set.v[set.n - 2].first_seq; /* the last one is the current file */
    memset(&r, 0, sizeof(r));
    sbuf_init(&r.msg, LOGREAD_LINE_MAX);
    if (logfs->open_read(set.v[set.n - 2].path, &f) == 0) {
        if (logfs->size(f, &size) == 0 && size > 0 &&
            logscan_backward(f, size + 1, recover_line, &r) == 0 && r.found && r.seq > seq)
            seq = r.seq;
        fs_close(f);
    }
    sbuf_free(&r.msg);
    logfiles_free(&set);
    return seq;
}

/* The sequence is the store's, not the current file's: a current file with
 * no readable entry (NUL-filled by a power loss, or a crash right after a
 * rotation's rename) must not start it again at 1, nor must files removed
 * by hand. */
static void continue_sequence(struct logstore *ls)
{
    uint64_t rotated = newest_rotated_seq(ls);

    if (rotated > ls->last_seq)
        ls->last_seq = rotated;
    if (ls->seq_saved > ls->last_seq)
        ls->last_seq = ls->seq_saved;
    if (ls->lost_tail && ls->seq_reserved > ls->last_seq)
        ls->last_seq = ls->seq_reserved; /* entries may be lost with their numbers shipped */
    ls->checked_seq = ls->last_seq;
    /* Not saved here: an fsync between creating svcd.log and giving it to
     * log_group (svc.c) would let a shipper find it unreadable. The next
     * rotation, new file or close saves it; until then the files hold it. */
}

/* The age of the file found at open, from its first entry (0 when it has
 * none, or when the wall clock says it is from the future). */
static void note_file_age(struct logstore *ls)
{
    int64_t age = ls->first_seq ? clock_wall_us() - ls->first_time_us : 0;

    ls->file_age_at_open_us = age > 0 ? age : 0;
    ls->file_start_known = 0;
}

/* A new current file was begun at now_mono. */
static void file_begun(struct logstore *ls, uint64_t now_mono)
{
    ls->file_start_mono = (int64_t)now_mono;
    ls->file_start_known = 1;
    save_seq(ls);
}

/* Whether the current file is rotate_min_age old. The start of the file
 * found at open is placed on the callers' clock at the first append. */
static int old_enough(struct logstore *ls, uint64_t now_mono)
{
    if (!ls->file_start_known) {
        ls->file_start_mono = (int64_t)now_mono - ls->file_age_at_open_us;
        ls->file_start_known = 1;
    }
    return ls->rotate_min_age_us == 0 ||
           (int64_t)now_mono - ls->file_start_mono >= (int64_t)ls->rotate_min_age_us;
}

/* Whether a rotated file is younger than rotate_min_age (by its last
 * write, which its rotation was): pruning leaves it for a shipper. */
static int too_young(const struct logstore *ls, const char *path, int64_t now)
{
    int64_t mtime;

    return ls->rotate_min_age_us && logfs->mtime(path, &mtime) == 0 &&
           now - mtime < (int64_t)ls->rotate_min_age_us;
}

int logstore_open(struct logstore *ls, const char *dir, int system_mode)
{
    int rc;

    memset(ls, 0, sizeof(*ls));
    sbuf_init(&ls->line, LOGREAD_LINE_MAX);
    if (paths_join(dir, LOGSTORE_FILE, ls->path, sizeof(ls->path)) < 0 ||
        paths_join(dir, LOGSTORE_SEQ_FILE, ls->seq_path, sizeof(ls->seq_path)) < 0 ||
        sbuf_fmt(ls->dir, sizeof(ls->dir), "%s", dir) < 0)
        return ERR_NAMETOOLONG;
    ls->dir_mode = system_mode ? FS_DIR_SERVICE : FS_DIR_PRIVATE;
    rc = logfs->mkdir_p(dir, ls->dir_mode);
    if (rc < 0)
        return rc;
    read_seq_file(ls); /* first: so that nothing written later lowers it */
    rc = logfs->open_append(ls->path, &ls->f);
    if (rc < 0)
        return rc;
    rc = logfs->size(ls->f, &ls->size);
    if (rc == 0)
        rc = recover(ls);
    if (rc < 0)
        goto close_file;
    if (logscan_first_entry(ls->path, &ls->first_seq, &ls->first_time_us) != 1)
        ls->first_seq = 0;
    continue_sequence(ls);
    note_file_age(ls);
    return 0;

close_file:
    if (ls->f)
        fs_close(ls->f);
    ls->f = NULL;
    ls->open_error = rc;
    sbuf_free(&ls->line);
    return rc;
}

/* Removes rotated files beyond the count to keep, and those older than the
 * age limit. Failures are counted, never fatal: the next rotation retries. */
static void prune(struct logstore *ls)
{
    struct logfiles set;
    int64_t now = clock_wall_us(), mtime;
    size_t rotated;

    if (logfiles_load(ls->path, &set) < 0) {
        ls->prune_errors++;
        return;
    }
    rotated = set.n - 1; /* the last one is the current file */
    for (size_t i = 0; i < rotated; i++) {
        int too_many = rotated - i > ls->rotate_keep;
        int too_old = ls->rotate_max_age_us && logfs->mtime(set.v[i].path, &mtime) == 0 &&
                      now - mtime > (int64_t)ls->rotate_max_age_us;
        if ((too_many || too_old) && !too_young(ls, set.v[i].path, now)) {
            if (logfs->remove(set.v[i].path) < 0)
                ls->prune_errors++;
            logfiles_changed(ls->path); /* even a failed remove may have removed it */
        }
    }
    logfiles_free(&set);
}

/* Records why the rename failed; the episode's start time is kept. */
static void rotation_blocked(struct logstore *ls, const char *to, int err, uint64_t now_mono)
{
    const char *name = strrchr(to, '/'), *back = strrchr(to, '\\');

    if (back && (!name || back > name))
        name = back;
    name = name ? name + 1 : to;
    if (!ls->rotate_blocked)
        ls->rotate_blocked_since_us = clock_wall_us();
    ls->rotate_blocked = err;
    ls->rotate_retry_mono = now_mono + LOGSTORE_ROTATE_RETRY_US;
    ls->rotate_errors++;
    if (err == ERR_EXIST)
        snprintf(ls->rotate_blocked_why, sizeof(ls->rotate_blocked_why),
                 "cannot rename " LOGSTORE_FILE " to %s: a file of that name exists, and svcd "
                 "never renames over one (move it away to let rotation go on)",
                 name);
    else if (err == ERR_BUSY)
        snprintf(ls->rotate_blocked_why, sizeof(ls->rotate_blocked_why),
                 "a process holds " LOGSTORE_FILE " open without sharing delete (e.g. PowerShell "
                 "Get-Content -Wait), so it cannot be renamed to %s",
                 name);
    else
        snprintf(ls->rotate_blocked_why, sizeof(ls->rotate_blocked_why),
                 "cannot rename " LOGSTORE_FILE " to %s: %s", name, err_str(err));
}

/* Closes the current file under its final name, svcd.log.<first seq>, and
 * starts a new one. A rename is atomic: a reader holding the old file reads
 * it to its end, then finds the next (logread.c). A failed rename leaves the
 * same file open for appending, marked rotate_blocked; a file that is gone
 * (ERR_NOENT: the directory was removed) is simply begun anew. A file is
 * closed only once its last line is ended and synced (after a failed sync
 * closing would leave its data to chance): until then the rotation waits
 * and the file stays open. Returns 0, that error (the same file stays open),
 * or the error of reopening the log (then ls->f is NULL, and the next
 * append tries again). */
static int rotate(struct logstore *ls, uint64_t now_mono)
{
    char name[PATHS_MAX];
    int rc, renamed;

    rc = logfiles_rotated_name(ls->path, ls->first_seq, name, sizeof(name));
    if (rc < 0)
        return rc;
    rc = end_mid_line(ls);
    if (rc == 0)
        rc = logstore_sync(ls, now_mono);
    if (rc < 0)
        return rc;
    ls->recover_rotate = 0;
    fs_close(ls->f);
    ls->f = NULL;
    renamed = logfs->rename_noreplace(ls->path, name); /* never over history */
    logfiles_changed(ls->path);
    if (renamed < 0 && renamed != ERR_NOENT) {
        rotation_blocked(ls, name, renamed, now_mono); /* keep writing to the same file */
    } else {
        ls->rotate_blocked = 0;
        ls->size = 0;
        ls->first_seq = 0;
        ls->mid_line = 0;
        ls->rotations++;
        file_begun(ls, now_mono);
    }
    if (renamed == 0 && ls->rotate_size)
        prune(ls); /* the file is rotated: retention applies even if no new one opens yet */
    return reopen(ls);
}

/* Whether the entry about to be appended must first rotate the file: it
 * would grow past rotate_size, and no failed rename is waiting for its
 * retry time (a blocked rotation costs one attempt per retry period), and
 * it is rotate_min_age old. */
static int rotation_due(struct logstore *ls, size_t add, uint64_t now_mono)
{
    int old = old_enough(ls, now_mono); /* asked at every append: places the file's start */

    if (ls->recover_rotate && ls->size > 0)
        return 1; /* the entry saying what recovery found begins a new file */
    if (!ls->rotate_size || ls->size == 0 || ls->size + add <= ls->rotate_size)
        return 0;
    if (!old)
        return 0; /* a burst grows it past rotate_size until it is rotate_min_age old */
    return !ls->rotate_blocked || now_mono >= ls->rotate_retry_mono;
}

void logstore_set_rotation(struct logstore *ls, uint64_t size, uint64_t keep, uint64_t max_age_us)
{
    ls->rotate_size = size;
    ls->rotate_keep = keep;
    ls->rotate_max_age_us = max_age_us;
}

void logstore_set_min_age(struct logstore *ls, uint64_t min_age_us)
{
    ls->rotate_min_age_us = min_age_us;
}

/* After a failed write: whatever part of the line reached the file (a
 * short write on a full disk) is ended with a newline, now if it can be,
 * else before the next entry. The file is never truncated. Returns 1 when
 * the whole entry is in the file all the same (only its newline was
 * missing), 0 when it is not written. */
static int after_failed_write(struct logstore *ls)
{
    uint64_t size, before = ls->size;

    if (logfs->size(ls->f, &size) == 0) {
        if (size == ls->size)
            return 0;    /* nothing reached the file */
        ls->size = size; /* the prefix is there: the file is never cut */
    } else {
        size = before;
    }
    ls->mid_line = 1;
    ls->dirty = 1;
    (void)end_mid_line(ls);
    /* All of the entry but its newline (which is now there, or goes in
     * before the next entry): it reads as the entry, so it is written. */
    return size - before + 1 >= ls->line.len;
}
/* After the line p[0, n) was appended: offers it to followers (struct
 * logrecent) at the cost of one size query. When the file is not the size
 * the held bytes and this line make (someone else appended to it or cut it,
 * or a newline ended a torn line), nothing is held and the offer begins
 * again at the file's real end; so is it when the buffer is full. Never
 * fails: followers then read the file. */
static void remember(struct logstore *ls, const char *p, size_t n)
{
    struct logrecent *rc = &ls->recent;
    uint64_t size;

    if (rc->buf == NULL && (rc->buf = malloc(LOGRECENT_CAP)) == NULL)
        return;
    if (!ls->recent_id_known) {
        rc->valid = 0;
        if (fs_identity(ls->f, &rc->id) < 0)
            return;
        ls->recent_id_known = 1;
    }
    if (fs_size(ls->f, &size) < 0) {
        rc->valid = 0;
        return;
    }
    if (rc->valid && size == rc->end + n) {
        if (rc->end - rc->start + n > LOGRECENT_CAP)
            rc->start = rc->end; /* full: begin again with this line */
        if (n <= LOGRECENT_CAP) {
            memcpy(rc->buf + (rc->end - rc->start), p, n);
            rc->end += n;
            return;
        }
    }
    rc->valid = 1;
    rc->start = rc->end = size;
}

int logstore_append(struct logstore *ls, struct log_entry *e, int durable, uint64_t now_mono)
{
    int rc;

    if (ls->last_seq >= LOG_SEQ_MAX)
        return ERR_TOOBIG; /* the sequence is used up: never wrap */
    e->seq = ls->last_seq + 1;
    reserve_seq(ls, e->seq);
    if (ls->host[0])
        e->host = ls->host;
    if (e->time_us == 0) /* held entries keep the time they happened */
        e->time_us = clock_wall_us();
    sbuf_reset(&ls->line);
    rc = logline_format(e, &ls->line);
    if (rc < 0)
        return rc;
    rc = reopen(ls);
    if (rc < 0)
        return rc;
    if (rotation_due(ls, ls->line.len, now_mono)) {
        rc = rotate(ls, now_mono);
        if (rc < 0 && ls->f == NULL)
            return rc; /* cannot even reopen the log */
    }
    rc = end_mid_line(ls);
    if (rc < 0)
        return rc;
    rc = logfs->append(ls->f, ls->line.p, ls->line.len);
    if (rc == 0) {
        ls->size += ls->line.len;
        remember(ls, ls->line.p, ls->line.len);
    } else if (!after_failed_write(ls))
        return rc;
    if (ls->first_seq == 0)
        ls->first_seq = e->seq;
    ls->last_seq = e->seq;
    ls->last_time_us = e->time_us;
    ls->written++;
    ls->dirty = 1;
    if (durable && logstore_sync(ls, now_mono) < 0)
        return LOGSTORE_UNSYNCED; /* in the file: retried as a sync, never as a write */
    return 0;
}

int logstore_sync(struct logstore *ls, uint64_t now_mono)
{
    int rc;

    if (!ls->dirty || ls->f == NULL)
        return 0;
    rc = logfs->sync(ls->f);
    if (rc < 0) {
        ls->sync_error = rc;
        return rc;
    }
    ls->dirty = 0;
    ls->sync_error = 0;
    ls->last_sync_mono = now_mono;
    return 0;
}

int logstore_set_group(struct logstore *ls, long gid)
{
    char dir[PATHS_MAX];
    struct logfiles set;
    int rc, first = 0;

    ls->group_set = 1;
    ls->group = gid;
    /* ls->path is <dir><separator>svcd.log (paths_join) */
    if (sbuf_copy(dir, sizeof(dir), ls->path) == 0 && strlen(dir) > strlen(LOGSTORE_FILE)) {
        dir[strlen(dir) - strlen(LOGSTORE_FILE) - 1] = '\0';
        first = fs_share_with_group(dir, gid, 1);
    }
    rc = logfiles_load(ls->path, &set);
    if (rc < 0)
        return first < 0 ? first : rc;
    for (size_t i = 0; i < set.n; i++) {
        rc = fs_share_with_group(set.v[i].path, gid, 0);
        if (rc < 0 && rc != ERR_NOENT && first == 0)
            first = rc;
    }
    logfiles_free(&set);
    return first;
}

void logstore_set_host(struct logstore *ls, const char *host)
{
    json_utf8_fit(ls->host, sizeof(ls->host), host, strlen(host));
}

int logstore_sync_due(struct logstore *ls, uint64_t now_mono, uint64_t window_us)
{
    if (!ls->dirty || (!ls->sync_error && now_mono - ls->last_sync_mono < window_us))
        return 0;
    return logstore_sync(ls, now_mono);
}

/* Says what became of the file, and which entries went with it: those
 * appended since the path last named it (at most one check period's). */
static void describe_loss(struct logstore *ls, int state)
{
    static const char *what[] = {
        [FS_PATH_DELETED] = "was deleted while open",
        [FS_PATH_MOVED] = "was renamed or moved away while open",
        [FS_PATH_REPLACED] = "was replaced by another file while open",
    };
    size_t n;

    n = (size_t)snprintf(ls->path_why, sizeof(ls->path_why), "%s %s", ls->path, what[state]);
    if (ls->last_seq > ls->checked_seq && n < sizeof(ls->path_why))
        snprintf(ls->path_why + n, sizeof(ls->path_why) - n,
                 "; entries #%llu to #%llu, written since the last check, %s",
                 (unsigned long long)ls->checked_seq + 1, (unsigned long long)ls->last_seq,
                 state == FS_PATH_DELETED ? "went with it" : "are in that file only");
}

/* Goes on in a file at the path (a new one, or the one that replaced
 * ours; reopen() also ends a partial last line of it before our next
 * entry), with the same sequence. Followers see it as a rotation. Also
 * when an append reopened it first (it tries at every entry). Returns 1 and
 * completes path_why, or the error of opening it (no file open then). */
static int begin_after_loss(struct logstore *ls, uint64_t now_mono)
{
    size_t n;
    int rc = reopen(ls);

    if (rc < 0)
        return rc;
    ls->rotations++; /* a follower holding the old file moves on (logread.c) */
    ls->path_changes++;
    ls->checked_seq = ls->last_seq;
    file_begun(ls, now_mono);
    n = strlen(ls->path_why);
    snprintf(ls->path_why + n, sizeof(ls->path_why) - n, "; %s at entry #%llu",
             ls->path_lost == FS_PATH_REPLACED ? "writing to the new one" : "started a new one",
             (unsigned long long)ls->last_seq + 1);
    ls->path_lost = 0;
    return 1;
}

/* svcd.log shrank under us (logrotate's copytruncate, `: > svcd.log`): the
 * same file, so writing goes on in it (appends go to its new end), but
 * followers must start it again (a rotation to them) and the size, first
 * seq and a partial last line are learnt anew. Returns 1 with path_why. */
static int note_truncation(struct logstore *ls, uint64_t size, uint64_t now_mono)
{
    size_t n;

    n = (size_t)snprintf(ls->path_why, sizeof(ls->path_why),
                         "%s was truncated in place from %llu to %llu bytes (logrotate's "
                         "copytruncate? svcd rotates it by itself)",
                         ls->path, (unsigned long long)ls->size, (unsigned long long)size);
    if (ls->last_seq > ls->checked_seq && n < sizeof(ls->path_why))
        n += (size_t)snprintf(ls->path_why + n, sizeof(ls->path_why) - n,
                              "; entries #%llu to #%llu, written since the last check, may be "
                              "gone with what was cut",
                              (unsigned long long)ls->checked_seq + 1,
                              (unsigned long long)ls->last_seq);
    if (n < sizeof(ls->path_why))
        snprintf(ls->path_why + n, sizeof(ls->path_why) - n, "; writing on in it at entry #%llu",
                 (unsigned long long)ls->last_seq + 1);
    ls->size = size;
    ls->mid_line = ends_mid_line(ls->f, size);
    ls->recent.valid = 0; /* what it held was cut */
    if (size == 0 || logscan_first_entry(ls->path, &ls->first_seq, &ls->first_time_us) != 1)
        ls->first_seq = 0;
    ls->rotations++;
    ls->path_changes++;
    ls->checked_seq = ls->last_seq;
    file_begun(ls, now_mono);
    return 1;
}

int logstore_check_path(struct logstore *ls, uint64_t now_mono, uint64_t period_us)
{
    uint64_t size;
    int state;

    if (now_mono < ls->path_check_mono)
        return 0;
    ls->path_check_mono = now_mono + period_us;
    if (ls->path_lost)
        return begin_after_loss(ls, now_mono);
    if (ls->f == NULL)
        return 0; /* lost otherwise (rotation, recovery): appends reopen it */
    state = logfs->path_state(ls->f, ls->path);
    if (state == FS_PATH_SAME && logfs->size(ls->f, &size) == 0 && size < ls->size)
        return note_truncation(ls, size, now_mono);
    if (state <= FS_PATH_SAME || state > FS_PATH_REPLACED) {
        if (state == FS_PATH_SAME)
            ls->checked_seq = ls->last_seq;
        return 0; /* unchanged, or cannot tell (the next check looks again) */
    }
    describe_loss(ls, state);
    ls->path_lost = state;
    if (ls->dirty)
        (void)logfs->sync(ls->f); /* moved: what it holds is there to stay */
    fs_close(ls->f);
    ls->f = NULL;
    ls->dirty = 0;
    ls->mid_line = 0;
    return begin_after_loss(ls, now_mono);
}

void logstore_close(struct logstore *ls)
{
    if (ls->f) {
        if (ls->dirty)
            logfs->sync(ls->f);
        fs_close(ls->f);
    }
    ls->f = NULL;
    /* The exact end: a clean stop leaves no reserved numbers to skip. */
    if (ls->last_seq && (ls->seq_saved != ls->last_seq || ls->seq_reserved != ls->last_seq))
        write_mark(ls, ls->last_seq, ls->last_seq);
    sbuf_free(&ls->line);
    free(ls->recent.buf);
    ls->recent.buf = NULL;
    ls->recent.valid = 0;
}

const char *logstore_err_str(int err)
{
    if (err == ERR_UNTRUSTED)
        return LOGSTORE_FILE " (or a file beside it, or their directory) is not safe to use: a "
                             "symbolic link, not a regular file, a second name of another file, "
                             "or another user's (svcd never goes through one; remove it, svcd "
                             "makes its own)";
    return err_str(err);
}
