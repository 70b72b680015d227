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

struct logfiles {
    struct logfile *v; /* oldest first; the current file last */
    size_t n;
};

/* Lists the files of the log whose current file is `path`, reading each
 * one's first entry. Returns 0, or ERR_NOMEM / a listing error. */
int logfiles_load(const char *path, struct logfiles *set);

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
