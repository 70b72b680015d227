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

void diag_escape(const char *in, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    if (n == 0)
        return;
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        int plain = c >= 0x20 ? c != 0x7f : c == '\t';
        if (o + (plain ? 1 : 4) >= n)
            break;
        if (plain) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
}

void diag(enum diag_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    char stamp[CLOCK_UTC_LEN];
    char raw[2048], line[2048];
    va_list ap;

    if (level < diag_min)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    diag_escape(raw, line, sizeof(line));
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
