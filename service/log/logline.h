/* One log entry <-> one line of JSON Lines. Pure, no I/O.
 *
 * A line looks like
 *   {"seq":7,"time":"2026-11-24T13:12:12.123456Z","level":"info","source":"worker","msg":"heartbeat
 * 7"} and, for entries caused by a client, also "user", "uid" and "pid". */
#ifndef SVCD_LOGLINE_H
#define SVCD_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Same numbers as svcd.Level in the protocol. */
enum log_level { LOG_DEBUG = 1, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERROR };

#define LOG_SOURCE_MAX 16
#define LOG_USER_MAX   64

struct log_entry {
    uint64_t seq;
    int64_t time_us;
    enum log_level level;
    char source[LOG_SOURCE_MAX];
    const char *msg; /* UTF-8, not NUL-terminated */
    size_t msg_len;
    char user[LOG_USER_MAX]; /* "" when not caused by a client */
    long uid;                /* -1 when none */
    long pid;                /* -1 when none */
};

/* Appends the entry as one JSON line, newline included. */
int logline_format(const struct log_entry *e, struct sbuf *out);

/* Parses one line (without its newline). The message is decoded into `msg`
 * (reset first) and e->msg points into it. Returns 0, or ERR_PROTO when the
 * line is not a complete entry (torn, garbage, missing seq/time/level/msg). */
int logline_parse(const char *line, size_t n, struct log_entry *e, struct sbuf *msg);

const char *logline_level_name(enum log_level l);

/* Returns 0 and sets *l for "debug", "info", "notice", "warning", "error". */
int logline_level_parse(const char *s, size_t n, enum log_level *l);

#endif
