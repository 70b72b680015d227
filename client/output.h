/* How svcclient shows replies: human text modelled on systemctl status and
 * journalctl -o short-iso, or JSON. Pure: everything goes into an sbuf. */
#ifndef SVCD_OUTPUT_H
#define SVCD_OUTPUT_H

#include <stdint.h>

#include "codec.h"
#include "sbuf.h"

/* The "schema" of status --json: raised when a member changes meaning or
 * type, or goes; members are added without raising it (docs/json.md). */
#define OUTPUT_STATUS_SCHEMA 1

/* `color` adds ANSI colours to the text form (the state's dot). */
void output_status(const Svcd__Status *st, int json, int64_t now_wall_us, int color,
                   struct sbuf *out);
void output_change(const Svcd__StateChange *ch, int json, struct sbuf *out);

/* How logs shows an entry (-o); 0 and 1 are also "not json" and "json". */
enum output_mode {
    OUTPUT_SHORT_ISO = 0, /* RFC 3339 time with microseconds, host, level, logger: msg */
    OUTPUT_JSON = 1,      /* the stored line, exactly (its time in UTC, as stored) */
    OUTPUT_SHORT,         /* journalctl's "Mmm dd HH:MM:SS host logger: msg" */
    OUTPUT_CAT,           /* the message only */
    OUTPUT_JSON_PRETTY,   /* the stored line, one member per line */
};

/* Returns the mode named s (short-iso, short, cat, json, json-pretty), or -1. */
int output_mode_parse(const char *s);

/* The i-th mode's name; NULL past the end. For shell completion. */
const char *output_mode_name(size_t i);

/* Flags or'ed into output_entry's mode. Text modes show times in local time
 * with the offset (journalctl's default) unless OUTPUT_F_UTC (--utc);
 * OUTPUT_F_TIMESTAMPS (-t) starts short and cat lines with the RFC 3339
 * time in microseconds, as docker logs -t (short-iso has it already). */
#define OUTPUT_F_UTC        0x100
#define OUTPUT_F_TIMESTAMPS 0x200
#define OUTPUT_MODE_MASK    0xff

/* One log entry in `mode` (an output_mode and flags). `color` adds ANSI
 * colours by level (text modes). */
void output_entry(const Svcd__LogEntry *e, int mode, int color, struct sbuf *out);

/* Entries removed before the stream could carry them (a LogGap): with
 * `json` a {"gap":{...}} record for stdout, which has no "seq" so it cannot
 * be taken for an entry; otherwise the "svcclient: warning: ..." line for
 * stderr. Returns 0, or -1 when the numbers do not add up (missed 0, or
 * more than the seqs before resume_seq). */
int output_gap(const Svcd__LogGap *g, int json, struct sbuf *out);

/* The client's own error, for --json callers: {"error":..., "exit_code":...}. */
void output_error_json(const char *msg, int exit_code, struct sbuf *out);

void output_version(int json, struct sbuf *out);

#endif
