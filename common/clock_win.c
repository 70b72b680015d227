#include "clock.h"

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
