/* The set of log files: the current <dir>/svcd.log and the rotated ones,
 * named svcd.log.<first sequence number> so that a name never changes meaning
 * (rotation renames only the current file) and readers order them by number. */
#ifndef SVCD_LOGFILES_H
#define SVCD_LOGFILES_H

#include <stddef.h>
#include <stdint.h>

#include "paths.h"

struct logfile {
    char path[PATHS_MAX];
    uint64_t first_seq; /* 0 when unknown (an empty current file) */
    int64_t first_time_us;
    int current;
};

struct logfiles_snap;

/* A listing: read-only, shared by every holder of the same one. */
struct logfiles {
    const struct logfile *v; /* oldest first; the current file last */
    size_t n;
    struct logfiles_snap *snap; /* what v points into; one reference */
};

/* A listing is trusted again only once the directory's last change is at
 * least this much older than the listing: a change within one tick of the
 * file system's clock leaves the time as it was. */
#define LOGFILES_RACY_US 1000000

/* The files of the log whose current file is `path`. The rotated ones are
 * kept in memory between calls (in this process) and listed again only when
 * the log store said it changed them (logfiles_changed) or the directory's
 * modification time moved (someone else added, removed or renamed a file),
 * or it moved too recently to be trusted (LOGFILES_RACY_US); a rotated
 * file's first entry is read once per name. The current file's first entry
 * is read at every call (a truncation in place does not touch the
 * directory). Not thread-safe: the service's loop is its only caller.
 * Returns 0, or ERR_NOMEM / a listing error. */
int logfiles_load(const char *path, struct logfiles *set);

/* The log store renamed, made or removed rotated files of `path`'s log:
 * the next logfiles_load lists them again. */
void logfiles_changed(const char *path);

void logfiles_free(struct logfiles *set);

/* The name a rotated file with this first seq gets. */
int logfiles_rotated_name(const char *path, uint64_t first_seq, char *buf, size_t n);

/* Once per process: when a listing skipped a name of the log's form that
 * is not a regular file (a symbolic link planted to serve forged entries),
 * writes a line naming the first one into buf and returns 1; else 0. */
int logfiles_skipped_note(char *buf, size_t n);

/* Splits `path` into its directory and base name. */
int logfiles_split(const char *path, char *dir, size_t dn, const char **base);

#endif
