/* pager.h's pure choices: colour or not, page or not, which pager, LESS;
 * and the colours themselves, and the options that ask for them. */
#include <criterion/criterion.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "output.h"
#include "pager.h"

Test(pager, color_auto_follows_terminal_term_and_no_color)
{
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, "xterm", NULL), 1);
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, NULL, NULL), 1, "TERM unset");
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 0, "xterm", NULL), 0, "not a terminal");
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, "dumb", NULL), 0, "TERM=dumb");
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, "xterm", "1"), 0, "NO_COLOR=1");
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, "xterm", "0"), 0,
                 "any non-empty NO_COLOR, even 0");
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_AUTO, 1, "xterm", ""), 1,
                 "an empty NO_COLOR does not disable (no-color.org)");
}

Test(pager, color_always_and_never_override_everything)
{
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_ALWAYS, 0, "dumb", "1"), 1);
    cr_assert_eq(pager_color_wanted(PAGER_COLOR_NEVER, 1, "xterm", NULL), 0);
}

Test(pager, color_names_parse_back)
{
    cr_assert_eq(pager_color_parse("auto"), PAGER_COLOR_AUTO);
    cr_assert_eq(pager_color_parse("always"), PAGER_COLOR_ALWAYS);
    cr_assert_eq(pager_color_parse("never"), PAGER_COLOR_NEVER);
    cr_assert_eq(pager_color_parse("yes"), -1);
    cr_assert_eq(pager_color_parse(""), -1);
    cr_assert_str_eq(pager_color_name(1), "always");
    cr_assert_null(pager_color_name(3));
}

Test(pager, pages_only_a_terminal_not_following_not_refused)
{
    cr_assert_eq(pager_wanted(0, 0, 1, "xterm"), 1);
    cr_assert_eq(pager_wanted(0, 0, 1, NULL), 1);
    cr_assert_eq(pager_wanted(1, 0, 1, "xterm"), 0, "--no-pager");
    cr_assert_eq(pager_wanted(0, 1, 1, "xterm"), 0, "-f is never paged");
    cr_assert_eq(pager_wanted(0, 0, 0, "xterm"), 0, "a pipe or a file");
    cr_assert_eq(pager_wanted(0, 0, 1, "dumb"), 0, "TERM=dumb");
}

Test(pager, systemd_pager_then_pager_then_the_default)
{
    cr_assert_str_eq(pager_pick("most", "more", "less"), "most");
    cr_assert_str_eq(pager_pick(NULL, "more -d", "less"), "more -d");
    cr_assert_str_eq(pager_pick(NULL, NULL, "less"), "less");
    cr_assert_null(pager_pick(NULL, NULL, NULL), "no default (Windows): no pager");
    cr_assert_str_eq(pager_pick(NULL, "  less -R", NULL), "less -R", "leading blanks");
}

Test(pager, empty_or_cat_means_no_pager)
{
    cr_assert_null(pager_pick("", "less", "less"), "SYSTEMD_PAGER= wins over PAGER");
    cr_assert_null(pager_pick(NULL, "", "less"));
    cr_assert_null(pager_pick(NULL, "cat", "less"));
    cr_assert_null(pager_pick("cat", "less", "less"));
    cr_assert_null(pager_pick(NULL, " \t ", "less"), "blank");
    cr_assert_null(pager_pick(NULL, " cat ", "less"));
    cr_assert_str_eq(pager_pick(NULL, "cat -v", "less"), "cat -v", "cat with options pages");
}

Test(pager, less_gets_journalctls_options_unless_the_user_set_their_own)
{
    cr_assert_str_eq(pager_less_value(NULL, NULL), "FRSXMK");
    cr_assert_str_eq(pager_less_value(NULL, "R"), "R");
    cr_assert_str_eq(pager_less_value(NULL, ""), "", "an empty LESS is the user's choice");
    cr_assert_str_eq(pager_less_value("FRX", "R"), "FRX", "SYSTEMD_LESS first");
}

Test(pager, plain_commands_split_into_words)
{
    char buf[64], *argv[4];

    cr_assert_eq(pager_split("less", buf, sizeof(buf), argv, 4), 1);
    cr_assert_str_eq(argv[0], "less");
    cr_assert_null(argv[1]);
    cr_assert_eq(pager_split("  /usr/bin/less  -R\t-S ", buf, sizeof(buf), argv, 4), 3);
    cr_assert_str_eq(argv[0], "/usr/bin/less");
    cr_assert_str_eq(argv[1], "-R");
    cr_assert_str_eq(argv[2], "-S");
    cr_assert_null(argv[3]);
}

