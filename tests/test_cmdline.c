/* The Windows command-line rules, as pure logic: cmdline.c (used by
 * svcclient.exe and svcd.exe instead of SHELL32's CommandLineToArgvW). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "cmdline_cases.h"

Test(cmdline, every_case_of_the_table)
{
    for (size_t i = 0; i < sizeof(cmdline_cases) / sizeof(cmdline_cases[0]); i++) {
        const struct cmdline_case *c = &cmdline_cases[i];
        char **argv = NULL;
        int argc = -1, want = 0;

        while (want < CMDLINE_ARGS_MAX && c->args[want])
            want++;
        cr_assert_eq(cmdline_split(c->line, &argc, &argv), 0);
        cr_expect_eq(argc, want, "[%s]: %d arguments, not %d", c->line, argc, want);
        for (int k = 0; k < argc && k < want; k++)
            cr_expect_str_eq(argv[k], c->args[k], "[%s] argument %d", c->line, k);
        cr_expect_null(argv[argc], "[%s]: argv ends with NULL", c->line);
        free(argv);
    }
}

Test(cmdline, an_empty_line_has_no_arguments)
{
    char **argv = NULL;
    int argc = -1;

    cr_assert_eq(cmdline_split("", &argc, &argv), 0);
    cr_assert_eq(argc, 0);
    cr_assert_null(argv[0]);
    free(argv);
}

Test(cmdline, a_long_line_of_escapes_fits_its_allocation)
{
    /* Backslashes and quotes only ever shrink an argument: a line of them
     * must not write past the one block (ASan/valgrind would say). */
    char line[4096];
    char **argv = NULL;
    int argc = 0;

    strcpy(line, "p ");
    for (size_t i = 2; i < sizeof(line) - 1; i++)
        line[i] = "\\\"\" \t"[i % 5];
    line[sizeof(line) - 1] = '\0';
    cr_assert_eq(cmdline_split(line, &argc, &argv), 0);
    cr_assert_gt(argc, 1);
    for (int k = 0; k < argc; k++)
        cr_assert_leq(strlen(argv[k]), strlen(line));
    free(argv);
}
