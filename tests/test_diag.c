/* Diagnostics never pass control characters on: a config file's key, a
 * path or a user name reaches terminals, the journal and the Event Log. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "tmpdir.h"

Test(diag, escape_writes_control_characters_as_hex)
{
    char out[64];

    diag_escape("colo\033[31mur\r\nsvcd: info: forged\x7f", out, sizeof(out));
    cr_assert_str_eq(out, "colo\\x1b[31mur\\x0d\\x0asvcd: info: forged\\x7f");
    diag_escape("tab\tand UTF-8 \xc3\xa9 stay", out, sizeof(out));
    cr_assert_str_eq(out, "tab\tand UTF-8 \xc3\xa9 stay");
}

Test(diag, escape_cuts_whole_escapes_only)
{
    char out[8];

    diag_escape("abcd\033efgh", out, sizeof(out));
    cr_assert_str_eq(out, "abcd", "an escape that does not fit is left out whole, got '%s'", out);
    diag_escape("abcdefghij", out, sizeof(out));
    cr_assert_str_eq(out, "abcdefg");
    diag_escape("x", out, 1);
    cr_assert_str_eq(out, "");
}

/* The real svcd, given a config whose unknown key carries an escape
 * sequence and a forged second line: its error says so in plain text. */
Test(diag, svcd_config_error_is_escaped)
{
    char dir[256], cmd[700], got[4096] = "";
    size_t n;
    FILE *p;

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    cr_assert_eq(tmpdir_write(dir, "svcd.conf", "colo\033[31mur\r = 1\n", 17), 0);
    snprintf(cmd, sizeof(cmd), "'%s' run --config '%s/svcd.conf' --state-dir '%s/st' 2>&1",
             SVCD_BIN, dir, dir);
    p = popen(cmd, "r");
    cr_assert_not_null(p);
    n = fread(got, 1, sizeof(got) - 1, p);
    got[n] = '\0';
    pclose(p);
    tmpdir_remove(dir);
    cr_assert(strstr(got, "unknown key 'colo\\x1b[31mur") != NULL, "got: %s", got);
    cr_assert(strchr(got, '\033') == NULL, "a raw escape reached stderr: %s", got);
}
