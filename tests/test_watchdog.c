/* systemd's watchdog: which WATCHDOG_USEC/WATCHDOG_PID ask svcd for
 * keep-alives, and when they fall due (half the interval). */
#include <criterion/criterion.h>

#include <string.h>

#include "err.h"
#include "sbuf.h"
#include "svcmgr.h"
#include "watchdog.h"

Test(watchdog, usec_and_our_pid_or_none_arm_it)
{
    uint64_t us = 99;

    cr_assert_eq(watchdog_parse("30000000", NULL, 42, &us), 0);
    cr_assert_eq(us, 30000000);
    cr_assert_eq(watchdog_parse("200000", "42", 42, &us), 0);
    cr_assert_eq(us, 200000);
    cr_assert_eq(watchdog_parse("200000", "", 42, &us), 0);
    cr_assert_eq(us, 200000);
}

Test(watchdog, another_pid_or_no_usec_leave_it_off)
{
    uint64_t us = 99;

    cr_assert_eq(watchdog_parse("200000", "43", 42, &us), 0);
    cr_assert_eq(us, 0, "meant for another process");
    cr_assert_eq(watchdog_parse(NULL, "42", 42, &us), 0);
    cr_assert_eq(us, 0);
    cr_assert_eq(watchdog_parse("", NULL, 42, &us), 0);
    cr_assert_eq(us, 0);
}

Test(watchdog, malformed_values_are_refused)
{
    const char *bad[] = {"0", "-1", "+5", " 5", "5s", "1e6", "99999999999999999999"};
    uint64_t us;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        us = 99;
        cr_assert_eq(watchdog_parse(bad[i], NULL, 42, &us), ERR_INVAL, "'%s'", bad[i]);
        cr_assert_eq(us, 0);
        cr_assert_eq(watchdog_parse("200000", bad[i], 42, &us), ERR_INVAL, "pid '%s'", bad[i]);
        cr_assert_eq(us, 0);
    }
    cr_assert_eq(watchdog_parse("9223372036854775808", NULL, 42, &us), ERR_INVAL);
}

Test(watchdog, due_at_once_then_every_half_interval)
{
    struct watchdog w;

    watchdog_init(&w, 200000, 1000);
    cr_assert_eq(watchdog_wait_us(&w, 1000), 0);
    cr_assert_eq(watchdog_due(&w, 1000), 1, "the first keep-alive goes at once");
    cr_assert_eq(watchdog_due(&w, 1001), 0);
    cr_assert_eq(watchdog_wait_us(&w, 1001), 99999);
    cr_assert_eq(watchdog_due(&w, 100999), 0);
    cr_assert_eq(watchdog_due(&w, 101000), 1);
    cr_assert_eq(watchdog_wait_us(&w, 500000), 0, "overdue: wake at once");
    cr_assert_eq(watchdog_due(&w, 500000), 1);
    cr_assert_eq(watchdog_wait_us(&w, 500000), 100000, "counted from the late one");
}

Test(watchdog, off_never_due_and_never_wakes)
{
    struct watchdog w;

    watchdog_init(&w, 0, 1000);
    cr_assert_eq(watchdog_due(&w, 1000), 0);
    cr_assert_eq(watchdog_wait_us(&w, 1000), -1);
}

/* WATCHDOG_USEC=1 once made the loop wake every millisecond (its shortest
 * wait) for as long as svcd ran. */
Test(watchdog, a_tiny_interval_never_makes_the_loop_spin)
{
    struct watchdog w;

    watchdog_init(&w, 1, 1000);
    cr_assert_eq(watchdog_due(&w, 1000), 1);
    cr_assert_eq(watchdog_wait_us(&w, 1000), WATCHDOG_MIN_EVERY_US);
    cr_assert_eq(watchdog_due(&w, 1000 + WATCHDOG_MIN_EVERY_US - 1), 0);
    cr_assert_eq(watchdog_due(&w, 1000 + WATCHDOG_MIN_EVERY_US), 1);
    watchdog_init(&w, 2 * WATCHDOG_MIN_EVERY_US + 2, 0);
    cr_assert_eq(watchdog_due(&w, 0), 1);
    cr_assert_eq(watchdog_wait_us(&w, 0), WATCHDOG_MIN_EVERY_US + 1, "above the floor: half");
}

/* The unit the .deb ships and `svcd install` writes (the same file). */
Test(watchdog, the_unit_asks_for_it)
{
    struct sbuf out;

    sbuf_init(&out, 1 << 16);
    cr_assert_eq(svcmgr_unit_text("/usr/bin/svcd", NULL, &out), 0);
    cr_assert(strstr(sbuf_str(&out), "\nWatchdogSec=30s\n") != NULL, "%s", sbuf_str(&out));
    sbuf_free(&out);
}
