#include "term.h"

#include <io.h>
#include <windows.h>

void term_init(void)
{
    /* UTF-8 inside: the console must render our bytes as UTF-8. */
    SetConsoleOutputCP(CP_UTF8);
}

int term_is_tty(FILE *f)
{
    return _isatty(_fileno(f));
}
