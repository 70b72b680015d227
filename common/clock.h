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

/* Parses a duration as systemd does: one or more components, each a
 * decimal number (fraction allowed) and a unit, concatenated or separated by
 * spaces: "90s", "1m30s", "2h 5min", "1.5h", "250 ms". Units: us, usec, ms,
 * msec, s, sec, second(s), m, min, minute(s), h, hr, hour(s), d, day(s),
 * w, week(s), M, month(s) (30.44 days), y, year(s) (365.25 days). A number
 * without a unit counts in `default_unit_us` ("1", "0.5", and "1h30" is
 * 1h 30s). Returns 0, or ERR_INVAL for anything else, a sign or overflow. */
int clock_parse_duration(const char *s, int64_t default_unit_us, int64_t *us);

/* The local time zone's offset from UTC, local minus UTC in seconds, at the
 * UTC second `utc_s` (so it follows daylight saving time). Platform code:
 * POSIX from localtime_r (TZ honoured), Windows from the system time zone.
 * Returns 0, or ERR_INVAL when that time cannot be converted. */
int clock_local_offset(int64_t utc_s, int32_t *offset_s);

/* A time zone as a function of the instant, like clock_local_offset. The
 * functions below take NULL for UTC. */
typedef int (*clock_offset_fn)(int64_t utc_s, int32_t *offset_s);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t clock_days_from_civil(int64_t y, int m, int d);

/* The UTC second at which a clock in `zone` shows the wall time `local_s`
 * (seconds since 1970-01-01 00:00 of that wall clock). A wall time the
 * clock skips (the spring-forward gap) is read with the offset in force
 * before the skip, as mktime does: 02:30 in a 02:00->03:00 gap is 03:30 of
 * the new offset. A wall time shown twice (the autumn fold) is its first
 * occurrence, the one still on the offset before the change. Returns 0, or
 * ERR_INVAL when `zone` fails. */
int clock_local_to_utc(int64_t local_s, clock_offset_fn zone, int64_t *utc_s);

/* Parses a point in time as journalctl takes it for --since/--until. Times
 * with no zone are wall times in `zone` (NULL: UTC):
 *   2026-11-24T13:12:12Z, 2026-11-24 22:12:12.5+09:00, 2026-11-24T13:12 UTC
 *                          RFC 3339 with a zone (Z, +HH:MM, +HHMM, " UTC")
 *   2026-11-24 13:12[:12[.5]], 2026-11-24   wall time, the date its midnight
 *   13:12[:12]             that time today
 *   now, today, yesterday, tomorrow   midnight of those days
 *   @1795525932.5          seconds since the Unix epoch
 *   10m, -2h, "1h 30min ago"   an age before `now_us`; +1h after it
 * Returns 0 or ERR_INVAL. */
int clock_parse_when(const char *s, int64_t now_us, clock_offset_fn zone, int64_t *us);

#define CLOCK_ZONED_LEN 33 /* "2026-11-24T14:12:12.123456+01:00" plus NUL */
#define CLOCK_SHORT_LEN 16 /* "Nov 24 14:12:12" plus NUL */

/* Formats as RFC 3339 with microseconds in `zone`: "...+01:00", or with
 * NULL (or an offset of no whole minutes, which RFC 3339 cannot write; or
 * a failing zone) in UTC with "Z". `buf` holds CLOCK_ZONED_LEN bytes. */
void clock_format_zoned(int64_t us, clock_offset_fn zone, char *buf);

/* journalctl's short time, "Nov 24 14:12:12", in `zone` (NULL: UTC).
 * `buf` holds CLOCK_SHORT_LEN bytes. */
void clock_format_short(int64_t us, clock_offset_fn zone, char *buf);

/* Formats a duration the way systemctl does: "3h 5min 2s", "1.250s", "0s". */
void clock_format_duration(uint64_t us, char *buf, size_t n);

#endif
