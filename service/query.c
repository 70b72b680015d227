#include "query.h"
#include "codec.h"
#include "clock.h"
#include "err.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

int query_open(struct query **out, uint64_t id, const char *path, const struct logfilter *filter,
               uint64_t tail, int follow, const uint64_t *rotations, const uint64_t *written,
               const struct logrecent *recent)
{
    struct query *q = calloc(1, sizeof(*q));
    int rc;

    if (q == NULL)
        return ERR_NOMEM;
    q->id = id;
    q->follow = follow;
    q->last_frame_mono = clock_mono_us();
    rc = logreader_open(&q->reader, path, filter, tail, follow, rotations);
    if (rc == 0) {
        q->have_reader = 1;
        q->reader.written = written;
        q->reader.recent = recent;
    } else if (rc != ERR_NOENT) {
        free(q);
        return rc;
    }
    *out = q;
    return 0;
}

/* A message longer than a line (only a hand edit with invalid bytes makes
 * one) is sent cut to this, so an entry with its line stays under
 * 2 * LOGREAD_LINE_MAX, and a chunk (QUERY_CHUNK_BYTES plus its last entry)
 * under FRAME_MAX_PAYLOAD. */
#define QUERY_MSG_MAX LOGREAD_LINE_MAX

/* Bytes copy_entry needs in the arena for `e`. */
static size_t entry_size(const struct log_entry *e)
{
    size_t msg = e->msg_len < QUERY_MSG_MAX ? e->msg_len : QUERY_MSG_MAX;

    return strlen(e->source) + 1 + msg + 1 + e->line_len + 1 + strlen(e->user) + 1 +
           (e->host ? strlen(e->host) : 0) + 1;
}

/* Copies s[0..n) into the arena as a C string; returns where it went. */
static char *arena_put(char **arena, const char *s, size_t n)
{
    char *at = *arena;

    memcpy(at, s, n);
    at[n] = '\0';
    *arena += n + 1;
    return at;
}

/* Deep-copies an entry into protobuf storage owned by `arena` (entry_size
 * bytes), with the stored line itself for `logs --json`. A message only a
 * hand-edited line can make longer than QUERY_MSG_MAX (invalid bytes grow
 * into U+FFFD) is cut with a marker, so a chunk stays under FRAME_MAX. */
static int copy_entry(const struct log_entry *e, Svcd__LogEntry *pe, char *arena)
{
    svcd__log_entry__init(pe);
    pe->seq = e->seq;
    pe->time_us = e->time_us;
    pe->level = (Svcd__Level)e->level;
    pe->source = arena_put(&arena, e->source, strlen(e->source));
    if (e->msg_len <= QUERY_MSG_MAX) {
        pe->message = arena_put(&arena, e->msg, e->msg_len);
    } else {
        pe->message = arena;
        json_utf8_fit(arena, QUERY_MSG_MAX + 1, e->msg, e->msg_len);
        arena += QUERY_MSG_MAX + 1;
    }
    pe->json = arena_put(&arena, e->line ? e->line : "", e->line ? e->line_len : 0);
    pe->user_name = arena_put(&arena, e->user, strlen(e->user));
    pe->user_id = e->uid;
    pe->pid = e->pid;
    pe->host_name = arena_put(&arena, e->host ? e->host : "", e->host ? strlen(e->host) : 0);
    return 0;
}

static int end_frame(struct query *q, const char *reason, uint8_t **frame, size_t *len)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__LogEnd end = SVCD__LOG_END__INIT;

    resp.id = q->id;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    resp.body_case = SVCD__RESPONSE__BODY_LOG_END;
    resp.log_end = &end;
    end.count = q->sent;
    end.reason = (char *)reason;
    end.complete = !q->follow;
    q->ended = 1;
    return codec_frame(&resp.base, frame, len);
}

