/* The log: appending entries with sequence numbers that continue across
 * restarts and rotations (logstore.c), and reading them back, the last N in
 * order, without reading the whole history (logread.c). JSON Lines in
 * <state_dir>/svcd.log, rotated by size to svcd.log.<first seq>. */
#ifndef SVCD_LOGSTORE_H
#define SVCD_LOGSTORE_H

#include <stdint.h>

#include "fs.h"
#include "logfiles.h"
#include "logfilter.h"
#include "logline.h"
#include "logscan.h"
#include "paths.h"
#include "sbuf.h"

#define LOGSTORE_FILE "svcd.log"

/* A rotation whose rename failed is tried again no sooner than this. */
#define LOGSTORE_ROTATE_RETRY_US 1000000ull

struct logstore {
    char path[PATHS_MAX];
    fs_file *f;
    uint64_t size;
    uint64_t last_seq;
    int64_t last_time_us;
    uint64_t written;         /* entries appended since open */
    int dirty;                /* appended since the last sync */
    uint64_t last_sync_mono;  /* when it last synced */
    uint64_t cut_bytes;       /* torn or garbage tail removed at open */
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
    uint64_t prune_errors; /* old files that could not be removed */
    struct sbuf line;
};

/* Opens (creating the directory and file; the service's own ACL in system
 * mode, private otherwise) and recovers: a torn or garbage tail (a partial
 * line, a NUL run, lines that do not parse) is cut back to the last complete
 * entry (reported in cut_bytes) and the sequence continues after it. A log
 * with no readable entry at its end is renamed aside (moved_to) rather than
 * cut. Returns 0 or an ERR_ code (ERR_ACCESS, ERR_NOSPC...). */
int logstore_open(struct logstore *ls, const char *dir, int system_mode);

/* Rotation: before the current file would grow past `size` bytes it is
 * renamed to svcd.log.<first seq> and a new one begun; then only the newest
 * `keep` rotated files are kept, and none older than `max_age_us` (0: no age
 * limit). */
void logstore_set_rotation(struct logstore *ls, uint64_t size, uint64_t keep, uint64_t max_age_us);

/* Appends one entry built from `e` (level, source, msg, user/uid/pid, and
 * time if set); seq, and time when 0, are assigned here and written back. `durable` syncs to stable
 * storage before returning. On failure nothing partial stays in the file.
 * A rotation that cannot rename the file is not an append failure: the entry
 * goes to the current file and rotate_blocked says why (see above). */
int logstore_append(struct logstore *ls, struct log_entry *e, int durable, uint64_t now_mono);

/* Syncs when something was written and `window_us` has passed since the last
 * sync. Returns 0 or the sync error. */
int logstore_sync_due(struct logstore *ls, uint64_t now_mono, uint64_t window_us);

void logstore_close(struct logstore *ls);

/* A forward reader over the log's files, passing only the entries its
 * filter matches. */
struct logreader {
    char path[PATHS_MAX]; /* the current file's */
    struct logfiles files;
    size_t idx; /* the file being read */
    fs_file *f;
    uint64_t off, end;
    char *buf;
    size_t blen, bpos;
    struct sbuf line;
    struct sbuf msg;
    struct logfilter filter;
    int follow;                /* at the end, look again for lines appended since */
    const uint64_t *rotations; /* the writer's rotation count, when in-process */
    uint64_t seen_rotations;
    uint64_t last_seq; /* the last entry read, matching or not */
    uint64_t skipped;  /* lines that did not parse */
    uint64_t scanned;  /* lines looked at since the caller last reset it */
    uint64_t slice_start_us;
    int locating;      /* still searching backwards for where the tail begins */
    int loc_open;      /* file loc_i is open and being searched */
    size_t loc_i;      /* the file being searched (counting down) */
    uint64_t loc_want; /* matching entries still to find */
    uint64_t loc_end;  /* the search goes on before this offset */
};

/* logreader_next returns this after LOGREAD_SLICE lines without a match, so
 * a long scan can yield to other work (reset `scanned` and call again). The
 * backward search for where a tail begins pauses the same way. */
#define LOGREAD_MORE     2
#define LOGREAD_SLICE    50000
#define LOGREAD_SLICE_US 10000 /* or this long, whichever comes first */
/* Counting newlines back for an unfiltered tail, a slice is this many chunks
 * (8 MiB, some 80 000 typical lines), or LOGREAD_SLICE_US. */
#define LOGREAD_CHUNK  (1024u * 1024u)
#define LOGREAD_CHUNKS 8

/* Opens a reader positioned at the first of the last `tail` entries that
 * match `filter` (NULL: all), searching from the newest file back through
 * the rotated ones. Without a filter it only counts newlines backwards; with
 * one it parses backwards and stops at `since`, and skips files wholly after
 * `until`: either way the cost follows what is returned, not the size of the
 * history. `follow` makes logreader_next see lines appended later, also past
 * rotations (`rotations`, when not NULL, is the writer's counter, so the files
 * are listed again only after one). Returns 0, ERR_NOENT when there is no log
 * yet, or an I/O error. */
int logreader_open(struct logreader *r, const char *path, const struct logfilter *filter,
                   uint64_t tail, int follow, const uint64_t *rotations);

/* logreader_open with no filter and no follow. */
int logreader_open_tail(struct logreader *r, const char *path, uint64_t tail);

/* Reads the next matching entry. Returns 1 with *e filled (valid until the
 * next call), 0 at the end (of the snapshot, past `until`, or, when
 * following, of what is written so far), LOGREAD_MORE when LOGREAD_SLICE
 * lines were scanned without a match, or an I/O error. Unparseable lines are
 * skipped and counted. */
int logreader_next(struct logreader *r, struct log_entry *e);

void logreader_close(struct logreader *r);

#endif
