/* The form of the programs' own stderr lines: as today for a terminal or a
 * file, sd-daemon(3) priority prefixes and no time stamp for the journal;
 * and the JOURNAL_STREAM test that tells the two apart. */
#include <criterion/criterion.h>

#include "diag.h"
#include "term.h"

Test(diagfmt, journal_lines_carry_the_sd_daemon_priority_and_no_stamp)
{
    char out[128];

    cr_assert_str_eq(diag_format(out, sizeof(out), 1, NULL, "svcd", DIAG_ERROR, "boom"),
                     "<3>error: boom");
    cr_assert_str_eq(diag_format(out, sizeof(out), 1, NULL, "svcd", DIAG_WARN, "hm"),
                     "<4>warning: hm");
    cr_assert_str_eq(diag_format(out, sizeof(out), 1, NULL, "svcd", DIAG_INFO, "up"),
                     "<6>info: up");
    cr_assert_str_eq(diag_format(out, sizeof(out), 1, NULL, "svcd", DIAG_DEBUG, "x"),
                     "<7>debug: x");
    cr_assert_str_eq(
        diag_format(out, sizeof(out), 1, "2026-12-02T03:30:00.000000Z", "svcd", DIAG_INFO, "up"),
        "<6>info: up", "the journal stamps its entries itself");
}

Test(diagfmt, other_lines_stay_as_they_were)
{
    char out[128];

    cr_assert_str_eq(diag_format(out, sizeof(out), 0, NULL, "svcd", DIAG_ERROR, "boom"),
                     "svcd: error: boom");
    cr_assert_str_eq(
        diag_format(out, sizeof(out), 0, "2026-12-02T03:30:00.000000Z", "svcd", DIAG_WARN, "hm"),
        "2026-12-02T03:30:00.000000Z svcd: warning: hm");
}

Test(diagfmt, a_long_line_is_cut_to_fit)
{
    char out[8];

    cr_assert_str_eq(diag_format(out, sizeof(out), 1, NULL, "svcd", DIAG_ERROR, "boom"), "<3>erro");
    cr_assert_str_eq(diag_format(out, 1, 0, NULL, "svcd", DIAG_ERROR, "boom"), "");
}

Test(diagfmt, journal_stream_names_device_and_inode_exactly)
{
    cr_assert_eq(term_journal_stream_is("8:1234", 8, 1234), 1);
    cr_assert_eq(term_journal_stream_is("0:18446744073709551615", 0, 18446744073709551615ULL), 1);
    cr_assert_eq(term_journal_stream_is("8:1235", 8, 1234), 0, "another inode");
    cr_assert_eq(term_journal_stream_is("9:1234", 8, 1234), 0, "another device");
    const char *bad[] = {"",        ":",       "8:",      ":1234",
                         "8:1234x", "8:1234 ", " 8:1234", "+8:1234",
                         "8:-1234", "81234",   "8::1234", "8:18446744073709551616"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(term_journal_stream_is(bad[i], 8, 1234), 0, "'%s' is malformed", bad[i]);
    cr_assert_eq(term_journal_stream_is(NULL, 8, 1234), 0, "unset");
}
