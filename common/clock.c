/* Pure time conversions. The civil-date arithmetic counts days in 400-year
 * eras so it needs no gmtime (absent or different on some C runtimes). */
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t clock_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void clock_format_utc(int64_t us, char *buf)
{
    int64_t secs = floor_div(us, CLOCK_US_PER_SEC);
    int64_t frac = us - secs * CLOCK_US_PER_SEC;
    int64_t days = floor_div(secs, 86400);
    int64_t sod = secs - days * 86400;
    int64_t y;
    int m, d;

    char tmp[64];

    civil_from_days(days, &y, &m, &d);
    /* Years outside 0..9999 do not fit the format; they are clamped. */
    if (y < 0 || y > 9999) {
        y = y < 0 ? 0 : 9999;
    }
    snprintf(tmp, sizeof(tmp), "%04lld-%02d-%02dT%02d:%02d:%02d.%06lldZ", (long long)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)frac);
    memcpy(buf, tmp, CLOCK_UTC_LEN - 1);
    buf[CLOCK_UTC_LEN - 1] = '\0';
}

/* Reads exactly `len` decimal digits. */
static int digits(const char *s, int len, int *out)
{
    int v = 0;
    for (int i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ERR_INVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int clock_parse_utc(const char *s, size_t n, int64_t *us)
{
    int y, mo, d, h, mi, se, frac;

    if (n != CLOCK_UTC_LEN - 1 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != '.' || s[26] != 'Z')
        return ERR_INVAL;
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
        digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
        digits(s + 20, 6, &frac))
        return ERR_INVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return ERR_INVAL;
    int64_t days = clock_days_from_civil(y, mo, d);
    *us = ((days * 86400) + h * 3600 + mi * 60 + se) * CLOCK_US_PER_SEC + frac;
    return 0;
}

/* Reads a decimal number with an optional fraction at *p into whole +
 * frac / scale (at most 9 fraction digits are kept). Returns 0, or
 * ERR_INVAL for no digit, a dot with no digit after it, or overflow. */
static int read_number(const char **p, int64_t *whole, int64_t *frac, int64_t *scale)
{
    const char *s = *p;

    *whole = 0;
    *frac = 0;
    *scale = 1;
    if (*s < '0' || *s > '9')
        return ERR_INVAL;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (*whole > (INT64_MAX - 9) / 10)
            return ERR_INVAL;
        *whole = *whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return ERR_INVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (*scale < 1000000000LL) {
                *frac = *frac * 10 + (*s - '0');
                *scale *= 10;
            }
        }
    }
    *p = s;
    return 0;
}

/* systemd's unit names (systemd.time(7)); case matters: M is a month. */
static const struct {
    const char *name;
    int64_t us;
} units[] = {
    {"us", 1},
    {"usec", 1},
    {"ms", 1000},
    {"msec", 1000},
    {"s", CLOCK_US_PER_SEC},
    {"sec", CLOCK_US_PER_SEC},
    {"second", CLOCK_US_PER_SEC},
    {"seconds", CLOCK_US_PER_SEC},
    {"m", 60 * CLOCK_US_PER_SEC},
    {"min", 60 * CLOCK_US_PER_SEC},
    {"minute", 60 * CLOCK_US_PER_SEC},
    {"minutes", 60 * CLOCK_US_PER_SEC},
    {"h", 3600 * CLOCK_US_PER_SEC},
    {"hr", 3600 * CLOCK_US_PER_SEC},
    {"hour", 3600 * CLOCK_US_PER_SEC},
    {"hours", 3600 * CLOCK_US_PER_SEC},
    {"d", 86400 * CLOCK_US_PER_SEC},
    {"day", 86400 * CLOCK_US_PER_SEC},
    {"days", 86400 * CLOCK_US_PER_SEC},
    {"w", 7 * 86400 * CLOCK_US_PER_SEC},
    {"week", 7 * 86400 * CLOCK_US_PER_SEC},
    {"weeks", 7 * 86400 * CLOCK_US_PER_SEC},
    {"M", 2629800 * CLOCK_US_PER_SEC},
    {"month", 2629800 * CLOCK_US_PER_SEC},
    {"months", 2629800 * CLOCK_US_PER_SEC},
    {"y", 31557600 * CLOCK_US_PER_SEC},
    {"year", 31557600 * CLOCK_US_PER_SEC},
    {"years", 31557600 * CLOCK_US_PER_SEC},
};

