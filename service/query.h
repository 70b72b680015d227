/* A log query answered as a stream of response frames: LogChunk frames of at
 * most QUERY_CHUNK_BYTES, a LogGap frame in order where entries were removed
 * before the reader got to them, then exactly one LogEnd. Frames are produced one at
 * a time as the connection drains, so a huge --tail costs bounded memory. A
 * followed query reads on as entries are written and ends only when the
 * service ends it (query_end). */
#ifndef SVCD_QUERY_H
#define SVCD_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "logread.h"

#define QUERY_CHUNK_BYTES   (256u * 1024u)
#define QUERY_CHUNK_ENTRIES 1024

struct query {
    uint64_t id;
    struct logreader reader;
    int have_reader;
    int follow;
    uint64_t sent;
    int ended;
    int gap_pending; /* a gap ends the chunk before it; its frame comes next */
    uint64_t gap_missed, gap_resume;
    uint64_t last_frame_mono; /* for keep-alive frames during a long scan */
    int answered;             /* a frame was sent: a follower knows svcd is there */
};

#define QUERY_WAITING      2       /* following, and nothing new has been written */
#define QUERY_YIELD        3       /* a long scan paused to let others run; call again */
#define QUERY_KEEPALIVE_US 1000000 /* an empty chunk at least this often while scanning */

/* Starts a query on the log at `path`: the last `tail` entries `filter`
 * matches (NULL: all), then, with `follow`, every new matching entry. A
 * missing log is an empty result, not an error. Returns 0, ERR_NOMEM or an
 * I/O error. `rotations` and `written` (NULL, or the in-process writer's
 * rotation count and last seq) let a follower skip looking for what nobody
 * wrote (logreader.written); `recent` (NULL, or the writer's newest lines)
 * lets it take what was just written from memory (logreader.recent). */
int query_open(struct query **out, uint64_t id, const char *path, const struct logfilter *filter,
               uint64_t tail, int follow, const uint64_t *rotations, const uint64_t *written,
               const struct logrecent *recent);

/* Produces the next frame, doing a bounded amount of reading. Returns 1 with
 * a frame (caller frees) and more to come (an empty chunk is a keep-alive
 * during a long scan; a LogGap says entries were missed), 0 with the final (LogEnd) frame,
 * QUERY_WAITING with no frame (a followed query has sent everything written so far), QUERY_YIELD
 * with no frame (call again soon), or a negative error (after which the
 * connection should be closed). */
int query_next(struct query *q, uint8_t **frame, size_t *len);

/* The final LogEnd frame of a stream cut short, e.g. "service stopping". */
int query_end(struct query *q, const char *reason, uint8_t **frame, size_t *len);

void query_free(struct query *q);

#endif
