/* The help texts of the real binaries: every command's own help works
 * (svcd COMMAND --help, svcd help COMMAND, svcclient COMMAND --help), each
 * line fits 80 columns, the words are this platform's, and both programs
 * print their version alike. The Windows binaries' texts are checked by
 * tests/wine/suite.sh the same way. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proc.h"
#include "usage.h"

static void run(struct proc_result *r, const char *bin, const char *a, const char *b)
{
    char *argv[] = {(char *)bin, (char *)a, (char *)b, NULL};

    cr_assert_eq(proc_run(argv, NULL, 20000, r), 0);
}

/* Columns of the longest line (UTF-8 code points; no tabs allowed). */
static size_t widest(const char *text, int *line_no)
{
    size_t best = 0, cols = 0;
    int line = 1;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        cr_assert_neq(*p, '\t', "a tab in help (line %d)", line);
        if (*p == '\n') {
            line++;
            cols = 0;
            continue;
        }
        if ((*p & 0xc0) != 0x80)
            cols++;
        if (cols > best) {
            best = cols;
            *line_no = line;
        }
    }
    return best;
}

/* Words that are not true of Linux: Windows' service manager, account,
 * prompt and log. */
static void check_linux_words(const char *what, const char *text)
{
    static const char *const banned[] = {
        "LocalSystem", "SCM",        "Service Control", "elevated", "Event Log", "event log",
        "ProgramData", "named pipe", "Application log", "SDDL",     "sc.exe",    "Ctrl-Break"};

    for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
        cr_assert_null(strstr(text, banned[i]), "%s says '%s' on Linux:\n%s", what, banned[i],
                       text);
}

static void check_text(const char *what, const struct proc_result *r)
{
    int line = 0;
    size_t w = widest(r->out, &line);

    cr_assert_eq(r->exit_code, 0, "%s: exit %d, stderr %s", what, r->exit_code, r->err);
    cr_assert_str_eq(r->err, "", "%s wrote to stderr", what);
    cr_assert_leq(w, 80, "%s: line %d is %zu columns:\n%s", what, line, w, r->out);
    check_linux_words(what, r->out);
}

Test(help, every_svcd_command_has_its_own_help_within_80_columns)
{
    struct proc_result r, r2;
    size_t n = 0;
    char want[64];

    run(&r, SVCD_BIN, "help", NULL);
    check_text("svcd help", &r);
    const char *names[32];
    for (const struct usage_cmd *c = usage_platform_cmds(); c->name && n < 30; c++)
        names[n++] = c->name;
    names[n++] = "version"; /* usage.c's, on every platform */
    names[n++] = "help";
    for (size_t i = 0; i < n; i++) {
        const struct usage_cmd one = {names[i], NULL, NULL, NULL}, *c = &one;
        /* the list names every command */
        snprintf(want, sizeof(want), "\n  %s ", c->name);
        cr_assert_not_null(strstr(r.out, want), "svcd help lists %s:\n%s", c->name, r.out);
        snprintf(want, sizeof(want), "usage: svcd %s", c->name);
        run(&r2, SVCD_BIN, c->name, "--help");
        check_text(c->name, &r2);
        cr_assert(strncmp(r2.out, want, strlen(want)) == 0, "svcd %s --help:\n%s", c->name, r2.out);
        run(&r2, SVCD_BIN, c->name, "-h");
        cr_assert(strncmp(r2.out, want, strlen(want)) == 0, "svcd %s -h:\n%s", c->name, r2.out);
        run(&r2, SVCD_BIN, "help", c->name);
        check_text(c->name, &r2);
        cr_assert(strncmp(r2.out, want, strlen(want)) == 0, "svcd help %s:\n%s", c->name, r2.out);
    }
    cr_assert_geq(n, 10, "run install remove start stop restart status configure version help");
}

Test(help, install_help_is_help_not_an_install)
{
    struct proc_result r;

    run(&r, SVCD_BIN, "install", "--help");
    check_text("svcd install --help", &r);
    cr_assert(strstr(r.out, "usage: svcd install [--startup auto|delayed|manual|disabled] "
                            "[--config FILE]\n") == r.out,
              "%s", r.out);
    cr_assert_not_null(strstr(r.out, "systemd"), "Linux's service manager is named:\n%s", r.out);
    run(&r, SVCD_BIN, "help", "nosuch");
    cr_assert_eq(r.exit_code, 2);
    cr_assert_not_null(strstr(r.err, "unknown command 'nosuch' (try: svcd help)"), "%s", r.err);
}