/* Reads the unit (a run of letters) at *p: its length in microseconds, 0
 * when there is none, -1 for a word that is no unit. */
static int64_t read_unit(const char **p)
{
    const char *s = *p;
    size_t n = 0;

    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))
        n++;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0) {
            *p = s + n;
            return units[i].us;
        }
    }
    return -1;
}

int clock_parse_duration(const char *s, int64_t default_unit_us, int64_t *us)
{
    int64_t total = 0, whole, frac, scale, unit, v;
    const char *p = s;
    int parts = 0;

    for (;;) {
        p += strspn(p, " \t");
        if (*p == '\0')
            break;
        if (read_number(&p, &whole, &frac, &scale) < 0)
            return ERR_INVAL;
        p += strspn(p, " \t");
        unit = read_unit(&p);
        /* a bare number only at the end: "1h30", not "1 2" */
        if (unit == 0 && *p == '\0')
            unit = default_unit_us;
        if (unit <= 0 || whole > INT64_MAX / unit)
            return ERR_INVAL;
        /* frac * unit / scale without the product overflowing */
        v = (unit / scale) * frac + (unit % scale) * frac / scale;
        if (v < 0 || v > INT64_MAX - whole * unit) /* checked before adding: no signed overflow */
            return ERR_INVAL;
        v += whole * unit;
        if (v > INT64_MAX - total)
            return ERR_INVAL;
        total += v;
        parts++;
    }
    if (parts == 0)
        return ERR_INVAL;
    *us = total;
    return 0;
}

void clock_format_duration(uint64_t us, char *buf, size_t n)
{
    uint64_t s = us / CLOCK_US_PER_SEC;
    uint64_t ms = (us / 1000) % 1000;
    size_t off = 0;

    buf[0] = '\0';
    if (s >= 86400)
        off += (size_t)snprintf(buf + off, n - off, "%llud ", (unsigned long long)(s / 86400));
    if (s >= 3600 && off < n)
        off += (size_t)snprintf(buf + off, n - off, "%lluh ", (unsigned long long)(s / 3600 % 24));
    if (s >= 60 && off < n)
        off += (size_t)snprintf(buf + off, n - off, "%llumin ", (unsigned long long)(s / 60 % 60));
    if (off < n) {
        if (s < 60 && ms != 0)
            snprintf(buf + off, n - off, "%llu.%03llus", (unsigned long long)s,
                     (unsigned long long)ms);
        else
            snprintf(buf + off, n - off, "%llus", (unsigned long long)(s % 60));
    }
}

/* Reads "HH:MM[:SS[.fraction]]" at *p. */
static int parse_clock_part(const char **p, int64_t *us)
{
    const char *s = *p;
    int h, mi, se = 0;
    int64_t frac = 0, scale = 1000000;

    if (digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi) || h > 23 || mi > 59)
        return ERR_INVAL;
    s += 5;
    if (*s == ':') {
        if (digits(s + 1, 2, &se) || se > 60)
            return ERR_INVAL;
        s += 3;
        if (*s == '.') {
            s++;
            if (*s < '0' || *s > '9')
                return ERR_INVAL;
            for (; *s >= '0' && *s <= '9'; s++) {
                if (scale > 1) {
                    scale /= 10;
                    frac += (*s - '0') * scale;
                }
            }
        }
    }
    *us = ((int64_t)h * 3600 + mi * 60 + se) * CLOCK_US_PER_SEC + frac;
    *p = s;
    return 0;
}

/* Reads "Z", "+HH:MM", "-HH:MM", "+HHMM", " UTC"/"UTC", or nothing: the
 * offset to subtract. Returns 1 when a zone was given, 0 when none, or
 * ERR_INVAL. */