/* The reader's last gap as a LogGap frame. */
static int gap_frame(struct query *q, uint8_t **frame, size_t *len)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__LogGap gap = SVCD__LOG_GAP__INIT;

    resp.id = q->id;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    resp.body_case = SVCD__RESPONSE__BODY_LOG_GAP;
    resp.log_gap = &gap;
    gap.missed = q->gap_missed;
    gap.resume_seq = q->gap_resume;
    gap.reason = "retention";
    q->gap_pending = 0;
    q->answered = 1;
    q->last_frame_mono = clock_mono_us();
    return codec_frame(&resp.base, frame, len);
}

int query_end(struct query *q, const char *reason, uint8_t **frame, size_t *len)
{
    if (q->ended)
        return ERR_INVAL;
    return end_frame(q, reason, frame, len);
}

int query_next(struct query *q, uint8_t **frame, size_t *len)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__LogChunk chunk = SVCD__LOG_CHUNK__INIT;
    Svcd__LogEntry ents[QUERY_CHUNK_ENTRIES];
    Svcd__LogEntry *ptrs[QUERY_CHUNK_ENTRIES];
    char *arenas[QUERY_CHUNK_ENTRIES];
    size_t n = 0, bytes = 0;
    struct log_entry e;
    int rc = 0;

    if (q->ended)
        return ERR_INVAL;
    if (!q->have_reader && !q->follow)
        return end_frame(q, "complete", frame, len) < 0 ? ERR_NOMEM : 0;
    if (!q->have_reader && q->answered)
        return QUERY_WAITING;
    if (!q->have_reader)
        goto send; /* no log yet: an empty chunk, the follow has begun */
    if (q->gap_pending)
        return gap_frame(q, frame, len) < 0 ? ERR_NOMEM : 1;
    q->reader.scanned = 0;
    /* Each entry is at most 2 * LOGREAD_LINE_MAX (its message and its line),
     * so stopping before the budget keeps the frame under FRAME_MAX_PAYLOAD. */
    while (n < QUERY_CHUNK_ENTRIES && bytes < QUERY_CHUNK_BYTES) {
        rc = logreader_next(&q->reader, &e);
        if (rc == LOGREAD_GAP) {
            q->gap_pending = 1; /* after the entries read before it */
            q->gap_missed = q->reader.gap_missed;
            q->gap_resume = q->reader.gap_resume;
        }
        if (rc <= 0 || rc == LOGREAD_MORE || rc == LOGREAD_GAP)
            break;
        size_t need = entry_size(&e);
        arenas[n] = malloc(need);
        if (arenas[n] == NULL) {
            rc = ERR_NOMEM;
            break;
        }
        copy_entry(&e, &ents[n], arenas[n]);
        ptrs[n] = &ents[n];
        bytes += need + 32;
        n++;
    }
    if (n == 0 && q->gap_pending)
        return gap_frame(q, frame, len) < 0 ? ERR_NOMEM : 1;
    if (n == 0 && rc == LOGREAD_MORE && clock_mono_us() - q->last_frame_mono < QUERY_KEEPALIVE_US)
        return QUERY_YIELD;
    if (rc < 0 || (n == 0 && rc == 0)) {
        for (size_t i = 0; i < n; i++)
            free(arenas[i]);
        if (rc < 0)
            return rc;
        if (!q->follow)
            return end_frame(q, "complete", frame, len) < 0 ? ERR_NOMEM : 0;
        /* Following, with nothing (more) to send: once, an empty chunk, so
         * a client whose filter matched nothing yet still hears from svcd
         * within its reply timeout. */
        if (q->answered)
            return QUERY_WAITING;
        n = 0;
    }
send:
    q->answered = 1;
    resp.id = q->id;
    resp.server_version = CODEC_PROTOCOL_VERSION;
    resp.body_case = SVCD__RESPONSE__BODY_LOG_CHUNK;
    resp.log_chunk = &chunk;
    chunk.n_entries = n;
    chunk.entries = ptrs;
    q->last_frame_mono = clock_mono_us();
    rc = codec_frame(&resp.base, frame, len);
    for (size_t i = 0; i < n; i++)
        free(arenas[i]);
    if (rc < 0)
        return rc;
    q->sent += n;
    return 1;
}

void query_free(struct query *q)
{
    if (q == NULL)
        return;
    if (q->have_reader)
        logreader_close(&q->reader);
    free(q);
}