Test(help, run_help_lists_the_keys_of_this_platform_only)
{
    struct proc_result r;

    run(&r, SVCD_BIN, "run", "--help");
    check_text("svcd run --help", &r);
    cr_assert_not_null(strstr(r.out, "[key: interval]"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "[key: control_group]"), "%s", r.out);
    cr_assert_null(strstr(r.out, "--control-sddl"), "a Windows key:\n%s", r.out);
    cr_assert_null(strstr(r.out, "--eventlog"), "a Windows key:\n%s", r.out);
    cr_assert_null(strstr(r.out, "[key:\n"), "a key's name stays with its bracket:\n%s", r.out);
}

Test(help, svcd_exit_status_asks_for_root_not_elevation)
{
    struct proc_result r;

    run(&r, SVCD_BIN, "--help", NULL);
    check_text("svcd --help", &r);
    cr_assert_not_null(strstr(r.out, "4 permission denied (run it as root"), "%s", r.out);
}

Test(help, every_svcclient_help_fits_80_columns)
{
    static const char *const cmds[] = {"status",  "logs",       "pause", "resume",
                                       "version", "completion", "help"};
    struct proc_result r;
    char what[64];

    run(&r, SVCCLIENT_BIN, "--help", NULL);
    check_text("svcclient --help", &r);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        snprintf(what, sizeof(what), "svcclient %s --help", cmds[i]);
        run(&r, SVCCLIENT_BIN, cmds[i], "--help");
        check_text(what, &r);
        cr_assert(strncmp(r.out, "usage: svcclient ", 17) == 0, "%s:\n%s", what, r.out);
        snprintf(what, sizeof(what), "svcclient help %s", cmds[i]);
        run(&r, SVCCLIENT_BIN, "help", cmds[i]);
        check_text(what, &r);
    }
}

Test(help, svcd_prints_its_version_as_svcclient_does)
{
    struct proc_result a, b, c;
    char prog[32], ver[32], cver[32];
    int proto = 0, cproto = 0;

    run(&a, SVCD_BIN, "--version", NULL);
    run(&b, SVCD_BIN, "version", NULL);
    run(&c, SVCCLIENT_BIN, "--version", NULL);
    cr_assert_eq(a.exit_code, 0);
    cr_assert_eq(b.exit_code, 0);
    cr_assert_str_eq(a.out, b.out);
    cr_assert_eq(sscanf(a.out, "%31s %31s (protocol %d)", prog, ver, &proto), 3, "%s", a.out);
    cr_assert_str_eq(prog, "svcd");
    cr_assert_eq(sscanf(c.out, "svcclient %31s (protocol %d)", cver, &cproto), 2, "%s", c.out);
    cr_assert_str_eq(ver, cver, "one version for both programs");
    cr_assert_eq(proto, cproto);
}

/* The wrapper itself, with the Windows default SDDL (a word longer than a
 * line at run's column): broken only after a ')', with nothing added, so
 * joining the lines gives the string back. */
Test(help, a_word_longer_than_a_line_breaks_only_between_aces)
{
    const char *sddl = "O:SYG:SYD:(A;;0x3;;;SY)(A;;0x3;;;BA)(A;;0x3;;;IU)(A;;0x1;;;AU)";
    char text[256], joined[256] = "";
    struct sbuf b;
    int line = 0;

    snprintf(text, sizeof(text), "who has the rights (default: %s) [key:%ccontrol_sddl]", sddl,
             USAGE_GLUE);
    sbuf_init(&b, 0);
    usage_wrap(&b, "--control-sddl SDDL", 27, text);
    cr_assert_leq(widest(sbuf_str(&b), &line), 80, "line %d:\n%s", line, sbuf_str(&b));
    for (char *l = strtok(b.p, "\n"); l; l = strtok(NULL, "\n")) {
        char *t = l + strspn(l, " ");
        if (strncmp(t, "--control-sddl", 14) == 0)
            t += strlen("--control-sddl SDDL") + strspn(t + strlen("--control-sddl SDDL"), " ");
        strncat(joined, t, sizeof(joined) - strlen(joined) - 1);
    }
    cr_assert_not_null(strstr(joined, sddl), "the SDDL, whole, once the lines are joined: %s",
                       joined);
    cr_assert_not_null(strstr(joined, "[key: control_sddl]"), "%s", joined);
    sbuf_free(&b);
}
