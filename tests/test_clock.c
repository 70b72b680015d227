#include <criterion/criterion.h>
#include <string.h>

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
    const char *bad[] = {"", "-1", "abc", "1x", "1.", ".5", "99999999999999999999", "1 s"};
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

    cr_assert_eq(clock_parse_when("2026-11-24T13:12:12Z", now, &us), 0);
    cr_assert_eq(us, now);
    cr_assert_eq(clock_parse_when("2026-11-24 22:12:12.5+09:00", now, &us), 0);
    cr_assert_eq(us, now + 500000);
    cr_assert_eq(clock_parse_when("2026-11-24T13:12", now, &us), 0, "no zone: UTC");
    cr_assert_eq(us, now - 12000000);
    cr_assert_eq(clock_parse_when("2026-11-24", now, &us), 0);
    cr_assert_eq(us, now - (13 * 3600 + 12 * 60 + 12) * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("2026-11-24T08:12:12-0500", now, &us), 0);
    cr_assert_eq(us, now);
    cr_assert_eq(clock_parse_when("10m", now, &us), 0);
    cr_assert_eq(us, now - 600 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("-2h", now, &us), 0);
    cr_assert_eq(us, now - 7200 * CLOCK_US_PER_SEC);
    cr_assert_eq(clock_parse_when("now", now, &us), 0);
    cr_assert_eq(us, now);
    const char *bad[] = {"",
                         "yesterday",
                         "2026-13-01",
                         "2026-11-24T25:00",
                         "2026-11-24T13:12Q",
                         "2026-11-24X",
                         "10 m",
                         "2026-11-24T13:12:12+9"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(clock_parse_when(bad[i], now, &us), ERR_INVAL, "%s", bad[i]);
}