static int parse_zone(const char *s, int64_t *offset_us)
{
    int sign, h, m;

    *offset_us = 0;
    if (*s == '\0')
        return 0;
    if (((*s == 'Z' || *s == 'z') && s[1] == '\0') || strcmp(s, " UTC") == 0 ||
        strcmp(s, "UTC") == 0)
        return 1;
    if (*s != '+' && *s != '-')
        return ERR_INVAL;
    sign = *s == '-' ? -1 : 1;
    if (digits(s + 1, 2, &h))
        return ERR_INVAL;
    s += s[3] == ':' ? 4 : 3;
    if (digits(s, 2, &m) || s[2] != '\0' || h > 23 || m > 59)
        return ERR_INVAL;
    *offset_us = sign * ((int64_t)h * 3600 + m * 60) * CLOCK_US_PER_SEC;
    return 1;
}

int clock_local_to_utc(int64_t local_s, clock_offset_fn zone, int64_t *utc_s)
{
    int32_t before, after, at;

    if (zone == NULL) {
        *utc_s = local_s;
        return 0;
    }
    /* The offsets a day either side: the two a change near local_s is
     * between (real zones never change twice within two days). */
    if (zone(local_s - 86400, &before) < 0 || zone(local_s + 86400, &after) < 0)
        return ERR_INVAL;
    if (zone(local_s - before, &at) < 0)
        return ERR_INVAL;
    if (at == before) { /* also the fold's first occurrence */
        *utc_s = local_s - before;
        return 0;
    }
    if (zone(local_s - after, &at) < 0)
        return ERR_INVAL;
    /* otherwise the gap: read with the offset before it, as mktime */
    *utc_s = local_s - (at == after ? after : before);
    return 0;
}

/* The wall time (seconds) in `zone` at the instant now_s. */
static int wall_seconds(int64_t now_s, clock_offset_fn zone, int64_t *wall_s)
{
    int32_t off = 0;

    if (zone != NULL && zone(now_s, &off) < 0)
        return ERR_INVAL;
    *wall_s = now_s + off;
    return 0;
}

/* A wall time in microseconds as an instant: its seconds through
 * clock_local_to_utc, the fraction kept. */
static int wall_to_utc(int64_t wall_us, clock_offset_fn zone, int64_t *us)
{
    int64_t secs = floor_div(wall_us, CLOCK_US_PER_SEC), utc_s;

    if (clock_local_to_utc(secs, zone, &utc_s) < 0)
        return ERR_INVAL;
    *us = utc_s * CLOCK_US_PER_SEC + (wall_us - secs * CLOCK_US_PER_SEC);
    return 0;
}

/* "@SECONDS[.fraction]" after the '@'. */
static int parse_epoch(const char *s, int64_t *us)
{
    int64_t whole, frac, scale;

    if (read_number(&s, &whole, &frac, &scale) < 0 || *s != '\0' ||
        whole > INT64_MAX / CLOCK_US_PER_SEC - 1)
        return ERR_INVAL;
    *us = whole * CLOCK_US_PER_SEC + frac * CLOCK_US_PER_SEC / scale;
    return 0;
}

/* An age before or after now: "10m", "-2h", "+1h", "1h 30min ago". */
static int parse_relative(const char *s, int64_t now_us, int64_t *us)
{
    char buf[128];
    size_t n = strlen(s);
    int64_t d;
    int sign = -1;

    if (n >= 4 && strcmp(s + n - 4, " ago") == 0) {
        if (n - 4 >= sizeof(buf))
            return ERR_INVAL;
        memcpy(buf, s, n - 4);
        buf[n - 4] = '\0';
        s = buf;
    } else if (*s == '+' || *s == '-') {
        sign = *s == '+' ? 1 : -1;
        s++;
    }
    /* a duration starts with a digit: "-" alone or "- 1h" is no age */
    if (*s < '0' || *s > '9' || clock_parse_duration(s, CLOCK_US_PER_SEC, &d) < 0)
        return ERR_INVAL;
    if (sign > 0 ? now_us > INT64_MAX - d : now_us < INT64_MIN + d)
        return ERR_INVAL;
    *us = now_us + sign * d;
    return 0;
}

