#define _POSIX_C_SOURCE 200809L
#include "term.h"
#include "err.h"

#include <stdlib.h>
#include <sys/stat.h>
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

int term_stderr_is_journal(void)
{
    const char *v = getenv("JOURNAL_STREAM");
    struct stat st;

    if (v == NULL || fstat(STDERR_FILENO, &st) < 0)
        return 0;
    return term_journal_stream_is(v, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

int term_write(FILE *f, const char *utf8, size_t n)
{
    return n == 0 || fwrite(utf8, 1, n, f) == n ? 0 : ERR_IO;
}
