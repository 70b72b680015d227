#include "clock.h"
#include "clock_win.h"
#include "err.h"

#include <windows.h>

/* FILETIME counts 100 ns ticks since 1601-01-01. */
#define EPOCH_DIFF_US 11644473600000000LL

int64_t clock_wall_us(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;

    GetSystemTimePreciseAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return (int64_t)(u.QuadPart / 10) - EPOCH_DIFF_US;
}

uint64_t clock_mono_us(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;

    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    return (uint64_t)(now.QuadPart / freq.QuadPart) * 1000000ULL +
           (uint64_t)(now.QuadPart % freq.QuadPart) * 1000000ULL / (uint64_t)freq.QuadPart;
}

/* Seconds since 1970 of a SYSTEMTIME read as a wall clock. */
static int64_t wall_seconds(const SYSTEMTIME *st)
{
    return clock_days_from_civil(st->wYear, st->wMonth, st->wDay) * 86400 + st->wHour * 3600 +
           st->wMinute * 60 + st->wSecond;
}

int clock_win_offset(const TIME_ZONE_INFORMATION *tz, int64_t utc_s, int32_t *offset_s)
{
    ULARGE_INTEGER u;
    FILETIME ft;
    SYSTEMTIME utc, local;

    if (utc_s < -EPOCH_DIFF_US / CLOCK_US_PER_SEC || utc_s > INT64_MAX / 10000000 / 2)
        return ERR_INVAL;
    u.QuadPart = (ULONGLONG)(utc_s * CLOCK_US_PER_SEC + EPOCH_DIFF_US) * 10;
    ft.dwLowDateTime = u.LowPart;
    ft.dwHighDateTime = u.HighPart;
    /* the TIME_ZONE_INFORMATION argument is not const in the prototype */
    if (!FileTimeToSystemTime(&ft, &utc) ||
        !SystemTimeToTzSpecificLocalTime((TIME_ZONE_INFORMATION *)tz, &utc, &local))
        return ERR_INVAL;
    *offset_s = (int32_t)(wall_seconds(&local) - wall_seconds(&utc));
    return 0;
}

int clock_local_offset(int64_t utc_s, int32_t *offset_s)
{
    return clock_win_offset(NULL, utc_s, offset_s);
}
