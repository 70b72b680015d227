/* The log's writer: appending entries with sequence numbers that continue
 * across restarts and rotations. JSON Lines in <state_dir>/svcd.log, rotated
 * by size to svcd.log.<first seq>. Reading them back is logread.h; every
 * file operation goes through the seam of logfs.h. */
#ifndef SVCD_LOGSTORE_H
#define SVCD_LOGSTORE_H

#include <stdint.h>

#include "fs.h"
#include "logfiles.h"
#include "logline.h"
#include "logread.h"
#include "paths.h"
#include "sbuf.h"

#define LOGSTORE_FILE "svcd.log"

/* The high-water mark: the highest seq the store has handed out, as decimal
 * text, replaced (fs_replace) when the writer rotates, starts a new
 * file or closes. It outlives the log files, so the sequence never goes back
 * when they are removed or renamed by hand. */
#define LOGSTORE_SEQ_FILE "svcd.seq"
/* How far the high-water mark runs ahead of the seqs handed out (one
 * synced write of svcd.seq per this many entries). */
#define LOGSTORE_SEQ_RESERVE 1000

/* A rotation whose rename failed is tried again no sooner than this. */
#define LOGSTORE_ROTATE_RETRY_US 1000000ull

/* logstore_append's "the entry is in the file, but not on stable storage":
 * its sync failed. Never an ERR_ code (those are < 0). */
#define LOGSTORE_UNSYNCED 1

struct logstore {
    char path[PATHS_MAX];
    char dir[PATHS_MAX];       /* recreated (in dir_mode) when it goes missing */
    enum fs_dir_mode dir_mode; /* as logstore_open made it */
    fs_file *f;                /* NULL: no open file (see open_error) */
    int open_error;            /* why f is NULL (ERR_ code); 0 while a file is open */
    uint64_t size;
    uint64_t last_seq;
    int64_t last_time_us;
    uint64_t written;         /* entries appended since open */
    int dirty;                /* appended since the last sync */
    int sync_error;           /* ERR_ code of the failed sync still owed; 0 when none */
    int mid_line;             /* the file ends inside a line a failed write left */
    int recover_rotate;       /* a torn tail was ended at open: rotate before the next entry
                                 (whatever rotate_size or a minimum age would say) */
    uint64_t last_sync_mono;  /* when it last synced */
    uint64_t torn_bytes;      /* torn or garbage tail found at open (never removed) */
    char moved_to[PATHS_MAX]; /* an unreadable log was renamed to this ("" if not) */
    uint64_t first_seq;       /* of the current file; 0 while it is empty */
    int64_t first_time_us;
    uint64_t rotate_size, rotate_keep, rotate_max_age_us; /* 0 size: never rotate */
    uint64_t rotations;     /* since open; readers that follow watch it */
    uint64_t rotate_errors; /* renames that failed (the file grows on) */
    /* The last rotation could not rename the file (on Windows: a reader that
     * did not open it with FILE_SHARE_DELETE). The file grows past
     * rotate_size; the rename is retried at most every
     * LOGSTORE_ROTATE_RETRY_US, at an append, until it works. */
    int rotate_blocked;              /* ERR_ code of the failed rename; 0 when not */
    int64_t rotate_blocked_since_us; /* wall clock, first failure of this episode */
    uint64_t rotate_retry_mono;      /* no new attempt before this */
    char rotate_blocked_why[PATHS_MAX + 160];
    uint64_t prune_errors;       /* old files that could not be removed */
    uint64_t rotate_min_age_us;  /* no rotation, and no pruning, of a file younger */
    int file_start_known;        /* file_start_mono is set */
    int64_t file_start_mono;     /* when the current file was begun (callers' monotonic clock) */
    int64_t file_age_at_open_us; /* its age at open: from its first entry's time */
    char seq_path[PATHS_MAX];    /* the high-water mark, LOGSTORE_SEQ_FILE */
    uint64_t seq_saved;          /* the exact last seq it holds, as far as we know */
    uint64_t seq_reserved;       /* and how far ahead seqs may have been used */
    int lost_tail;               /* recovery saw a power loss's NUL run or no entry at all */
    uint64_t seq_errors;         /* writes of it that failed (the files still hold the truth) */
    /* The file under our feet (logstore_check_path). */
    uint64_t path_check_mono; /* no check before this */
    uint64_t checked_seq;     /* last_seq when the path last named the open file */
    int path_lost;            /* an fs_path_state not yet reported, 0 if none */
    uint64_t path_changes;    /* new files begun because the old one went */
    char path_why[2 * PATHS_MAX + 200];
    struct sbuf line;
    struct logrecent recent; /* the newest lines, for followers (logread.h) */
    int recent_id_known;     /* recent.id is the open file's */
    int group_set;           /* log_group: files the store creates are readable by `group` */
    long group;
    char host[LOG_HOST_MAX]; /* log_host: written into every entry ("" for none) */
};

