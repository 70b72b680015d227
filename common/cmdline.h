/* Splitting a Windows command line into arguments, by the rules of
 * CommandLineToArgvW (and the C runtime's startup code), as pure logic over
 * UTF-8: every character the rules care about is ASCII, so the bytes of
 * other characters pass through untouched. term_win.c feeds it the wide
 * command line converted to UTF-8, so svcclient need not load SHELL32. */
#ifndef SVCD_CMDLINE_H
#define SVCD_CMDLINE_H

/* Splits `line` into *argc arguments at *argv (NULL-terminated). The
 * pointers and the strings are one allocation: free(*argv) frees all.
 * The rules:
 *  - the first argument (the program) ends at the next quote when it
 *    begins with one, else at the first white space; no escapes in it;
 *  - the others are separated by spaces and tabs outside quotes;
 *  - 2n backslashes before a quote are n backslashes and the quote opens
 *    or closes a quoted part; 2n+1 are n backslashes and a literal quote;
 *    backslashes not before a quote are literal;
 *  - inside a quoted part, "" is a literal quote and ends the quoted part.
 * An empty line gives no arguments. Returns 0, or ERR_NOMEM. */
int cmdline_split(const char *line, int *argc, char ***argv);

/* The value of the long option `flag` ("--name") at argv[*i], written
 * "--name=value" or "--name value" (then *i moves to the value). Returns
 * NULL when argv[*i] is another argument, or when it is the flag without a
 * value after it: then *missing (when not NULL) is set to 1. The one
 * splitter of svcd's and svcclient's command lines. */
const char *cmdline_flag_value(int argc, char **argv, int *i, const char *flag, int *missing);

#endif
