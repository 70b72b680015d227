/* The platform-neutral half of term.h: formatting over term_write. */
#include "term.h"
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Reads the decimal number at *p (digits only: no sign, no blanks), moving
 * past it. Returns 0, or -1 when there is none or it does not fit. */
static int read_decimal(const char **p, unsigned long long *out)
{
    char *end;

    if (**p < '0' || **p > '9')
        return -1;
    errno = 0;
    *out = strtoull(*p, &end, 10);
    if (errno == ERANGE)
        return -1;
    *p = end;
    return 0;
}

int term_journal_stream_is(const char *value, unsigned long long dev, unsigned long long ino)
{
    unsigned long long d, i;

    if (value == NULL || read_decimal(&value, &d) < 0 || *value++ != ':' ||
        read_decimal(&value, &i) < 0 || *value != '\0')
        return 0;
    return d == dev && i == ino;
}

int term_puts(FILE *f, const char *utf8)
{
    return term_write(f, utf8, strlen(utf8));
}

int term_printf(FILE *f, const char *fmt, ...)
{
    char small[1024], *buf = small;
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INVAL;
    if ((size_t)n >= sizeof(small)) {
        buf = malloc((size_t)n + 1);
        if (buf == NULL)
            return ERR_NOMEM;
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    rc = term_write(f, buf, (size_t)n);
    if (buf != small)
        free(buf);
    return rc;
}
