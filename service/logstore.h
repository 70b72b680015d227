/* The log file: appending entries with sequence numbers that continue across
 * restarts, and reading them back (the last N, in order) without reading the
 * whole history. One file, <state_dir>/svcd.log, in JSON Lines. */
#ifndef SVCD_LOGSTORE_H
#define SVCD_LOGSTORE_H

#include <stdint.h>

#include "fs.h"
#include "logfilter.h"
#include "logline.h"
#include "paths.h"
#include "sbuf.h"

#define LOGSTORE_FILE     "svcd.log"
#define LOGSTORE_LINE_MAX (256u * 1024u) /* longer lines are skipped when read */

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
    struct sbuf line;
};

/* Opens (creating the directory and file; the service's own ACL in system
 * mode, private otherwise) and recovers: a torn or garbage tail (a partial
 * line, a NUL run, lines that do not parse) is cut back to the last complete
 * entry (reported in cut_bytes) and the sequence continues after it. A log
 * with no readable entry at its end is renamed aside (moved_to) rather than
 * cut. Returns 0 or an ERR_ code (ERR_ACCESS, ERR_NOSPC...). */
int logstore_open(struct logstore *ls, const char *dir, int system_mode);

/* Appends one entry built from `e` (level, source, msg, user/uid/pid); seq and
 * time are assigned here and written back into *e. `durable` syncs to stable
 * storage before returning. On failure nothing partial stays in the file. */
int logstore_append(struct logstore *ls, struct log_entry *e, int durable, uint64_t now_mono);

/* Syncs when something was written and `window_us` has passed since the last
 * sync. Returns 0 or the sync error. */
int logstore_sync_due(struct logstore *ls, uint64_t now_mono, uint64_t window_us);

void logstore_close(struct logstore *ls);

/* A forward reader over the complete lines [off, end) of the file, passing
 * only the entries its filter matches. */
struct logreader {
    fs_file *f;
    uint64_t off, end;
    char *buf;
    size_t blen, bpos;
    struct sbuf line;
    struct sbuf msg;
    struct logfilter filter;
    int follow;       /* at the end, look again for lines appended since */
    uint64_t skipped; /* lines that did not parse */
};

/* Opens a reader positioned at the first of the last `tail` entries that
 * match `filter` (NULL: all). Without a filter it only counts newlines
 * backwards; with one it parses backwards and stops at `since`: either way
 * the cost follows what is returned, not the size of the history. `follow`
 * makes logreader_next see lines appended later. Returns 0, ERR_NOENT when
 * there is no log yet, or an I/O error. */
int logreader_open(struct logreader *r, const char *path, const struct logfilter *filter,
                   uint64_t tail, int follow);

/* logreader_open with no filter and no follow. */
int logreader_open_tail(struct logreader *r, const char *path, uint64_t tail);

/* Reads the next matching entry. Returns 1 with *e filled (valid until the
 * next call), 0 at the end (of the snapshot, past `until`, or, when
 * following, of what is written so far), or an I/O error. Unparseable lines
 * are skipped and counted. */
int logreader_next(struct logreader *r, struct log_entry *e);

void logreader_close(struct logreader *r);

/* Finds where the last `n` lines of f[0, end) begin. The byte at end-1 is
 * expected to be a newline. Reads backwards in blocks. */
int logstore_tail_offset(fs_file *f, uint64_t end, uint64_t n, uint64_t *off);

#endif
