/* The event log's shared logic (classes, the `eventlog` key) and the
 * failure note the Windows service leaves for `svcd start|status`. */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "eventlog.h"
#include "failnote.h"
#include "run.h"
#include "tmpdir.h"

Test(eventlog, classes_parse_lists_all_and_none)
{
    unsigned m = 99;
    char err[256];

    cr_assert_eq(eventlog_parse_classes("lifecycle,audit,failures", &m, err, sizeof(err)), 0);
    cr_assert_eq(m, EVENTLOG_CLASSES_DEFAULT);
    cr_assert_eq(eventlog_parse_classes(" failures , clients ", &m, err, sizeof(err)), 0);
    cr_assert_eq(m, EVENTLOG_CLASS_FAILURES | EVENTLOG_CLASS_CLIENTS);
    cr_assert_eq(eventlog_parse_classes("all", &m, err, sizeof(err)), 0);
    cr_assert_eq(m, EVENTLOG_CLASSES_ALL);
    cr_assert_eq(eventlog_parse_classes("none", &m, err, sizeof(err)), 0);
    cr_assert_eq(m, 0);
}

Test(eventlog, unknown_or_empty_classes_are_errors_naming_what_is_accepted)
{
    unsigned m = 7;
    char err[256];

    cr_assert_eq(eventlog_parse_classes("lifecycle,heartbeats", &m, err, sizeof(err)), ERR_INVAL);
    cr_assert_str_eq(err, "unknown class 'heartbeats' (a comma-separated list of "
                          "lifecycle, audit, failures, clients; or all, or none)");
    cr_assert_eq(m, 7, "unchanged on error");
    cr_assert_eq(eventlog_parse_classes("audit,,failures", &m, err, sizeof(err)), ERR_INVAL);
    cr_assert(strstr(err, "empty class") != NULL, "%s", err);
    cr_assert_eq(eventlog_parse_classes("", &m, err, sizeof(err)), ERR_INVAL);
    cr_assert_eq(eventlog_parse_classes("none,audit", &m, err, sizeof(err)), ERR_INVAL);
    cr_assert(strstr(err, "stand alone") != NULL, "%s", err);
    cr_assert_eq(eventlog_parse_classes("Lifecycle", &m, err, sizeof(err)), ERR_INVAL);
}

Test(eventlog, classes_format_back)
{
    char buf[EVENTLOG_CLASSES_TEXT_MAX];
    unsigned m;
    char err[256];

    eventlog_format_classes(EVENTLOG_CLASSES_DEFAULT, buf, sizeof(buf));
    cr_assert_str_eq(buf, "lifecycle,audit,failures");
    eventlog_format_classes(0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "none");
    eventlog_format_classes(EVENTLOG_CLASSES_ALL, buf, sizeof(buf));
    cr_assert_eq(eventlog_parse_classes(buf, &m, err, sizeof(err)), 0);
    cr_assert_eq(m, EVENTLOG_CLASSES_ALL);
}

Test(eventlog, every_kind_has_a_class_and_heartbeats_none)
{
    for (int k = 0; k < EVENTLOG_KINDS; k++) {
        unsigned c = eventlog_class_of((enum eventlog_kind)k);
        cr_assert(c != 0 && (c & EVENTLOG_CLASSES_ALL) == c, "kind %d", k);
    }
    cr_assert_eq(eventlog_class_of(EVENTLOG_PAUSED), EVENTLOG_CLASS_LIFECYCLE);
    cr_assert_eq(eventlog_class_of(EVENTLOG_DENIED), EVENTLOG_CLASS_AUDIT);
    cr_assert_eq(eventlog_class_of(EVENTLOG_START_FAILED), EVENTLOG_CLASS_FAILURES);
    cr_assert_eq(eventlog_class_of(EVENTLOG_DEGRADED), EVENTLOG_CLASS_FAILURES);
    cr_assert_eq(eventlog_class_of(EVENTLOG_CUT_OFF), EVENTLOG_CLASS_CLIENTS);
    /* Client cut-offs are opt-in: one user's process can cause many. */
    cr_assert_eq(EVENTLOG_CLASSES_DEFAULT & EVENTLOG_CLASS_CLIENTS, 0);
}

