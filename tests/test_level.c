#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "level.h"
#include "logfilter.h"

Test(level, names_once_for_service_and_client)
{
    int l;

    cr_assert_str_eq(level_name(LEVEL_WARNING), "warning");
    cr_assert_str_eq(level_name(0), "info");
    cr_assert_str_eq(level_name(9), "info");
    cr_assert_str_eq(logline_level_name(LOG_ERROR), "error");
    cr_assert_eq(level_parse("notice", 6, &l), 0);
    cr_assert_eq(l, LEVEL_NOTICE);
    cr_assert_eq(level_parse("noticex", 6, &l), 0, "n bytes only");
    cr_assert_eq(level_parse("err", 3, &l), ERR_INVAL, "journalctl's names are priorities");
}

Test(level, journalctl_priorities_map_onto_levels)
{
    static const struct {
        const char *p;
        int level;
    } cases[] = {{"emerg", LEVEL_ERROR}, {"0", LEVEL_ERROR},       {"alert", LEVEL_ERROR},
                 {"crit", LEVEL_ERROR},  {"2", LEVEL_ERROR},       {"err", LEVEL_ERROR},
                 {"3", LEVEL_ERROR},     {"error", LEVEL_ERROR},   {"warning", LEVEL_WARNING},
                 {"4", LEVEL_WARNING},   {"notice", LEVEL_NOTICE}, {"5", LEVEL_NOTICE},
                 {"info", LEVEL_INFO},   {"6", LEVEL_INFO},        {"debug", LEVEL_DEBUG},
                 {"7", LEVEL_DEBUG}};
    int l;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_assert_eq(level_from_priority(cases[i].p, &l), 0, "%s", cases[i].p);
        cr_assert_eq(l, cases[i].level, "%s", cases[i].p);
    }
    cr_assert_eq(level_from_priority("8", &l), ERR_INVAL);
    cr_assert_eq(level_from_priority("07", &l), ERR_INVAL);
    cr_assert_eq(level_from_priority("", &l), ERR_INVAL);
    cr_assert_eq(level_from_priority("warn", &l), ERR_INVAL);
}

Test(level, filter_upper_bound)
{
    struct logfilter f;
    struct log_entry e;

    memset(&f, 0, sizeof(f));
    memset(&e, 0, sizeof(e));
    e.msg = "m";
    e.msg_len = 1;
    f.min_level = LOG_INFO;
    f.max_level = LOG_NOTICE;
    cr_assert_not(logfilter_is_all(&f));
    e.level = LOG_DEBUG;
    cr_assert_not(logfilter_match(&f, &e));
    e.level = LOG_INFO;
    cr_assert(logfilter_match(&f, &e));
    e.level = LOG_NOTICE;
    cr_assert(logfilter_match(&f, &e));
    e.level = LOG_WARNING;
    cr_assert_not(logfilter_match(&f, &e), "above the range");
    f.min_level = 0;
    cr_assert_not(logfilter_is_all(&f), "an upper bound alone is a filter");
}
