/* svcd.conf(5) and docs/configuration.md come from config.c's key table
 * (confdoc.c); these check that every key is in them, that no text of the
 * table can break the roff or the markdown, and that `svcd run --help`
 * prints the same table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "confdoc.h"
#include "usage.h"
#include "config.h"
#include "err.h"
#include "proc.h"

static char *man_page(void)
{
    static struct sbuf b;

    sbuf_free(&b);
    sbuf_init(&b, 0);
    cr_assert_eq(confdoc_man(&b, "9.8.7"), 0);
    return b.p;
}

/* "--max-tail" as roff writes it, "\-\-max\-tail"; and a break point after
 * each ')'. */
static void roffed(const char *s, char *out, size_t n)
{
    size_t o = 0;

    for (; *s && o + 4 < n; s++) {
        if (*s == '-')
            out[o++] = '\\';
        out[o++] = *s;
        if (*s == ')') {
            out[o++] = '\\';
            out[o++] = ':';
        }
    }
    out[o] = '\0';
}

Test(confdoc, every_help_has_its_default_and_no_line_break)
{
    char what[1024], def[1024];

    for (const struct config_key *k = config_keys(); k->key; k++) {
        cr_assert_eq(confdoc_split_help(k->help, what, sizeof(what), def, sizeof(def)), 0,
                     "%s: its help must end in '(default: ...)': %s", k->key, k->help);
        cr_assert_neq(def[0], '\0', "%s", k->key);
        cr_assert_null(strpbrk(k->help, "\n\r\t"), "%s: help", k->key);
        if (k->doc)
            cr_assert_null(strpbrk(k->doc, "\n\r\t"), "%s: doc", k->key);
    }
}

Test(confdoc, split_help_takes_the_last_default)
{
    char what[64], def[64];

    cr_assert_eq(
        confdoc_split_help("a (default: x) b (default: 10s)", what, sizeof(what), def, sizeof(def)),
        0);
    cr_assert_str_eq(what, "a (default: x) b");
    cr_assert_str_eq(def, "10s");
    cr_assert_eq(confdoc_split_help("no default here", what, sizeof(what), def, sizeof(def)),
                 ERR_INVAL);
    cr_assert_eq(confdoc_split_help("(default: 1)", what, sizeof(what), def, sizeof(def)),
                 ERR_INVAL);
    cr_assert_eq(confdoc_split_help("x (default: )", what, sizeof(what), def, sizeof(def)),
                 ERR_INVAL);
    cr_assert_eq(confdoc_split_help("a long meaning (default: 1)", what, 4, def, sizeof(def)),
                 ERR_NAMETOOLONG);
}

Test(confdoc, man_page_documents_every_key_with_flag_and_default)
{
    const char *man = man_page();
    char entry[128], flag[128], what[1024], def[1024], want[1200];

    cr_assert(strstr(man, ".TH SVCD.CONF 5 ") == man || strstr(man, "\n.TH SVCD.CONF 5 "));
    cr_assert_not_null(strstr(man, "\"svcd 9.8.7\""));
    for (const struct config_key *k = config_keys(); k->key; k++) {
        snprintf(entry, sizeof(entry), ".TP\n\\fB%s\\fR = \\fI", k->key);
        cr_assert_not_null(strstr(man, entry), "svcd.conf(5) has no entry for %s", k->key);
        roffed(k->flag, flag, sizeof(flag));
        snprintf(want, sizeof(want), "Flag: \\fB%s\\fR.", flag);
        cr_assert_not_null(strstr(man, want), "svcd.conf(5) does not name %s", k->flag);
        cr_assert_eq(confdoc_split_help(k->help, what, sizeof(what), def, sizeof(def)), 0);
        roffed(def, flag, sizeof(flag));
        snprintf(want, sizeof(want), "Default: %s.", flag);
        cr_assert_not_null(strstr(man, want), "svcd.conf(5): %s's default %s", k->key, def);
    }
    cr_assert_not_null(strstr(man, "ReadWritePaths=/srv/svcd"));
}

/* Every line that begins with a control character is one of the requests
 * the generator writes: no text from the table starts a request of its own. */
Test(confdoc, man_page_lines_are_text_or_known_requests)
{
    static const char *const known[] = {".TH ",  ".SH ",  ".TP\n", ".PP\n", ".br\n", ".nf\n",
                                        ".fi\n", ".RS\n", ".RE\n", ".B ",   ".I ",   ".BR ",
                                        ".BI ",  ".RB ",  ".RI ",  ".IR ",  ".\\\" "};
    const char *p = man_page();

    for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        int ok = 0;

        if (*p != '.' && *p != '\'')
            continue;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok |= strncmp(p, known[i], strlen(known[i])) == 0;
        cr_assert(ok, "unexpected roff request: %.40s", p);
    }
}

