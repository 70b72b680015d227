/* The log's readers: the last N matching entries of the history, found
 * without reading all of it, then forwards through the files in order and, when
 * following, on past rotations (logread.c). */
#ifndef SVCD_LOGREAD_H
#define SVCD_LOGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "logfiles.h"
#include "logfilter.h"
#include "logline.h"
#include "paths.h"
#include "sbuf.h"

/* Readers skip longer lines, so the writer never writes one. */
#define LOGREAD_LINE_MAX (256u * 1024u)

/* The in-process writer's newest bytes, offered to its followers so that
 * each takes an entry just written from memory instead of reading it back
 * (with 100 followers, one pread each per entry was a third of the loop's
 * system calls). When `valid`: bytes [start, end) of the file `id` are
 * buf[0 .. end - start), and `end` was the file's size right after the
 * writer's last append. The writer checks that size after every append and
 * starts afresh (nothing held, start = end = the real size) when someone
 * else wrote to or cut the file, so what is held is what the file holds. */
#define LOGRECENT_CAP (32u * 1024u)
struct logrecent {
    int valid;
    struct fs_id id;
    uint64_t start, end;
    char *buf; /* LOGRECENT_CAP bytes once the writer has appended */
};

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
    /* The writer's last seq, when in-process (NULL otherwise): a follower
     * that read to the end of the file when it was `eof_written` does not
     * read again until it moves (it is woken only when it does). */
    const uint64_t *written;
    uint64_t eof_written;
    int at_eof;
    /* The writer's newest bytes, when in-process (NULL otherwise), and the
     * id of the file being read, learnt when first compared with them
     * (id_state 0: not yet, 1: known, -1: cannot be had). */
    const struct logrecent *recent;
    int id_state;
    struct fs_id id;
    /* The position in the sequence, whatever matched: the seq of the last
     * entry before the read position. `anchored` says last_seq is known (not
     * before the first entry of a query); `stale` that lines were passed
     * unparsed since (a filter rejected them), so last_seq may lag: it is
     * read back from the file's end before leaving the file. */
    uint64_t last_seq;
    int anchored, stale;
    int crossed;                     /* moved to another file: check its first entry for a gap */
    int replay;                      /* r->line comes back once more (after a gap was reported) */
    uint64_t gap_missed, gap_resume; /* the gap LOGREAD_GAP reported */
    uint64_t skipped;                /* lines that did not parse */
    uint64_t scanned;                /* lines looked at since the caller last reset it */
    uint64_t looked;                 /* lines looked at since open (what a query costs) */
    uint64_t slice_start_us;
    int locating;      /* still searching backwards for where the tail begins */
    int loc_open;      /* file loc_i is open and being searched */
    size_t loc_i;      /* the file being searched (counting down) */
    uint64_t loc_want; /* matching entries still to find */
    uint64_t loc_end;  /* the search goes on before this offset */
    int loc_mono;      /* file loc_i's times never go back: `since` may end the search */
    int loc_have_start;
    size_t loc_start_i; /* where reading begins when no older file holds more */
    uint64_t loc_start_off;
    /* Time bounds use what is known of each file's times (logtimes in
     * logread.c), learnt first, in slices, for the files not yet known. */
    int timed;       /* --since or --until */
    int summarizing; /* still learning the files' times */
    size_t sum_i;
    fs_file *sum_f;
    uint64_t sum_end;
    uint64_t *sum_ends; /* each file's complete end when learnt (0: gone) */
    char *sum_buf;
    uint64_t start_tail; /* where to begin, once they are known */
    int cur_mono;        /* -1 unknown, else whether file idx's times never go back */
};

/* logreader_next returns this after LOGREAD_SLICE lines without a match, so
 * a long scan can yield to other work (reset `scanned` and call again). The
 * backward search for where a tail begins pauses the same way. */
#define LOGREAD_MORE 2
/* logreader_next returns this when the entries from last_seq + 1 on were
 * removed (by retention, or by hand) before the reader got to them:
 * gap_missed entries, and the next entry read is gap_resume. */
#define LOGREAD_GAP 3
/* A request that arrives during a scan is answered after the slice under
 * way (the loop resumes one paused scan per turn): 0.5 ms at most. With
 * 2 ms (10 000 lines) a status during a big grep and a huge tail had a p99
 * 2.1-2.6 times the idle one on 2 cores, with 0.5 ms 1.7-2.2 times
 * (bench/bench_busy.c); a thinner slice costs the scan more than it gives
 * the status (each slice begins by reading its block again). */
#define LOGREAD_SLICE    2500
#define LOGREAD_SLICE_US 500 /* or this long, whichever comes first */
/* The clock is read once per this many lines' worth: per line it would
 * cost more than the line. (Every 256 lines, a scan of a few hundred
 * hostile lines under load paused where callers that read a short file in
 * one go do not expect it.) */
#define LOGREAD_CLOCK_LINES 1024
/* Counting newlines back for an unfiltered tail, a slice is this many chunks
 * (512 KiB, some 4 000 typical lines), or LOGREAD_SLICE_US. */
#define LOGREAD_CHUNK  (256u * 1024u)
#define LOGREAD_CHUNKS 2
/* What opening a file counts for in a slice, in lines. */
#define LOGREAD_OPEN_COST 64

/* Opens a reader positioned at the first of the last `tail` entries that
 * match `filter` (NULL: all), searching from the newest file back through
 * the rotated ones. Without a filter it only counts newlines backwards; with
 * one it parses backwards: either way the cost follows what is returned, not
 * the size of the history. The seq order is the truth, not the times: a
 * time bound (`since`, `until`) returns every entry whose time is within it,
 * in seq order, even where the wall clock stepped back. Files wholly outside
 * the bounds are skipped, and `since`/`until` end a scan within a file, only
 * where the file's times are known to never go back: learnt once per file
 * per process (a full read, in slices; kept for rotated files, extended for
 * the growing current one), then cheap. `follow` makes logreader_next see lines appended later,
 * also past rotations (`rotations`, when not NULL, is the writer's counter, so the files are listed
 * again only after one). Returns 0, ERR_NOENT when there is no log yet, or an I/O error. */
int logreader_open(struct logreader *r, const char *path, const struct logfilter *filter,
                   uint64_t tail, int follow, const uint64_t *rotations);

/* logreader_open with no filter and no follow. */
int logreader_open_tail(struct logreader *r, const char *path, uint64_t tail);

/* Reads the next matching entry. Returns 1 with *e filled (valid until the
 * next call), 0 at the end (of the snapshot, past `until`, or, when
 * following, of what is written so far), LOGREAD_MORE when LOGREAD_SLICE
 * lines were scanned without a match, LOGREAD_GAP when entries the reader
 * had not read yet are gone (gap_missed, gap_resume; call again for what
 * follows), or an I/O error. Unparseable lines are skipped and counted; they
 * are never a gap, nor is where a query begins. */
int logreader_next(struct logreader *r, struct log_entry *e);

void logreader_close(struct logreader *r);

#endif
