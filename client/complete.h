/* Shell completion scripts for svcclient, generated from cli.c's tables of
 * commands and options, so completion offers exactly what the parser takes.
 * Pure: the script goes into a buffer. */
#ifndef SVCD_COMPLETE_H
#define SVCD_COMPLETE_H

#include "sbuf.h"

/* Appends the completion script for `shell` (one of cli_shell_name's: bash,
 * zsh, fish, powershell) to out. Returns 0, ERR_INVAL for another shell,
 * or ERR_NOMEM. */
int complete_script(const char *shell, struct sbuf *out);

#endif