Test(pager, shell_syntax_and_too_many_words_need_a_shell)
{
    char buf[64], *argv[4];
    const char *shellish[] = {"less 'a b'", "less \"x\"", "less | tee f", "a; b",     "$PAGER",
                              "less > f",   "a && b",     "less `x`",     "less \\x", "less *"};

    for (size_t i = 0; i < sizeof(shellish) / sizeof(shellish[0]); i++)
        cr_assert_eq(pager_split(shellish[i], buf, sizeof(buf), argv, 4), 0, "%s", shellish[i]);
    cr_assert_eq(pager_split("a b c d", buf, sizeof(buf), argv, 4), 0, "4 words, room for 3");
    cr_assert_eq(pager_split("a b c", buf, sizeof(buf), argv, 4), 3);
}

Test(pager, a_command_longer_than_the_buffer_is_refused)
{
    char buf[8], *argv[4];

    cr_assert_eq(pager_split("less -RSX", buf, sizeof(buf), argv, 4), -1);
    cr_assert_eq(pager_split("less -R", buf, sizeof(buf), argv, 4), 2, "7 bytes and NUL fit");
}

/* The colours by level, as journalctl's: error red, warning yellow, notice
 * bold, info plain, debug grey; JSON never. */
Test(colours, levels_are_coloured_like_journalctl)
{
    static const struct {
        Svcd__Level level;
        const char *want;
    } cases[] = {
        {SVCD__LEVEL__LEVEL_ERROR, "\033[1;31merror   svcd: m\033[0m\n"},
        {SVCD__LEVEL__LEVEL_WARNING, "\033[1;33mwarning svcd: m\033[0m\n"},
        {SVCD__LEVEL__LEVEL_NOTICE, "\033[1mnotice  svcd: m\033[0m\n"},
        {SVCD__LEVEL__LEVEL_INFO, "info    svcd: m\n"},
        {SVCD__LEVEL__LEVEL_DEBUG, "\033[90mdebug   svcd: m\033[0m\n"},
    };
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    struct sbuf b;

    e.source = "svcd";
    e.message = "m";
    e.json = "{\"seq\":1}";
    sbuf_init(&b, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        e.level = cases[i].level;
        sbuf_reset(&b);
        output_entry(&e, OUTPUT_SHORT_ISO, 1, &b);
        const char *sp = strchr(b.p, ' '); /* past the time */
        cr_assert_not_null(sp);
        cr_assert_str_eq(sp + 1, cases[i].want);
        sbuf_reset(&b);
        output_entry(&e, OUTPUT_JSON, 1, &b);
        cr_assert_str_eq(b.p, "{\"seq\":1}\n", "JSON as stored, never coloured");
        sbuf_reset(&b);
        output_entry(&e, OUTPUT_JSON_PRETTY, 1, &b);
        cr_assert_null(strchr(b.p, '\033'), "%s", b.p);
    }
    sbuf_free(&b);
}

Test(colours, status_dot_green_running_yellow_paused_grey_otherwise)
{
    Svcd__Status st = SVCD__STATUS__INIT;
    struct sbuf b;

    st.version = st.log_path = st.endpoint = st.paused_by = "";
    sbuf_init(&b, 0);
    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING;
    output_status(&st, 0, 0, 1, &b);
    cr_assert(strncmp(b.p, "\033[1;32m●\033[0m svcd", strlen("\033[1;32m●\033[0m svcd")) == 0, "%s",
              b.p);
    sbuf_reset(&b);
    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED;
    output_status(&st, 0, 0, 1, &b);
    cr_assert(strncmp(b.p, "\033[1;33m○\033[0m svcd", strlen("\033[1;33m○\033[0m svcd")) == 0, "%s",
              b.p);
    sbuf_reset(&b);
    st.state = SVCD__SERVICE_STATE__SERVICE_STATE_STOPPING;
    output_status(&st, 0, 0, 1, &b);
    cr_assert(strncmp(b.p, "\033[90m●\033[0m svcd", strlen("\033[90m●\033[0m svcd")) == 0, "%s",
              b.p);
    sbuf_reset(&b);
    output_status(&st, 0, 0, 0, &b);
    cr_assert_null(strchr(b.p, '\033'), "no colour asked: %s", b.p);
    sbuf_reset(&b);
    output_status(&st, 1, 0, 1, &b);
    cr_assert_null(strchr(b.p, '\033'), "JSON: %s", b.p);
    sbuf_free(&b);
}

