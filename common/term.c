/* The platform-neutral half of term.h: formatting over term_write. */
#include "term.h"
#include "err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
