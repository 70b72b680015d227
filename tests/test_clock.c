#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"

Test(clock, formats_utc_with_microseconds)
{
    char buf[CLOCK_UTC_LEN];

    clock_format_utc(0, buf);
    cr_assert_str_eq(buf, "1970-01-01T00:00:00.000000Z");
    clock_format_utc(1795525932123456LL, buf);
    cr_assert_str_eq(buf, "2026-11-24T13:12:12.123456Z");
    clock_format_utc(951782400000001LL, buf); /* leap day 2000 */
    cr_assert_str_eq(buf, "2000-02-29T00:00:00.000001Z");
    clock_format_utc(-1, buf);
    cr_assert_str_eq(buf, "1969-12-31T23:59:59.999999Z");
}

Test(clock, parse_is_the_inverse_of_format)
{
    int64_t samples[] = {0, 1, 951782400000001LL, 1795525932123456LL, 4102444799999999LL};
    char buf[CLOCK_UTC_LEN];
    int64_t back;

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        clock_format_utc(samples[i], buf);
        cr_assert_eq(clock_parse_utc(buf, strlen(buf), &back), 0, "%s", buf);
        cr_assert_eq(back, samples[i], "%s", buf);
    }
    cr_assert_eq(clock_parse_utc("2026-11-24T13:12:12Z", 20, &back), ERR_INVAL);
    cr_assert_eq(clock_parse_utc("2026-13-24T13:12:12.123456Z", 27, &back), ERR_INVAL);
    cr_assert_eq(clock_parse_utc("2026-11-24X13:12:12.123456Z", 27, &back), ERR_INVAL);
}