/* Opens (creating the directory and file; the service's own ACL in system
 * mode, private otherwise) and recovers. A file is never made shorter (a
 * shipper that has read N bytes must find them again): a torn or garbage
 * tail (a partial line, a NUL run, lines that do not parse) is ended with a
 * newline, so it is one more line readers skip, its size goes to torn_bytes,
 * the sequence continues after the last entry that parses, and the next
 * append first rotates, so the new svcd.log begins with the entry that says
 * so. A log with no readable entry at its end is renamed aside (moved_to).
 * The sequence continues after the highest seq of any file of the store
 * (the newest rotated file's last entry, or its name when no entry parses)
 * or the high-water mark, whichever is highest. Returns 0 or an ERR_ code (ERR_ACCESS,
 * ERR_NOSPC...); then no file is open. */
int logstore_open(struct logstore *ls, const char *dir, int system_mode);

/* Rotation: before the current file would grow past `size` bytes it is
 * renamed to svcd.log.<first seq> and a new one begun. An existing file of
 * that name is never replaced: the rotation is blocked instead (see
 * rotate_blocked) until it is moved away. Then only the newest
 * `keep` rotated files are kept, and none older than `max_age_us` (0: no age
 * limit). A size of 0 never rotates by size and never prunes. */
void logstore_set_rotation(struct logstore *ls, uint64_t size, uint64_t keep, uint64_t max_age_us);

/* A file is not rotated before it is `min_age_us` old, however big a burst
 * makes it, nor is a rotated file younger than that pruned, so a shipper
 * that polls has that long to find each file. Age: since the writer began
 * the file, or, for the file found at open, since its first entry's time.
 * 0: no minimum. */
void logstore_set_min_age(struct logstore *ls, uint64_t min_age_us);

/* At most once per `period_us`: checks that the path still names the open
 * file. When it was deleted, renamed or replaced, starts writing to a (new)
 * file at the path, the sequence going on where it was. Returns 1 when it
 * did (path_why then says what happened, for a warning entry), 0 when
 * nothing changed or no check was due, or the error of opening the new
 * file (then no file is open, appends fail, and the next check retries). */
int logstore_check_path(struct logstore *ls, uint64_t now_mono, uint64_t period_us);

/* Appends one entry built from `e` (level, source, msg, user/uid/pid, and
 * time if set); seq, and time when 0, are assigned here and written back.
 * An entry is in the file once or not at all:
 *  - 0: written (seq, size and last_seq advance); when `durable`, also on
 *    stable storage.
 *  - LOGSTORE_UNSYNCED: written, exactly as for 0, but the sync `durable`
 *    asked for failed (sync_error says why). The entry must never be
 *    appended again: the store owes a sync and retries it as a sync (at the
 *    next durable append, logstore_sync or logstore_sync_due), never as a
 *    write. Only a durable append returns it.
 *  - < 0 (an ERR_ code): not written, seq not used; the caller may hold the
 *    entry and append it again later. Whatever part of the line reached the
 *    file (a short write on a full disk) is ended with a newline, so it is a
 *    line that no reader parses; if even that cannot be written, it is ended
 *    before the next entry. Nothing is ever truncated.
 * With no open file (a rotation or a recovery could not reopen it, the
 * directory is gone) each append first tries to reopen it, recreating the
 * directory; until that works appends fail with the reason (open_error).
 * A rotation that cannot rename the file is not an append failure: the entry
 * goes to the current file and rotate_blocked says why (see above). */
int logstore_append(struct logstore *ls, struct log_entry *e, int durable, uint64_t now_mono);

/* Syncs now if anything written is not yet on stable storage (a sync is
 * owed). Returns 0 (nothing owed, or synced) or the sync error, which stays
 * in sync_error until a sync works. */
int logstore_sync(struct logstore *ls, uint64_t now_mono);

/* Syncs when something was written and `window_us` has passed since the last
 * sync, or at once when an earlier sync failed. Returns as logstore_sync. */
int logstore_sync_due(struct logstore *ls, uint64_t now_mono, uint64_t window_us);

/* log_group (POSIX): the directory, the current file and every rotated one
 * become readable by group `gid` (fs_share_with_group: the files 0640, the
 * directory g+rx), and so does every file the store creates later. Returns
 * 0 or the first error (the others are still tried); ERR_UNSUPPORTED on
 * Windows. */
int logstore_set_group(struct logstore *ls, long gid);

/* log_host: every entry appended from now on carries `host` (fitted to
 * LOG_HOST_MAX) in its host_name field; "" stops it. */
void logstore_set_host(struct logstore *ls, const char *host);

/* err_str for an error of the log's files: ERR_UNTRUSTED says what it
 * means here (svcd.log or a file beside it is a link, not a regular file,
 * has another name or belongs to another user, or the directory is not
 * safe). */
const char *logstore_err_str(int err);

void logstore_close(struct logstore *ls);

#endif
