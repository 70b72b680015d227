/* Scanning a log file without reading it whole: where its complete lines
 * end, the lines before a point read backwards in blocks, and its first
 * entry. Shared by the writer's recovery and the readers. */
#ifndef SVCD_LOGSCAN_H
#define SVCD_LOGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "logline.h"
#include "logread.h"

#define LOGSCAN_BLOCK 65536

/* Where the last complete line of f[0, size) ends: after its last newline. */
int logscan_complete_end(fs_file *f, uint64_t size, uint64_t *end);

/* The same, looking only at f[from, size) (`from` a line start, e.g. where a
 * follower's complete lines ended): *end is `from` when no newline is there.
 * A follower woken for one new line reads that line, not a block. */
int logscan_complete_end_from(fs_file *f, uint64_t from, uint64_t size, uint64_t *end);

/* Finds where the last `n` entry lines of f[0, end) begin, counting newlines
 * backwards (end-1 is a newline). Only lines ending in '}' count: a torn
 * fragment kept in the file (recovery ends it with a newline rather than
 * cutting it) or a NUL run is not an entry a reader returns. Returns 0 when done: *found is n and
 * *off where they begin, or *found is fewer and *off 0 (the whole file). Returns 1 when max_bytes
 * were read first (at the next block edge after a newline): the last *found lines begin at *off, a
 * line start, so going on with end = *off finds the rest. Or an I/O error. */
int logscan_tail_offset(fs_file *f, uint64_t end, uint64_t n, uint64_t max_bytes, uint64_t *off,
                        uint64_t *found);

typedef int (*logscan_line_fn)(void *ctx, const char *line, size_t len, uint64_t start);

/* Calls fn for each line of f[0, end), last first (end-1 is the newline that
 * ends the last line), until fn returns nonzero. Lines over LOGREAD_LINE_MAX
 * are passed over. Returns 0 or an I/O error. */
int logscan_backward(fs_file *f, uint64_t end, logscan_line_fn fn, void *ctx);

/* The first entry of the file at `path` (lines before it that do not parse
 * are skipped, as readers skip them): 1 and its seq and time, 0 when the file
 * is empty or no line in its first MiB parses, or an error. */
int logscan_first_entry(const char *path, uint64_t *seq, int64_t *time_us);

#endif