Test(clock, durations)
{
    int64_t us;

    cr_assert_eq(clock_parse_duration("1", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 1000000);
    cr_assert_eq(clock_parse_duration("0.25", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 250000);
    cr_assert_eq(clock_parse_duration("250ms", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 250000);
    cr_assert_eq(clock_parse_duration("2h", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 7200000000LL);
    cr_assert_eq(clock_parse_duration("1d", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 86400000000LL);
    cr_assert_eq(clock_parse_duration("10m", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, 600000000LL);
    const char *bad[] = {"", "-1", "abc", "1x", "1.", ".5", "99999999999999999999", " "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(clock_parse_duration(bad[i], CLOCK_US_PER_SEC, &us), ERR_INVAL, "%s", bad[i]);
}

Test(clock, duration_text_reads_like_systemctl)
{
    char buf[64];

    clock_format_duration(0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "0s");
    clock_format_duration(1250000, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1.250s");
    clock_format_duration(303000000ULL, buf, sizeof(buf));
    cr_assert_str_eq(buf, "5min 3s");
    clock_format_duration(90061000000ULL, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1d 1h 1min 1s");
}

Test(clock, monotonic_does_not_go_back)
{
    uint64_t a = clock_mono_us(), b = clock_mono_us();
    cr_assert_geq(b, a);
    cr_assert_gt(clock_wall_us(), 1600000000LL * CLOCK_US_PER_SEC);
}

Test(clock, when_accepts_rfc3339_dates_and_ages)
{
    int64_t now = 1795525932000000LL; /* 2026-11-24T13:12:12Z */
    int64_t us;

    cr_assert_eq(clock_parse_when("2026-11-24T13:12:12Z", now, NULL, &us), 0);
    cr_assert_eq(us, now);
    cr_assert_eq(clock_parse_when("2026-11-24 22:12:12.5+09:00", now, NULL, &us), 0);
    cr_assert_eq(us, now + 500000);
    cr_assert_eq(clock_parse_when("2026-11-24T13:12", now, NULL, &us), 0, "no zone: UTC");
    cr_assert_eq(us, now - 12000000);
    cr_assert_eq(clock_parse_when("2026-11-24", now, NULL, &us), 0);
    cr_assert_eq(us, now - (13 * 3600 + 12 * 60 + 12) * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("2026-11-24T08:12:12-0500", now, NULL, &us), 0);
    cr_assert_eq(us, now);
    cr_assert_eq(clock_parse_when("10m", now, NULL, &us), 0);
    cr_assert_eq(us, now - 600 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("-2h", now, NULL, &us), 0);
    cr_assert_eq(us, now - 7200 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("now", now, NULL, &us), 0);
    cr_assert_eq(us, now);
    const char *bad[] = {"",
                         "yesterdays",
                         "2026-13-01",
                         "2026-11-24T25:00",
                         "2026-11-24T13:12Q",
                         "2026-11-24X",
                         "10 parsecs",
                         "2026-11-24T",
                         "@",
                         "@-1",
                         "@1x",
                         "@99999999999999999999",
                         "@9223372036854775807",
                         "+300000y",
                         "+",
                         "ago",
                         "2026-11-24T13:12:12+9"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(clock_parse_when(bad[i], now, NULL, &us), ERR_INVAL, "%s", bad[i]);
}

Test(clock, durations_compound_as_systemd)
{
    static const struct {
        const char *s;
        int64_t us;
    } ok[] = {
        {"1m30s", 90 * CLOCK_US_PER_SEC},
        {"2h 5min", (2 * 3600 + 300) * CLOCK_US_PER_SEC},
        {"1h30", (3600 + 30) * CLOCK_US_PER_SEC}, /* systemd: a bare last number is seconds */
        {"1.5h", 5400 * CLOCK_US_PER_SEC},
        {"250 ms", 250000},
        {"1 s", CLOCK_US_PER_SEC},
        {"3days 4hours", (3 * 86400 + 4 * 3600) * CLOCK_US_PER_SEC},
        {"1w", 7 * 86400 * CLOCK_US_PER_SEC},
        {"1y", 31557600 * CLOCK_US_PER_SEC},
        {"1M", 2629800 * CLOCK_US_PER_SEC},
        {"10sec 5msec 7usec", 10005007},
        {"2hr 1minute 1second", (7200 + 61) * CLOCK_US_PER_SEC},
        {"0.001", 1000},
    };
    const char *bad[] = {"1 2", "1hh", "m", "1h-5m", "1.5.5", "1h,5m", "1H", "1 mins"};
    int64_t us;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_assert_eq(clock_parse_duration(ok[i].s, CLOCK_US_PER_SEC, &us), 0, "%s", ok[i].s);
        cr_assert_eq(us, ok[i].us, "%s: %lld", ok[i].s, (long long)us);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(clock_parse_duration(bad[i], CLOCK_US_PER_SEC, &us), ERR_INVAL, "%s", bad[i]);
    /* the sum of the parts overflows */
    cr_assert_eq(clock_parse_duration("200000y 200000y", CLOCK_US_PER_SEC, &us), ERR_INVAL);
    /* the default unit still applies to a lone number (config keys in ms) */
    cr_assert_eq(clock_parse_duration("5", 1000, &us), 0);
    cr_assert_eq(us, 5000);
}

Test(clock, when_epoch_relative_and_named_days_in_utc)
{
    int64_t now = 1795525932000000LL; /* 2026-11-24T13:12:12Z */
    int64_t midnight = now - (13 * 3600 + 12 * 60 + 12) * CLOCK_US_PER_SEC;
    int64_t us;

    cr_assert_eq(clock_parse_when("@1795525932.5", now, NULL, &us), 0);
    cr_assert_eq(us, now + 500000);
    cr_assert_eq(clock_parse_when("@0", now, NULL, &us), 0);
    cr_assert_eq(us, 0);
    cr_assert_eq(clock_parse_when("today", now, NULL, &us), 0);
    cr_assert_eq(us, midnight);
    cr_assert_eq(clock_parse_when("yesterday", now, NULL, &us), 0);
    cr_assert_eq(us, midnight - 86400 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("tomorrow", now, NULL, &us), 0);
    cr_assert_eq(us, midnight + 86400 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("-1h30m", now, NULL, &us), 0);
    cr_assert_eq(us, now - 5400 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("1m30s", now, NULL, &us), 0);
    cr_assert_eq(us, now - 90 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("2h 5min ago", now, NULL, &us), 0);
    cr_assert_eq(us, now - 7500 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("+1h", now, NULL, &us), 0);
    cr_assert_eq(us, now + 3600 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("10 m", now, NULL, &us), 0);
    cr_assert_eq(us, now - 600 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("09:30", now, NULL, &us), 0, "a time alone is today");
    cr_assert_eq(us, midnight + 9 * 3600 * CLOCK_US_PER_SEC + 30 * 60 * CLOCK_US_PER_SEC);
    {
        /* an age too long for the " ago" copy is refused, not cut */
        char longer[200];
        memset(longer, '1', sizeof(longer));
        memcpy(longer + sizeof(longer) - 6, "s ago", 6);
        cr_assert_eq(clock_parse_when(longer, now, NULL, &us), ERR_INVAL);
    }
    cr_assert_eq(clock_parse_when("2026-11-24 13:12:12 UTC", now, clock_local_offset, &us), 0);
    cr_assert_eq(us, now, "an explicit UTC is UTC whatever the local zone");
}

/* A zone of the shape of central Europe in 2026, as pure data: +1h, +2h
 * from 2026-03-29T01:00Z, +1h again from 2026-10-25T01:00Z. */
#define SPRING 1774746000LL /* 2026-03-29T01:00:00Z */
#define AUTUMN 1792890000LL /* 2026-10-25T01:00:00Z */
static int fake_cet(int64_t utc_s, int32_t *off)
{
    *off = utc_s >= SPRING && utc_s < AUTUMN ? 7200 : 3600;
    return 0;
}

static int failing_zone(int64_t utc_s, int32_t *off)
{
    (void)utc_s;
    (void)off;
    return ERR_INVAL;
}

Test(clock, local_to_utc_resolves_the_gap_and_the_fold)
{
    int64_t day = clock_days_from_civil(2026, 3, 29) * 86400, u;

    cr_assert_eq(clock_local_to_utc(day + 3600 + 1800, fake_cet, &u), 0); /* 01:30 */
    cr_assert_eq(u, SPRING - 1800);
    /* 02:30 does not exist: read with +1h, so 01:30Z, which shows 03:30 */
    cr_assert_eq(clock_local_to_utc(day + 2 * 3600 + 1800, fake_cet, &u), 0);
    cr_assert_eq(u, SPRING + 1800);
    cr_assert_eq(clock_local_to_utc(day + 3 * 3600 + 1800, fake_cet, &u), 0); /* 03:30 */
    cr_assert_eq(u, SPRING + 1800);
    day = clock_days_from_civil(2026, 10, 25) * 86400;
    /* 02:30 is shown twice: the first, on summer time, 00:30Z */
    cr_assert_eq(clock_local_to_utc(day + 2 * 3600 + 1800, fake_cet, &u), 0);
    cr_assert_eq(u, AUTUMN - 1800);
    cr_assert_eq(clock_local_to_utc(day + 3 * 3600, fake_cet, &u), 0); /* 03:00 */
    cr_assert_eq(u, AUTUMN + 3600);
    cr_assert_eq(clock_local_to_utc(day + 3600 + 1800, fake_cet, &u), 0); /* 01:30 */
    cr_assert_eq(u, AUTUMN - 5400);
    cr_assert_eq(clock_local_to_utc(day, NULL, &u), 0);
    cr_assert_eq(u, day);
    cr_assert_eq(clock_local_to_utc(day, failing_zone, &u), ERR_INVAL);
    cr_assert_eq(clock_parse_when("2026-10-25 03:00", 0, failing_zone, &u), ERR_INVAL);
}

Test(clock, formats_in_a_zone_with_its_offset)
{
    char buf[CLOCK_ZONED_LEN], sh[CLOCK_SHORT_LEN];

    clock_format_zoned(SPRING * CLOCK_US_PER_SEC - 1, fake_cet, buf);
    cr_assert_str_eq(buf, "2026-03-29T01:59:59.999999+01:00");
    clock_format_zoned(SPRING * CLOCK_US_PER_SEC, fake_cet, buf);
    cr_assert_str_eq(buf, "2026-03-29T03:00:00.000000+02:00");
    clock_format_zoned(SPRING * CLOCK_US_PER_SEC, NULL, buf);
    cr_assert_str_eq(buf, "2026-03-29T01:00:00.000000Z");
    clock_format_zoned(SPRING * CLOCK_US_PER_SEC, failing_zone, buf);
    cr_assert_str_eq(buf, "2026-03-29T01:00:00.000000Z", "a zone that fails: UTC, said so");
    clock_format_short(AUTUMN * CLOCK_US_PER_SEC - 1, fake_cet, sh);
    cr_assert_str_eq(sh, "Oct 25 02:59:59");
    clock_format_short(AUTUMN * CLOCK_US_PER_SEC, fake_cet, sh);
    cr_assert_str_eq(sh, "Oct 25 02:00:00");
    clock_format_short(AUTUMN * CLOCK_US_PER_SEC, NULL, sh);
    cr_assert_str_eq(sh, "Oct 25 01:00:00");
}

/* Sets TZ for this test's process, or skips when tzdata lacks the zone. */
static void use_tz(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    if (access(path, R_OK) != 0)
        cr_skip_test("no tzdata for %s at %s (install tzdata)", name, path);
    setenv("TZ", name, 1);
    tzset();
}

static int64_t at(const char *s)
{
    int64_t us;
    cr_assert_eq(clock_parse_when(s, 0, NULL, &us), 0, "%s", s);
    return us;
}

static int64_t local_at(const char *s, int64_t now)
{
    int64_t us;
    cr_assert_eq(clock_parse_when(s, now, clock_local_offset, &us), 0, "%s", s);
    return us;
}

Test(clock, berlin_local_times_and_dst_edges)
{
    char buf[CLOCK_ZONED_LEN], sh[CLOCK_SHORT_LEN];
    int64_t now;

    use_tz("Europe/Berlin");
    cr_assert_eq(local_at("2026-12-02 06:50:12", 0), at("2026-12-02T05:50:12Z"));
    cr_assert_eq(local_at("2026-07-01T12:00", 0), at("2026-07-01T10:00Z"));
    cr_assert_eq(local_at("2026-12-02", 0), at("2026-12-01T23:00Z"));
    cr_assert_eq(local_at("2026-12-02T06:50:12Z", 0), at("2026-12-02T06:50:12Z"));
    /* the gap (02:00 -> 03:00): as mktime, 02:30 is 03:30 summer time */
    cr_assert_eq(local_at("2026-03-29 02:30", 0), at("2026-03-29T01:30Z"));
    cr_assert_eq(local_at("2026-03-29 03:00", 0), at("2026-03-29T01:00Z"));
    cr_assert_eq(local_at("2026-03-29 01:59:59", 0), at("2026-03-29T00:59:59Z"));
    /* the fold (03:00 -> 02:00): the first 02:30, still summer time */
    cr_assert_eq(local_at("2026-10-25 02:30", 0), at("2026-10-25T00:30Z"));
    cr_assert_eq(local_at("2026-10-25 03:00", 0), at("2026-10-25T02:00Z"));
    /* today on the day of the gap: midnight was still winter time */
    now = at("2026-03-29T12:00Z");
    cr_assert_eq(local_at("today", now), at("2026-03-28T23:00Z"));
    cr_assert_eq(local_at("yesterday", now), at("2026-03-27T23:00Z"));
    cr_assert_eq(local_at("tomorrow", now), at("2026-03-29T22:00Z"));
    /* 23:30Z on Dec 31 is already the next day in Berlin */
    now = at("2026-12-31T23:30Z");
    cr_assert_eq(local_at("today", now), at("2026-12-31T23:00Z"));
    cr_assert_eq(local_at("10:00", now), at("2027-01-01T09:00Z"));
    clock_format_zoned(at("2026-12-02T05:50:12.25Z"), clock_local_offset, buf);
    cr_assert_str_eq(buf, "2026-12-02T06:50:12.250000+01:00");
    clock_format_zoned(at("2026-07-01T10:00Z"), clock_local_offset, buf);
    cr_assert_str_eq(buf, "2026-07-01T12:00:00.000000+02:00");
    clock_format_short(at("2026-12-02T05:50:12Z"), clock_local_offset, sh);
    cr_assert_str_eq(sh, "Dec 02 06:50:12");
}

Test(clock, new_york_local_times_and_dst_edges)
{
    char buf[CLOCK_ZONED_LEN];
    int32_t off;

    use_tz("America/New_York");
    cr_assert_eq(clock_local_offset(at("2026-01-15T12:00Z") / CLOCK_US_PER_SEC, &off), 0);
    cr_assert_eq(off, -5 * 3600);
    cr_assert_eq(clock_local_offset(at("2026-07-15T12:00Z") / CLOCK_US_PER_SEC, &off), 0);
    cr_assert_eq(off, -4 * 3600);
    cr_assert_eq(local_at("2026-12-02 06:50", 0), at("2026-12-02T11:50Z"));
    /* the gap, 2026-03-08 02:00 -> 03:00 */
    cr_assert_eq(local_at("2026-03-08 02:30", 0), at("2026-03-08T07:30Z"));
    /* the fold, 2026-11-01 02:00 -> 01:00: the first 01:30, EDT */
    cr_assert_eq(local_at("2026-11-01 01:30", 0), at("2026-11-01T05:30Z"));
    cr_assert_eq(local_at("2026-11-01 02:00", 0), at("2026-11-01T07:00Z"));
    clock_format_zoned(at("2026-11-01T05:30Z"), clock_local_offset, buf);
    cr_assert_str_eq(buf, "2026-11-01T01:30:00.000000-04:00");
    clock_format_zoned(at("2026-11-01T06:30Z"), clock_local_offset, buf);
    cr_assert_str_eq(buf, "2026-11-01T01:30:00.000000-05:00");
}

/* Every quarter hour of 2026 reads as mktime reads it, but in a fold,
 * where mktime's choice varies between zones and calls (glibc takes the
 * second 02:30 in Berlin, the first 01:30 in New York) and either reading
 * shows that wall time. */
Test(clock, local_to_utc_agrees_with_mktime)
{
    const char *zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"};
    int64_t first = clock_days_from_civil(2026, 1, 1) * 86400;

    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        use_tz(zones[z]);
        for (int64_t wall = first; wall < first + 365 * 86400; wall += 900) {
            time_t w = (time_t)wall, t;
            struct tm tm;
            int64_t ours;
            int32_t o_ours, o_t;

            gmtime_r(&w, &tm); /* the wall time's fields */
            tm.tm_isdst = -1;
            t = mktime(&tm);
            cr_assert_eq(clock_local_to_utc(wall, clock_local_offset, &ours), 0);
            if ((int64_t)t == ours)
                continue;
            cr_assert_eq(clock_local_offset(ours, &o_ours), 0);
            cr_assert_eq(clock_local_offset((int64_t)t, &o_t), 0);
            cr_assert(ours + o_ours == wall && (int64_t)t + o_t == wall && ours < (int64_t)t,
                      "%s, wall %lld: ours %lld, mktime %lld (not a fold)", zones[z],
                      (long long)wall, (long long)ours, (long long)t);
        }
    }
}

/* A whole part at the limit plus a fraction: refused, without the signed
 * overflow UBSan saw before the range check. */
Test(clock, a_duration_just_over_the_limit_is_refused_without_overflow)
{
    int64_t us = -1;

    cr_assert_eq(clock_parse_duration("9223372036854.9s", CLOCK_US_PER_SEC, &us), ERR_INVAL);
    cr_assert_eq(clock_parse_duration("9223372036854.775807s", CLOCK_US_PER_SEC, &us), 0);
    cr_assert_eq(us, INT64_MAX);
    cr_assert_eq(clock_parse_duration("9223372036854.775808s", CLOCK_US_PER_SEC, &us), ERR_INVAL);
}
