#define _POSIX_C_SOURCE 200809L
#include "term.h"

#include <unistd.h>

void term_init(void)
{
}

void term_args_utf8(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int term_is_tty(FILE *f)
{
    return isatty(fileno(f));
}
