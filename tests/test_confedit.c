/* confedit: setting keys of svcd.conf in place, every other byte kept. */
#include <criterion/criterion.h>
#include <string.h>

#include "confedit.h"
#include "err.h"

/* Applies `sets` to `text`; returns the result (static) or NULL with err. */
static const char *edit(const char *text, const struct confedit_set *sets, size_t nsets, char *err)
{
    static struct sbuf out;

    sbuf_free(&out);
    sbuf_init(&out, 0);
    if (confedit_apply(text, text ? strlen(text) : 0, sets, nsets, "svcd.conf", &out, err,
                       CONFIG_ERR_MAX) < 0)
        return NULL;
    return sbuf_str(&out);
}

Test(confedit, replaces_an_existing_line_keeping_everything_else)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";
    const char *r =
        edit("# header\r\n\r\n  interval=250ms\r\nrotate_keep = 3\r\n# end\r\n", s, 1, err);

    cr_assert_not_null(r, "%s", err);
    cr_assert_str_eq(r, "# header\r\n\r\ninterval = 5s\r\nrotate_keep = 3\r\n# end\r\n");
}

Test(confedit, appends_a_missing_key_with_the_files_line_ending)
{
    const struct confedit_set s[] = {{"interval", "5s"}, {"state_dir", "D:\\svcd logs"}};
    char err[CONFIG_ERR_MAX] = "";

    /* The commented example stays a comment; the new line goes at the end. */
    cr_assert_str_eq(
        edit("# interval = 1s\nrotate_keep = 3\n", s, 2, err),
        "# interval = 1s\nrotate_keep = 3\ninterval = 5s\nstate_dir = D:\\svcd logs\n");
    cr_assert_str_eq(edit("# interval = 1s\r\n", s, 1, err),
                     "# interval = 1s\r\ninterval = 5s\r\n");
}

Test(confedit, a_last_line_without_a_line_ending_gets_one_first)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit("rotate_keep = 3\r\nmax_tail = 9", s, 1, err),
                     "rotate_keep = 3\r\nmax_tail = 9\r\ninterval = 5s\r\n");
}

Test(confedit, a_missing_or_empty_file_gets_crlf_lines)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit(NULL, s, 1, err), "interval = 5s\r\n");
    cr_assert_str_eq(edit("", s, 1, err), "interval = 5s\r\n");
}

Test(confedit, no_set_changes_nothing)
{
    const char *text = "# only\r\ninterval = 2s\n;odd but kept\r\n";
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit(text, NULL, 0, err), text);
}

Test(confedit, keeps_a_utf8_bom_and_edits_the_first_line_behind_it)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";
    const char *r =
        edit("\xEF\xBB\xBFinterval = 1s\r\nheartbeat_message = 구동중 {n}\r\n", s, 1, err);

    cr_assert_not_null(r, "%s", err);
    cr_assert_str_eq(r, "\xEF\xBB\xBFinterval = 5s\r\nheartbeat_message = 구동중 {n}\r\n");
    cr_assert_str_eq(edit("\xEF\xBB\xBF", s, 1, err), "\xEF\xBB\xBFinterval = 5s\r\n");
}

Test(confedit, a_file_with_a_key_set_twice_is_refused)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";

    /* svcd refuses such a file, so configure neither writes one nor picks
     * which of the two lines the administrator meant. */
    cr_assert_null(edit("interval = 1s\ninterval = 2s\n", s, 1, err));
    cr_assert_str_eq(err, "svcd.conf:2: 'interval' is set again (first set on line 1)");
}

