/* The programs' own diagnostics (not the service's log): one line per message
 * on stderr, "prog: level: text", with a UTC time stamp for the service; or,
 * when stderr is systemd's journal stream, "<N>level: text" (sd-daemon(3)
 * priority; the journal adds the time and the name). */
#ifndef SVCD_DIAG_H
#define SVCD_DIAG_H

#include <stddef.h>

enum diag_level { DIAG_DEBUG = 0, DIAG_INFO = 1, DIAG_WARN = 2, DIAG_ERROR = 3 };

/* `prog` must outlive every later call. `timestamps` prefixes each line with
 * the UTC time, for long-running processes. Checks here, once, whether
 * stderr is the journal (term_stderr_is_journal). */
void diag_init(const char *prog, enum diag_level min, int timestamps);

/* The one place a stderr line's form is chosen (no newline): into out (n
 * bytes, NUL-terminated, cut to fit), for the journal ("<3>error: text")
 * or not ("[stamp ]prog: error: text", `stamp` NULL for none; `stamp` and
 * `prog` are unused for the journal). Returns out. */
const char *diag_format(char *out, size_t n, int journal, const char *stamp, const char *prog,
                        enum diag_level level, const char *text);

/* Sends messages to `sink` instead of stderr (a service has no console):
 * `msg` is the text alone, `line` the whole "prog: level: text". */
void diag_set_sink(void (*sink)(enum diag_level level, const char *msg, const char *line));

/* Copies `in` to `out` (n bytes, NUL-terminated, cut to fit) with control
 * characters written as \xNN: text that reaches a terminal, the Event Log
 * or a note file from a config file or a client (a key, a path, a user
 * name) cannot move the cursor, recolour, or forge a second line. Tabs and
 * UTF-8 are kept. */
void diag_escape(const char *in, char *out, size_t n);

void diag(enum diag_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
