/* Terminal facts the client's output depends on: term_posix.c / term_win.c. */
#ifndef SVCD_TERM_H
#define SVCD_TERM_H

#include <stddef.h>
#include <stdio.h>

/* Replaces argv with its UTF-8 form (on Windows, from the wide command line,
 * so non-ASCII arguments survive any code page; a no-op on POSIX). */
void term_args_utf8(int *argc, char ***argv);

/* True when `f` is a terminal. */
int term_is_tty(FILE *f);

/* True when stderr is the journal stream systemd connected us to: the
 * "DEVICE:INODE" in $JOURNAL_STREAM is that of fd 2 (sd-daemon(3)). A
 * stderr redirected since (to a file, a pipe) or inherited by a child that
 * points it elsewhere is not. Always false on Windows. */
int term_stderr_is_journal(void);

/* The pure half of term_stderr_is_journal: 1 when `value` is exactly
 * "DEV:INO" in decimal and names `dev` and `ino`, else 0 (NULL, empty,
 * malformed or out of range included). */
int term_journal_stream_is(const char *value, unsigned long long dev, unsigned long long ino);

/* Writes n bytes of UTF-8 text to f. On a Windows console it goes as UTF-16
 * through WriteConsoleW, so it shows right under any console code page, which
 * is left as it is; anywhere else (a file, a pipe, a POSIX terminal) the bytes
 * go as they are. Returns 0, or ERR_IO when the write failed. */
int term_write(FILE *f, const char *utf8, size_t n);

/* term_write of a NUL-terminated string. */
int term_puts(FILE *f, const char *utf8);

/* term_write of printf-formatted text, in one write. */
int term_printf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