Test(colours, color_and_no_pager_options_parse_anywhere)
{
    struct cli_opts o;
    char err[CLI_ERR_MAX];

    cr_assert_eq(
        cli_parse(3, (char *[]){"svcclient", "logs", "--color=never", NULL}, &o, err, sizeof(err)),
        0, "%s", err);
    cr_assert_eq(o.color, PAGER_COLOR_NEVER);
    cr_assert_eq(o.no_pager, 0);
    cr_assert_eq(
        cli_parse(5, (char *[]){"svcclient", "--no-pager", "--color", "always", "status", NULL}, &o,
                  err, sizeof(err)),
        0, "%s", err);
    cr_assert_eq(o.color, PAGER_COLOR_ALWAYS);
    cr_assert_eq(o.no_pager, 1);
    cr_assert_eq(cli_parse(2, (char *[]){"svcclient", "logs", NULL}, &o, err, sizeof(err)), 0);
    cr_assert_eq(o.color, PAGER_COLOR_AUTO, "auto by default");
    cr_assert_eq(
        cli_parse(3, (char *[]){"svcclient", "logs", "--color=yes", NULL}, &o, err, sizeof(err)),
        ERR_INVAL);
    cr_assert_str_eq(err, "--color: 'yes' is not auto, always or never");
    cr_assert_eq(
        cli_parse(3, (char *[]){"svcclient", "logs", "--no-pager=1", NULL}, &o, err, sizeof(err)),
        ERR_INVAL);
}

Test(pager, the_spool_grows_moves_what_is_left_to_the_front_and_stops_at_its_bound)
{
    struct pager_spool sp = {0};

    cr_assert_eq(pager_spool_room(&sp), 0);
    cr_assert_geq(sp.cap - sp.len, PAGER_SPOOL_CHUNK);
    memset(sp.buf, 'a', sp.cap);
    sp.len = sp.cap; /* full, nothing written yet: it grows */
    size_t cap = sp.cap;
    cr_assert_eq(pager_spool_room(&sp), 0);
    cr_assert_gt(sp.cap, cap);
    sp.buf[sp.len - 1] = 'z';
    sp.head = sp.len - 1; /* all but one byte written: that one moves to the front */
    cr_assert_eq(pager_spool_room(&sp), 0);
    cr_assert_eq(sp.head, 0);
    cr_assert_eq(sp.len, 1);
    cr_assert_eq(sp.buf[0], 'z', "the unwritten byte kept its value");
    while (sp.len - sp.head < PAGER_SPOOL_MAX) { /* a pager that reads nothing */
        cr_assert_eq(pager_spool_room(&sp), 0);
        sp.len = sp.cap;
    }
    cr_assert_eq(pager_spool_room(&sp), -1, "no more than PAGER_SPOOL_MAX is held");
    cr_assert_leq(sp.cap, PAGER_SPOOL_MAX);
    pager_spool_free(&sp);
    cr_assert_null(sp.buf);
}

Test(pager, reads_of_any_size_never_take_the_spool_past_its_bound)
{
    struct pager_spool sp = {0};
    size_t sizes[] = {40000, 1, 65536, 12345, 65535};
    int n = 0;

    for (; pager_spool_room(&sp) == 0; n++) { /* a pager that reads nothing */
        size_t got = sizes[n % 5];
        cr_assert_geq(sp.cap - sp.len, got);
        sp.len += got;
        cr_assert_leq(sp.len - sp.head, PAGER_SPOOL_MAX);
        if (n % 7 == 0 && sp.len - sp.head > 5000)
            sp.head += 5000; /* now and then it reads a little */
    }
    cr_assert_gt(n, 1000);
    cr_assert_leq(sp.cap, PAGER_SPOOL_MAX, "the buffer stays within the bound: %zu", sp.cap);
    cr_assert_gt(sp.len - sp.head + PAGER_SPOOL_CHUNK, PAGER_SPOOL_MAX,
                 "it is full when it says so");
    pager_spool_free(&sp);
}
