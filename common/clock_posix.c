#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "err.h"

#include <time.h>

int64_t clock_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * CLOCK_US_PER_SEC + ts.tv_nsec / 1000;
}

uint64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * CLOCK_US_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

int clock_local_offset(int64_t utc_s, int32_t *offset_s)
{
    time_t t = (time_t)utc_s;
    struct tm tm;
    int64_t wall;

    /* localtime_r need not call tzset; the first call here reads TZ */
    static int tz_read;
    if (!tz_read) {
        tzset();
        tz_read = 1;
    }
    if ((int64_t)t != utc_s || localtime_r(&t, &tm) == NULL)
        return ERR_INVAL;
    wall = clock_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    *offset_s = (int32_t)(wall - utc_s);
    return 0;
}
