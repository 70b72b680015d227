/* The programs' own diagnostics (not the service's log): one line per message
 * on stderr, "prog: level: text", with a UTC time stamp for the service. */
#ifndef SVCD_DIAG_H
#define SVCD_DIAG_H

enum diag_level { DIAG_DEBUG = 0, DIAG_INFO = 1, DIAG_WARN = 2, DIAG_ERROR = 3 };

/* `prog` must outlive every later call. `timestamps` prefixes each line with
 * the UTC time, for long-running processes. */
void diag_init(const char *prog, enum diag_level min, int timestamps);

/* Sends messages to `sink` instead of stderr (a service has no console):
 * `msg` is the text alone, `line` the whole "prog: level: text". */
void diag_set_sink(void (*sink)(enum diag_level level, const char *msg, const char *line));

void diag(enum diag_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
