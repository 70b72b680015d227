/* Command lines and the arguments CommandLineToArgvW makes of them: the
 * classic cases of Microsoft's "Parsing C command-line arguments" plus the
 * first-argument and "" rules. tests/test_cmdline.c checks cmdline_split
 * against the table; tests/win/test_win.c checks the table and
 * cmdline_split against CommandLineToArgvW itself. */
#ifndef SVCD_TEST_CMDLINE_CASES_H
#define SVCD_TEST_CMDLINE_CASES_H

#define CMDLINE_ARGS_MAX 8

struct cmdline_case {
    const char *line;
    const char *args[CMDLINE_ARGS_MAX]; /* NULL-terminated */
};

static const struct cmdline_case cmdline_cases[] = {
    {"prog", {"prog"}},
    {"prog   ", {"prog"}},
    {"prog a b\tc", {"prog", "a", "b", "c"}},
    {"prog \"abc\" d e", {"prog", "abc", "d", "e"}},
    {"prog a\\\\\\b d\"e f\"g h", {"prog", "a\\\\\\b", "de fg", "h"}},
    {"prog a\\\\\\\"b c d", {"prog", "a\\\"b", "c", "d"}},
    {"prog a\\\\\\\\\"b c\" d e", {"prog", "a\\\\b c", "d", "e"}},
    {"prog a\"b\"\" c d", {"prog", "ab\"", "c", "d"}},
    {"prog \"\" x", {"prog", "", "x"}},
    {"prog \"\"\"\" x", {"prog", "\" x"}},
    {"prog \"\"\" x", {"prog", "\"", "x"}},
    {"prog \"a \"\"b\"\" c\"", {"prog", "a \"b", "c"}},
    {"prog \\\\server\\share\\ trail\\", {"prog", "\\\\server\\share\\", "trail\\"}},
    {"prog \"C:\\Program Files\\\\\" next", {"prog", "C:\\Program Files\\", "next"}},
    {"prog \"unterminated arg", {"prog", "unterminated arg"}},
    {"\"C:\\Program Files\\svcd\\svcclient.exe\" status",
     {"C:\\Program Files\\svcd\\svcclient.exe", "status"}},
    {"\"C:\\a b\\x.exe\"tail y", {"C:\\a b\\x.exe", "tail", "y"}},
    {"C:\\a\\\"x.exe\" y", {"C:\\a\\\"x.exe\"", "y"}},
    {"\"C:\\a\\\\\" y", {"C:\\a\\\\", "y"}},
    {"prog --heartbeat-message \"구동중 {n}번 째 로그\" é\"ü \"ß",
     {"prog", "--heartbeat-message", "구동중 {n}번 째 로그", "éü ß"}},
};

#endif