Test(confedit, the_last_set_of_a_key_wins)
{
    const struct confedit_set s[] = {{"interval", "5s"}, {"interval", "6s"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit("", s, 2, err), "interval = 6s\r\n");
    cr_assert_str_eq(edit("interval = 1s\n", s, 2, err), "interval = 6s\n");
}

Test(confedit, a_similar_key_is_not_the_key)
{
    const struct confedit_set s[] = {{"rotate_keep", "4"}};
    char err[CONFIG_ERR_MAX] = "";

    /* Not replaced: the parser then names the line. */
    cr_assert_null(edit("rotate_keepx = 1\n", s, 1, err));
    /* (The list of known keys that follows is test_config's business.) */
    static const char want[] = "svcd.conf:1: unknown key 'rotate_keepx' (known keys: ";
    cr_assert(strncmp(err, want, sizeof(want) - 1) == 0, "%s", err);
}

Test(confedit, values_the_parser_would_change_are_quoted)
{
    const struct confedit_set s[] = {{"heartbeat_message", "  padded {n} "},
                                     {"state_dir", "\"quoted\""}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit(NULL, s, 2, err),
                     "heartbeat_message = \"  padded {n} \"\r\nstate_dir = \"\"quoted\"\"\r\n");
}

Test(confedit, an_sddl_is_written_as_it_is)
{
    const struct confedit_set s[] = {{"control_sddl", "O:SYG:SYD:(A;;0x3;;;SY)(A;;0x1;;;WD)"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_str_eq(edit("# x\n", s, 1, err),
                     "# x\ncontrol_sddl = O:SYG:SYD:(A;;0x3;;;SY)(A;;0x1;;;WD)\n");
}

Test(confedit, a_bad_value_is_refused_with_the_parsers_reason)
{
    const struct confedit_set bad[] = {{"interval", "abc"}};
    const struct confedit_set low[] = {{"interval", "1ms"}};
    const struct confedit_set unknown[] = {{"colour", "blue"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_null(edit("interval = 1s\n", bad, 1, err));
    cr_assert_str_eq(err, "interval: 'abc' is not a duration (examples: 1, 0.5, 250ms, 2s, 1m)");
    cr_assert_null(edit(NULL, low, 1, err));
    cr_assert_str_eq(err, "interval: '1ms' is out of range (10ms to 1d)");
    cr_assert_null(edit(NULL, unknown, 1, err));
    cr_assert(strncmp(err, "unknown key 'colour'", 20) == 0, "%s", err);
}

Test(confedit, a_line_break_in_a_value_cannot_add_a_line)
{
    const struct confedit_set s[] = {{"heartbeat_message", "x\r\ncontrol_sddl = D:"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_null(edit(NULL, s, 1, err));
    cr_assert_str_eq(err, "heartbeat_message: the value must be one line");
}

Test(confedit, a_bad_line_already_in_the_file_is_named)
{
    const struct confedit_set s[] = {{"interval", "5s"}};
    char err[CONFIG_ERR_MAX] = "";

    cr_assert_null(edit("interval = 1s\ncolour = blue\n", s, 1, err));
    cr_assert(strncmp(err, "svcd.conf:2: unknown key 'colour'", 33) == 0, "%s", err);
}

static const char *quoted(const char *arg)
{
    static struct sbuf out;

    sbuf_free(&out);
    sbuf_init(&out, 0);
    cr_assert_eq(confedit_quote_arg(&out, arg), 0);
    return sbuf_str(&out);
}

Test(confedit, command_line_quoting_follows_commandlinetoargvw)
{
    cr_assert_str_eq(quoted("5s"), "\"5s\"");
    cr_assert_str_eq(quoted(""), "\"\"");
    cr_assert_str_eq(quoted("C:\\svcd data\\logs"), "\"C:\\svcd data\\logs\"");
    /* A trailing backslash would escape the closing quote: doubled. */
    cr_assert_str_eq(quoted("C:\\logs\\"), "\"C:\\logs\\\\\"");
    cr_assert_str_eq(quoted("a\"b"), "\"a\\\"b\"");
    cr_assert_str_eq(quoted("a\\\"b"), "\"a\\\\\\\"b\"");
    cr_assert_str_eq(quoted("O:SYD:(A;;0x3;;;SY)"), "\"O:SYD:(A;;0x3;;;SY)\"");
}
