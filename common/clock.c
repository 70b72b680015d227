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

/* Days since 1970-01-01 for a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
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
    int64_t days = days_from_civil(y, mo, d);
    *us = ((days * 86400) + h * 3600 + mi * 60 + se) * CLOCK_US_PER_SEC + frac;
    return 0;
}

static int64_t unit_us(const char *u, int64_t dflt)
{
    static const struct {
        const char *name;
        int64_t us;
    } units[] = {{"us", 1},           {"ms", 1000},        {"s", CLOCK_US_PER_SEC},
                 {"m", 60000000LL},   {"min", 60000000LL}, {"h", 3600000000LL},
                 {"d", 86400000000LL}};

    if (*u == '\0')
        return dflt;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(u, units[i].name) == 0)
            return units[i].us;
    return -1;
}

int clock_parse_duration(const char *s, int64_t default_unit_us, int64_t *us)
{
    /* Integer and fraction are kept apart so "0.001" is exact. */
    int64_t whole = 0, frac = 0, frac_scale = 1;
    const char *p = s;

    if (*p < '0' || *p > '9')
        return ERR_INVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > (INT64_MAX - 9) / 10)
            return ERR_INVAL;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return ERR_INVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (frac_scale < 1000000000LL) {
                frac = frac * 10 + (*p - '0');
                frac_scale *= 10;
            }
        }
    }
    int64_t unit = unit_us(p, default_unit_us);
    if (unit <= 0 || whole > INT64_MAX / unit)
        return ERR_INVAL;
    *us = whole * unit + (frac * unit) / frac_scale;
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

/* Reads "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing (UTC); the offset to
 * subtract. */
static int parse_zone(const char *s, int64_t *offset_us)
{
    int sign, h, m;

    *offset_us = 0;
    if (*s == '\0' || ((*s == 'Z' || *s == 'z') && s[1] == '\0'))
        return 0;
    if (*s != '+' && *s != '-')
        return ERR_INVAL;
    sign = *s == '-' ? -1 : 1;
    if (digits(s + 1, 2, &h))
        return ERR_INVAL;
    s += s[3] == ':' ? 4 : 3;
    if (digits(s, 2, &m) || s[2] != '\0' || h > 23 || m > 59)
        return ERR_INVAL;
    *offset_us = sign * ((int64_t)h * 3600 + m * 60) * CLOCK_US_PER_SEC;
    return 0;
}

int clock_parse_when(const char *s, int64_t now_us, int64_t *us)
{
    int y, mo, d;
    int64_t day_us, tod = 0, offset = 0, age;

    if (strcmp(s, "now") == 0) {
        *us = now_us;
        return 0;
    }
    if (clock_parse_duration(s[0] == '-' ? s + 1 : s, CLOCK_US_PER_SEC, &age) == 0) {
        *us = now_us - age;
        return 0;
    }
    if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return ERR_INVAL;
    day_us = days_from_civil(y, mo, d) * 86400 * CLOCK_US_PER_SEC;
    s += 10;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (parse_clock_part(&s, &tod) < 0 || parse_zone(s, &offset) < 0)
            return ERR_INVAL;
    } else if (*s != '\0') {
        return ERR_INVAL;
    }
    *us = day_us + tod - offset;
    return 0;
}
