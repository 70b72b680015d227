/* Windows-only part of clock.h, for tests: the local-time conversion with a
 * given time zone instead of the system's. */
#ifndef SVCD_CLOCK_WIN_H
#define SVCD_CLOCK_WIN_H

#include <windows.h>

#include <stdint.h>

/* The offset (local minus UTC, seconds) of `tz` (NULL: the system's time
 * zone) at the UTC second `utc_s`, by SystemTimeToTzSpecificLocalTime.
 * Returns 0, or ERR_INVAL for a time Windows cannot convert (before 1601). */
int clock_win_offset(const TIME_ZONE_INFORMATION *tz, int64_t utc_s, int32_t *offset_s);

#endif
