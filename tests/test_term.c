#define _POSIX_C_SOURCE 200809L
/* term.h off a terminal: the UTF-8 bytes exactly, in one piece, however
 * long the formatted text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "term.h"

static size_t read_back(FILE *f, char *buf, size_t n)
{
    fflush(f);
    rewind(f);
    return fread(buf, 1, n, f);
}

Test(term, writes_utf8_bytes_exactly_to_a_file)
{
    FILE *f = tmpfile();
    char got[64];

    cr_assert_not_null(f);
    cr_assert_eq(term_write(f, "구동중 é\n", strlen("구동중 é\n")), 0);
    cr_assert_eq(term_puts(f, "x"), 0);
    size_t n = read_back(f, got, sizeof(got));
    cr_assert_eq(n, strlen("구동중 é\nx"));
    cr_assert(memcmp(got, "구동중 é\nx", n) == 0);
    fclose(f);
}

Test(term, printf_formats_past_its_stack_buffer)
{
    static char want[5000], got[6000];
    FILE *f = tmpfile();

    cr_assert_not_null(f);
    memset(want, 'k', 4000);
    cr_assert_eq(term_printf(f, "%s|%d|%s\n", want, 42, "로그"), 0);
    size_t n = read_back(f, got, sizeof(got));
    cr_assert_eq(n, 4000 + strlen("|42|로그\n"));
    cr_assert(memcmp(got + 4000, "|42|로그\n", n - 4000) == 0);
    fclose(f);
}