Test(eventlog, config_key_defaults_and_validates)
{
    struct config c;
    char err[CONFIG_ERR_MAX];

    config_defaults(&c, 1);
    cr_assert_eq(c.eventlog, EVENTLOG_CLASSES_DEFAULT);
    cr_assert_eq(config_parse(&c, "eventlog = failures\n", 20, "svcd.conf", err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_eq(c.eventlog, EVENTLOG_CLASS_FAILURES);
    cr_assert_eq(
        config_parse(&c, "\neventlog = lifecycle,hearbeats\n", 32, "svcd.conf", err, sizeof(err)),
        ERR_INVAL);
    cr_assert_str_eq(err, "svcd.conf:2: eventlog: unknown class 'hearbeats' (a comma-separated "
                          "list of lifecycle, audit, failures, clients; or all, or none)");
    cr_assert_eq(c.eventlog, EVENTLOG_CLASS_FAILURES, "a bad value changes nothing");
    cr_assert_not_null(config_key_by_flag("--eventlog"));
}

Test(failnote, format_and_parse_round_trip)
{
    char buf[FAILNOTE_TEXT_MAX + 16], text[FAILNOTE_TEXT_MAX];
    int code = 0;

    failnote_format(RUN_EXIT_CONFIG,
                    "C:\\ProgramData\\svcd\\svcd.conf:3: unknown key 'colour'\r\nx", buf,
                    sizeof(buf));
    cr_assert_str_eq(buf, "2 C:\\ProgramData\\svcd\\svcd.conf:3: unknown key 'colour'\n");
    cr_assert_eq(failnote_parse(buf, strlen(buf), &code, text, sizeof(text)), 0);
    cr_assert_eq(code, 2);
    cr_assert_str_eq(text, "C:\\ProgramData\\svcd\\svcd.conf:3: unknown key 'colour'");
    cr_assert_eq(failnote_parse("x y", 3, &code, text, sizeof(text)), ERR_INVAL);
    cr_assert_eq(failnote_parse("2 ", 2, &code, text, sizeof(text)), ERR_INVAL);
    cr_assert_eq(failnote_parse("2", 1, &code, text, sizeof(text)), ERR_INVAL);
    cr_assert_eq(failnote_parse("2 abcdef", 8, &code, text, 4), ERR_INVAL, "too long for text");
}

Test(failnote, write_read_clear_and_stale_codes)
{
    char dir[256], text[FAILNOTE_TEXT_MAX];

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(failnote_read(dir, RUN_EXIT_CONFIG, text, sizeof(text)), ERR_NOENT);
    cr_assert_eq(failnote_write(dir, RUN_EXIT_CONFIG, "svcd.conf:3: unknown key 'colour'"), 0);
    cr_assert_eq(failnote_read(dir, RUN_EXIT_CONFIG, text, sizeof(text)), 0);
    cr_assert_str_eq(text, "svcd.conf:3: unknown key 'colour'");
    /* The SCM says the service failed for another reason: this note is not
     * about that failure. */
    cr_assert_eq(failnote_read(dir, RUN_EXIT_ENDPOINT, text, sizeof(text)), ERR_NOENT);
    cr_assert_eq(failnote_write(dir, RUN_EXIT_ENDPOINT, "already running"), 0);
    cr_assert_eq(failnote_read(dir, RUN_EXIT_ENDPOINT, text, sizeof(text)), 0);
    cr_assert_str_eq(text, "already running");
    cr_assert_eq(failnote_clear(dir), 0);
    cr_assert_eq(failnote_read(dir, RUN_EXIT_ENDPOINT, text, sizeof(text)), ERR_NOENT);
    cr_assert_eq(failnote_clear(dir), 0, "clearing nothing is fine");
    tmpdir_remove(dir);
}

Test(failnote, exit_codes_are_documented_phrases)
{
    cr_assert_str_eq(run_exit_text(RUN_EXIT_CONFIG), "configuration error");
    cr_assert_str_eq(run_exit_text(RUN_EXIT_DATA_DIR), "data folder error");
    cr_assert_str_eq(run_exit_text(RUN_EXIT_ENDPOINT), "endpoint error");
    cr_assert_str_eq(run_exit_text(RUN_EXIT_LOG), "log error");
    cr_assert_str_eq(run_exit_text(RUN_EXIT_FAILED), "stopped on an error");
    cr_assert_str_eq(run_exit_text(RUN_EXIT_UNSAFE), "unsafe permissions");
    cr_assert_eq(RUN_EXIT_CONFIG, 2);
    cr_assert_eq(RUN_EXIT_DATA_DIR, 3);
    cr_assert_eq(RUN_EXIT_ENDPOINT, 4);
    cr_assert_eq(RUN_EXIT_LOG, 5);
    cr_assert_eq(RUN_EXIT_UNSAFE, 6);
}
