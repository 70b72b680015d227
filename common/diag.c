#include "diag.h"
#include "clock.h"
#include "term.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *diag_prog = "svcd";
static enum diag_level diag_min = DIAG_INFO;
static int diag_stamps;
static int diag_journal; /* stderr is systemd's journal stream */
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
    diag_journal = term_stderr_is_journal();
}

static const char *const diag_names[] = {"debug", "info", "warning", "error"};

const char *diag_format(char *out, size_t n, int journal, const char *stamp, const char *prog,
                        enum diag_level level, const char *text)
{
    /* sd-daemon(3) priorities of our levels: debug, info, warning, err */
    static const char prio[] = {'7', '6', '4', '3'};

    if (n == 0)
        return out;
    if ((unsigned)level > DIAG_ERROR)
        level = DIAG_ERROR;
    if (journal)
        snprintf(out, n, "<%c>%s: %s", prio[level], diag_names[level], text);
    else if (stamp)
        snprintf(out, n, "%s %s: %s: %s", stamp, prog, diag_names[level], text);
    else
        snprintf(out, n, "%s: %s: %s", prog, diag_names[level], text);
    return out;
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
    char stamp[CLOCK_UTC_LEN];
    char raw[2048], line[2048], full[2200];
    const char *when = NULL; /* the journal stamps its entries itself */
    size_t len;
    va_list ap;

    if (level < diag_min)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    diag_escape(raw, line, sizeof(line));
    if (diag_sink) {
        diag_format(full, sizeof(full), 0, NULL, diag_prog, level, line);
        diag_sink(level, line, full);
        return;
    }
    if (diag_stamps && !diag_journal) {
        clock_format_utc(clock_wall_us(), stamp);
        when = stamp;
    }
    diag_format(full, sizeof(full) - 1, diag_journal, when, diag_prog, level, line);
    /* One write per line so concurrent writers do not interleave mid-line;
     * through term_write so a Windows console shows it in any code page. */
    len = strlen(full);
    full[len] = '\n';
    full[len + 1] = '\0';
    term_puts(stderr, full);
}