/* "HH:MM[:SS[.f]]" and a zone after the wall day `day` (days since the
 * epoch in `zone`), or nothing after it (its midnight). */
static int parse_day_time(int64_t day, const char *s, clock_offset_fn zone, int64_t *us)
{
    int64_t tod = 0, offset = 0;
    int zoned = 0;

    if (*s != '\0') {
        if (parse_clock_part(&s, &tod) < 0 || (zoned = parse_zone(s, &offset)) < 0)
            return ERR_INVAL;
    }
    if (zoned) {
        *us = day * 86400 * CLOCK_US_PER_SEC + tod - offset;
        return 0;
    }
    return wall_to_utc(day * 86400 * CLOCK_US_PER_SEC + tod, zone, us);
}

int clock_parse_when(const char *s, int64_t now_us, clock_offset_fn zone, int64_t *us)
{
    static const struct {
        const char *name;
        int days;
    } named[] = {{"today", 0}, {"yesterday", -1}, {"tomorrow", 1}};
    int64_t wall_s;
    int y, mo, d;

    if (strcmp(s, "now") == 0) {
        *us = now_us;
        return 0;
    }
    if (*s == '@')
        return parse_epoch(s + 1, us);
    if (parse_relative(s, now_us, us) == 0)
        return 0;
    if (wall_seconds(floor_div(now_us, CLOCK_US_PER_SEC), zone, &wall_s) < 0)
        return ERR_INVAL;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strcmp(s, named[i].name) == 0)
            return wall_to_utc(
                (floor_div(wall_s, 86400) + named[i].days) * 86400 * CLOCK_US_PER_SEC, zone, us);
    if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':')
        return parse_day_time(floor_div(wall_s, 86400), s, zone, us);
    if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return ERR_INVAL;
    s += 10;
    if (*s == 'T' || *s == 't' || *s == ' ')
        s++;
    else if (*s != '\0')
        return ERR_INVAL;
    else
        return parse_day_time(clock_days_from_civil(y, mo, d), "", zone, us);
    /* a time must follow a separator */
    if (*s == '\0')
        return ERR_INVAL;
    return parse_day_time(clock_days_from_civil(y, mo, d), s, zone, us);
}

/* The offset to show `us` at, in whole minutes; 0 and *utc set for UTC. */
static void display_offset(int64_t us, clock_offset_fn zone, int32_t *off, int *utc)
{
    *off = 0;
    *utc = 1;
    /* far from any real time the sum below could overflow: UTC */
    if (zone == NULL || us > (INT64_MAX >> 1) || us < -(INT64_MAX >> 1))
        return;
    /* RFC 3339 has no seconds in an offset (old LMT zones), nor a day */
    if (zone(floor_div(us, CLOCK_US_PER_SEC), off) < 0 || *off % 60 != 0 || *off <= -86400 ||
        *off >= 86400) {
        *off = 0;
        return;
    }
    *utc = 0;
}

void clock_format_zoned(int64_t us, clock_offset_fn zone, char *buf)
{
    char t[CLOCK_UTC_LEN];
    int32_t off;
    unsigned a;
    int utc;

    display_offset(us, zone, &off, &utc);
    clock_format_utc(us + (int64_t)off * CLOCK_US_PER_SEC, t);
    if (utc) {
        memcpy(buf, t, CLOCK_UTC_LEN);
        return;
    }
    a = (unsigned)(off < 0 ? -off : off);
    snprintf(buf, CLOCK_ZONED_LEN, "%.26s%c%02u:%02u", t, off < 0 ? '-' : '+', a / 3600 % 24,
             a / 60 % 60);
}

void clock_format_short(int64_t us, clock_offset_fn zone, char *buf)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char t[CLOCK_UTC_LEN];
    int32_t off;
    int utc, m;

    display_offset(us, zone, &off, &utc);
    clock_format_utc(us + (int64_t)off * CLOCK_US_PER_SEC, t);
    m = (t[5] - '0') * 10 + (t[6] - '0');
    if (m < 1 || m > 12)
        m = 1;
    snprintf(buf, CLOCK_SHORT_LEN, "%.3s %.2s %.8s", months + 3 * (m - 1), t + 8, t + 11);
}
