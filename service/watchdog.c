#include "watchdog.h"
#include "err.h"

#include <errno.h>
#include <stdlib.h>

/* A positive decimal number, digits only, into *out. Returns 0 or
 * ERR_INVAL. */
static int positive_decimal(const char *s, unsigned long long *out)
{
    char *end;

    if (*s < '0' || *s > '9')
        return ERR_INVAL;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno == ERANGE || *end != '\0' || *out == 0 ? ERR_INVAL : 0;
}

int watchdog_parse(const char *usec, const char *pid, long self, uint64_t *interval_us)
{
    unsigned long long v, p;

    *interval_us = 0;
    if (usec == NULL || usec[0] == '\0')
        return 0;
    if (positive_decimal(usec, &v) < 0 || v > INT64_MAX)
        return ERR_INVAL;
    if (pid != NULL && pid[0] != '\0') {
        if (positive_decimal(pid, &p) < 0)
            return ERR_INVAL;
        if (p != (unsigned long long)self)
            return 0; /* meant for another process */
    }
    *interval_us = v;
    return 0;
}

void watchdog_init(struct watchdog *w, uint64_t interval_us, uint64_t now)
{
    /* Half the interval, as sd_watchdog_enabled(3) advises, but never more
     * often than WATCHDOG_MIN_EVERY_US: a tiny WatchdogSec= must not turn the
     * loop into a busy wait (the caller warns that it cannot be kept). */
    uint64_t half = interval_us / 2;

    w->every_us = interval_us == 0               ? 0
                  : half < WATCHDOG_MIN_EVERY_US ? WATCHDOG_MIN_EVERY_US
                                                 : half;
    w->next = now;
}

int watchdog_due(struct watchdog *w, uint64_t now)
{
    if (w->every_us == 0 || now < w->next)
        return 0;
    w->next = now + w->every_us;
    return 1;
}

int64_t watchdog_wait_us(const struct watchdog *w, uint64_t now)
{
    if (w->every_us == 0)
        return -1;
    return w->next > now ? (int64_t)(w->next - now) : 0;
}
