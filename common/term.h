/* Terminal facts the client's output depends on: term_posix.c / term_win.c. */
#ifndef SVCD_TERM_H
#define SVCD_TERM_H

#include <stdio.h>

/* Prepares the console for UTF-8 output (a no-op on POSIX). */
void term_init(void);

/* Replaces argv with its UTF-8 form (on Windows, from the wide command line,
 * so non-ASCII arguments survive any code page; a no-op on POSIX). */
void term_args_utf8(int *argc, char ***argv);

/* True when `f` is a terminal. */
int term_is_tty(FILE *f);

#endif
