#include "diag.h"
#include "clock.h"
#include "term.h"

#include <stdarg.h>
#include <stdio.h>

static const char *diag_prog = "svcd";
static enum diag_level diag_min = DIAG_INFO;
static int diag_stamps;
static void (*diag_sink)(enum diag_level level, const char *msg, const char *line);

void diag_set_sink(void (*sink)(enum diag_level level, const char *msg, const char *line))
{
    diag_sink = sink;
}

void diag_init(const char *prog, enum diag_level min, int timestamps)
{
    diag_prog = prog;
    diag_min = min;
    diag_stamps = timestamps;
}

void diag(enum diag_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    char stamp[CLOCK_UTC_LEN];
    char line[2048];
    va_list ap;

    if (level < diag_min)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (diag_sink) {
        char full[2200];
        snprintf(full, sizeof(full), "%s: %s: %s", diag_prog, names[level], line);
        diag_sink(level, line, full);
        return;
    }
    /* One write per line so concurrent writers do not interleave mid-line;
     * through term_write so a Windows console shows it in any code page. */
    char full[2200];
    if (diag_stamps) {
        clock_format_utc(clock_wall_us(), stamp);
        snprintf(full, sizeof(full), "%s %s: %s: %s\n", stamp, diag_prog, names[level], line);
    } else {
        snprintf(full, sizeof(full), "%s: %s: %s\n", diag_prog, names[level], line);
    }
    term_puts(stderr, full);
}
