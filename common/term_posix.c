#define _POSIX_C_SOURCE 200809L
#include "term.h"
#include "err.h"

#include <unistd.h>

void term_args_utf8(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int term_is_tty(FILE *f)
{
    return isatty(fileno(f));
}

int term_write(FILE *f, const char *utf8, size_t n)
{
    return n == 0 || fwrite(utf8, 1, n, f) == n ? 0 : ERR_IO;
}
