/* One log entry <-> one line of JSON Lines. Pure, no I/O.
 *
 * A line looks like
 *   {"seq":7,"time":"2026-11-24T13:12:12.123456Z","level":"info","logger":"worker",
 *    "msg":"heartbeat 7"}
 * and, for entries caused by a client, also "user_name", "user_id" and "pid";
 * with log_host on, "host_name". Names are chosen not to collide with the
 * objects of Elastic Common Schema (`user.*`, `source.*`, `host.*`); docs/log-format.md
 * maps each field to ECS and to the OpenTelemetry log model. Lines written by
 * older versions ("source", "user", "uid") are read too. */
#ifndef SVCD_LOGLINE_H
#define SVCD_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Same numbers as svcd.Level in the protocol. */
enum log_level { LOG_DEBUG = 1, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERROR };

/* Bytes with the NUL. A longer value is stored cut at a character boundary,
 * ending in "…" (json_utf8_fit); LOG_USER_MAX holds any peer name the IPC
 * layer reports (IPC_NAME_MAX), so a cut is only ever a repaired one. */
/* The highest sequence number: 2^53 - 1, the last integer every JSON reader
 * (shippers parse numbers as doubles) keeps exact. A store that reaches it
 * stops appending rather than wrap or lose precision. */
#define LOG_SEQ_MAX 9007199254740991ull

#define LOG_SOURCE_MAX 16
#define LOG_USER_MAX   128
#define LOG_HOST_MAX   256

struct log_entry {
    uint64_t seq;
    int64_t time_us;
    enum log_level level;
    char source[LOG_SOURCE_MAX]; /* written as "logger" */
    const char *msg;             /* UTF-8, not NUL-terminated */
    size_t msg_len;
    char user[LOG_USER_MAX]; /* written as "user_name"; "" when not caused by a client */
    long uid;                /* written as "user_id"; -1 when none */
    long pid;                /* -1 when none */
    const char *host;        /* NUL-terminated, "host_name"; NULL or "" when none */
    /* Set by logline_parse only (format ignores them): the line as stored,
     * without its newline, valid as long as the parsed text is. */
    const char *line;
    size_t line_len;
};

/* Appends the entry as one JSON line, newline included. Every string field
 * is stored as valid UTF-8 (invalid bytes become U+FFFD), escaped, and
 * source, user and host are fitted to their LOG_*_MAX as above, so that
 * logline_parse gives back what was written. */
int logline_format(const struct log_entry *e, struct sbuf *out);

/* Parses one line (without its newline). Any valid JSON string is accepted
 * in every string field, escapes included. The message (and the host name,
 * stored after it) are decoded into `msg` (reset first); e->msg and e->host
 * point into it. Returns 0, or ERR_PROTO when the line is not a complete
 * entry (torn, garbage, missing seq/time/level/msg). */
int logline_parse(const char *line, size_t n, struct log_entry *e, struct sbuf *msg);

const char *logline_level_name(enum log_level l);

/* Returns 0 and sets *l for "debug", "info", "notice", "warning", "error". */
int logline_level_parse(const char *s, size_t n, enum log_level *l);

#endif