Test(confdoc, roff_escapes_backslashes_and_code)
{
    const char *man = man_page();

    /* endpoint's doc names \\.\pipe\... and `SVCD_ENDPOINT`. */
    cr_assert_not_null(strstr(man, "\\fB\\e\\e.\\epipe\\e...\\fR"));
    cr_assert_not_null(strstr(man, "\\fBSVCD_ENDPOINT\\fR"));
    cr_assert_null(strstr(man, "`"), "a backquote reached the man page");
}

Test(confdoc, markdown_table_has_a_row_per_key)
{
    struct sbuf b;
    char row[128];
    size_t rows = 0, keys = 0;

    sbuf_init(&b, 0);
    cr_assert_eq(confdoc_markdown_table(&b), 0);
    for (const struct config_key *k = config_keys(); k->key; k++, keys++) {
        snprintf(row, sizeof(row), "\n| `%s` | `%s ", k->key, k->flag);
        cr_assert_not_null(strstr(b.p, row), "no row for %s", k->key);
    }
    for (const char *p = b.p; (p = strstr(p, "\n| `")) != NULL; p++)
        rows++;
    cr_assert_eq(rows, keys);
    cr_assert_not_null(strstr(b.p, "`--log-host on\\|off`"), "a '|' must not end a cell");
    sbuf_free(&b);
}

Test(confdoc, markdown_replaces_only_between_the_markers)
{
    const char *text = "# Configuration\n\nprose before\n" CONFDOC_BEGIN "\nstale table\n"
                       "| old | row |\n" CONFDOC_END "\nprose after\n";
    struct sbuf b, table, want;
    char err[512] = "";

    sbuf_init(&b, 0);
    sbuf_init(&table, 0);
    cr_assert_eq(confdoc_markdown(&b, text, strlen(text), err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(confdoc_markdown_table(&table), 0);
    sbuf_init(&want, 0);
    sbuf_printf(&want,
                "# Configuration\n\nprose before\n" CONFDOC_BEGIN "\n%s" CONFDOC_END
                "\nprose after\n",
                table.p);
    cr_assert_str_eq(b.p, want.p);
    sbuf_free(&want);
    sbuf_free(&b);
    sbuf_free(&table);
}

Test(confdoc, markdown_without_markers_says_which_is_missing)
{
    const char *none = "no markers\n", *no_end = CONFDOC_BEGIN "\ntable\n";
    const char *swapped = CONFDOC_END "\n" CONFDOC_BEGIN "\n";
    struct sbuf b;
    char err[512];

    sbuf_init(&b, 0);
    cr_assert_eq(confdoc_markdown(&b, none, strlen(none), err, sizeof(err)), ERR_INVAL);
    cr_assert_not_null(strstr(err, "to put the table of keys after"), "%s", err);
    cr_assert_eq(confdoc_markdown(&b, no_end, strlen(no_end), err, sizeof(err)), ERR_INVAL);
    cr_assert_not_null(strstr(err, CONFDOC_END), "%s", err);
    cr_assert_eq(confdoc_markdown(&b, swapped, strlen(swapped), err, sizeof(err)), ERR_INVAL);
    sbuf_free(&b);
}

/* Runs of spaces and line breaks as one space, so that a help wrapped to
 * the terminal still matches. */
static void squeeze(char *s)
{
    char *o = s;

    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\n') {
            if (o > s && o[-1] == ' ')
                continue;
            *o++ = ' ';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* The help the real svcd prints is the table the documents are made of. */
Test(confdoc, svcd_run_help_prints_the_same_table)
{
    char *argv[] = {SVCD_BIN, "run", "--help", NULL};
    static struct proc_result r;
    char want[1200];

    cr_assert_eq(proc_run(argv, NULL, 10000, &r), 0);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    squeeze(r.out);
    for (const struct config_key *k = config_keys(); k->key; k++) {
        const char *help = usage_key_help(k);
        if (help == NULL)
            continue; /* a key of the other platform: accepted, not shown */
        snprintf(want, sizeof(want), "%s %s %s", k->flag, k->arg, help);
        squeeze(want);
        cr_assert_not_null(strstr(r.out, want), "svcd run --help lacks: %s", want);
    }
}
