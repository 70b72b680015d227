/* svcclient's output on a terminal, as journalctl does it: long output
 * through a pager, colours only where they can be seen. The choices are pure
 * (pager.c, unit-tested); starting and ending the pager is per platform
 * (pager_posix.c, pager_win.c). One pager per process, at most. */
#ifndef SVCD_PAGER_H
#define SVCD_PAGER_H

#include <stddef.h>

/* --color=WHEN */
enum pager_color {
    PAGER_COLOR_AUTO = 0,
    PAGER_COLOR_ALWAYS,
    PAGER_COLOR_NEVER,
};

/* The i-th --color value's name (auto, always, never); NULL past the end. */
const char *pager_color_name(size_t i);

/* The --color value named s, or -1. */
int pager_color_parse(const char *s);

/* Whether to colour: always and never say so; auto colours when stdout is a
 * terminal (`is_tty`), TERM (`term`, NULL when unset) is not "dumb", and
 * NO_COLOR (`no_color`, NULL when unset) is unset or empty (no-color.org:
 * only a non-empty value disables). Returns 1 or 0. */
int pager_color_wanted(int when, int is_tty, const char *term, const char *no_color);

/* Makes stdout ready for ANSI colours, once colour is decided: on a Windows
 * console, turns on its virtual terminal processing; elsewhere (a POSIX
 * terminal, a file, a pipe) nothing is needed. Returns 0, or ERR_UNSUPPORTED
 * when the console cannot show them (older than Windows 10): no colour. */
int pager_color_ready(void);

/* Whether the output may go through a pager at all: not with --no-pager,
 * never while following (the output has no end to page), only when stdout
 * is a terminal whose TERM is not "dumb" (journalctl's rules). */
int pager_wanted(int no_pager, int follow, int is_tty, const char *term);

/* The pager command: $SYSTEMD_PAGER if set, else $PAGER if set, else
 * `dflt` (the platform's default, NULL for none). A chosen value that is
 * empty, blank or "cat" means no pager: NULL. Leading blanks are skipped. */
const char *pager_pick(const char *systemd_pager, const char *pager, const char *dflt);

/* The LESS value the pager gets: $SYSTEMD_LESS if set, else $LESS if set
 * (the user's own), else journalctl's "FRSXMK": quit if one screen (F), pass
 * colours (R), chop long lines (S), keep the screen (X), verbose prompt (M),
 * quit on Ctrl-C (K). */
const char *pager_less_value(const char *systemd_less, const char *less);

/* Splits a pager command into words at blanks, in place in `buf` (a copy of
 * cmd, `buflen` bytes), for running it without a shell. Returns the number
 * of words (argv[n] is NULL), 0 when the command needs a shell (quotes,
 * $, |, ; and the like, or more than max - 1 words), or -1 when it does not
 * fit in buf. */
int pager_split(const char *cmd, char *buf, size_t buflen, char **argv, size_t max);

/* The spooler between svcclient and its pager (pager_posix.c, pager_win.c)
 * takes what svcclient writes at once and holds it until the pager reads
 * it: a user reading one screen for minutes must not make svcclient stop
 * reading the socket, or svcd cuts the stream after stall_timeout. Its
 * buffer: bytes [head, len) of buf are not yet written to the pager. */
struct pager_spool {
    char *buf;
    size_t head, len, cap;
};

/* What a spool holds at most: past it, svcclient waits for the pager again
 * (and svcd may cut the stream); and what it reads at a time. */
#define PAGER_SPOOL_MAX   (64u * 1024 * 1024)
#define PAGER_SPOOL_CHUNK (64u * 1024)

/* Makes room for PAGER_SPOOL_CHUNK more bytes at buf + len (moving what is
 * left to the front once half of it is written). Returns 0, or -1 when the
 * spool holds PAGER_SPOOL_MAX or memory is short (then stop reading until
 * the pager takes some). */
int pager_spool_room(struct pager_spool *sp);

/* Frees the buffer; the spool is empty again. */
void pager_spool_free(struct pager_spool *sp);

/* The platform's pager when neither variable is set: "less" on POSIX; none
 * on Windows (no journalctl, and more.com neither quits at the end of a
 * short output nor shows colours), so there it pages only when asked. */
const char *pager_default(void);

/* Starts `cmd` with its standard input on a pipe that becomes our stdout
 * (and stderr, when that is a terminal too), LESS set as pager_less_value
 * says. While it runs, Ctrl-C and a pager that quits end the output, not the
 * process (see pager_stopped). Returns 1 when it runs, 0 when it does not
 * (not found, or no descriptor or process left for it): the output then goes
 * where it would have gone, and there is nothing to report. */
int pager_start(const char *cmd);

/* True while a pager runs. */
int pager_active(void);

/* True when the pager went away or Ctrl-C was pressed since pager_start
 * (and still after pager_finish): the output should stop, and the command
 * end with success. */
int pager_stopped(void);

/* Called when a write to the pager failed (it quit, e.g. 'q' or head -1):
 * from then on pager_stopped() is true. */
void pager_write_failed(void);

/* Ends the pager: flushes stdout and stderr, gives them back their terminal
 * (closing the pipe, so the pager sees the end of its input), and waits for
 * the pager to exit. A no-op when none runs. */
void pager_finish(void);

#endif
