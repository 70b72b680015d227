/* Time: platform clocks (clock_posix.c / clock_win.c) and pure conversions
 * (clock.c). Wall times are microseconds since the Unix epoch, UTC. */
#ifndef SVCD_CLOCK_H
#define SVCD_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_US_PER_SEC 1000000LL
#define CLOCK_UTC_LEN    28 /* "2026-11-24T13:12:12.123456Z" plus NUL */

/* Wall clock, for timestamps a person reads. */
int64_t clock_wall_us(void);

/* Monotonic clock, for intervals and deadlines; unaffected by clock changes. */
uint64_t clock_mono_us(void);

/* Formats as RFC 3339 UTC with microseconds, e.g. 2026-11-24T13:12:12.123456Z.
 * `buf` must hold CLOCK_UTC_LEN bytes. */
void clock_format_utc(int64_t us, char *buf);

/* Parses exactly the form clock_format_utc writes. Returns 0 or ERR_INVAL. */
int clock_parse_utc(const char *s, size_t n, int64_t *us);

/* Parses a duration: a decimal number with an optional unit us, ms, s, m, h
 * or d (no unit means `default_unit_us`), e.g. "1", "0.5", "250ms", "2h".
 * Returns 0, or ERR_INVAL for anything else, a negative value or overflow. */
int clock_parse_duration(const char *s, int64_t default_unit_us, int64_t *us);

/* Parses a point in time as users write it for --since/--until: RFC 3339
 * ("2026-11-24T13:12:12Z", "2026-11-24 13:12:12.5+09:00", "2026-11-24T13:12"
 * with no zone meaning UTC, "2026-11-24" meaning its midnight UTC), "now",
 * or an age before `now_us` ("10m", "-2h", "1d", "90s"). Returns 0 or
 * ERR_INVAL. */
int clock_parse_when(const char *s, int64_t now_us, int64_t *us);

/* Formats a duration the way systemctl does: "3h 5min 2s", "1.250s", "0s". */
void clock_format_duration(uint64_t us, char *buf, size_t n);

#endif
