/* svcd's help: the list of commands, each command's own help (svcd
 * COMMAND --help, svcd help COMMAND) and run's options from the config key
 * table, wrapped to USAGE_WIDTH columns. The wording that differs between
 * platforms (service manager, account, how to get the rights) is data in
 * usage_posix.c and usage_win.c; this file only lays it out. Pure: text
 * goes into an sbuf. */
#ifndef SVCD_USAGE_H
#define SVCD_USAGE_H

#include <stddef.h>

#include "config.h"
#include "sbuf.h"

#define USAGE_WIDTH 80     /* no help line is longer (a terminal's default) */
#define USAGE_GLUE  '\x1f' /* in a text: shown as a space, never broken at */

/* One command of svcd, as its help shows it on this platform. */
struct usage_cmd {
    const char *name;     /* NULL ends the table */
    const char *synopsis; /* after "usage: " */
    const char *summary;  /* in the list of commands */
    const char *text;     /* its own help: a paragraph, wrapped when shown */
};

/* This platform's own commands, in the order the list shows them (usage_*.c);
 * usage.c adds those every platform has (version, help) after them. */
const struct usage_cmd *usage_platform_cmds(void);

/* This platform's exit status paragraph (what 4, access denied, asks for). */
const char *usage_platform_exit(void);

/* The help of config key `k` on this platform: k->help, or a text true
 * here (a default path), or NULL when the key means nothing here (a
 * Windows-only key on POSIX and the reverse: still accepted in a file). */
const char *usage_key_help(const struct config_key *k);

/* Appends the list of commands (svcd help). */
void usage_main(struct sbuf *out);

/* 1 when svcd has a command `cmd` (shown in its help), else 0. */
int usage_has(const char *cmd);

/* Appends `cmd`'s own help. Returns 0, or ERR_NOENT (nothing appended)
 * when svcd has no such command. */
int usage_command(const char *cmd, struct sbuf *out);

/* Appends "  LEFT" padded to column `col`, then `text` wrapped at word
 * boundaries to USAGE_WIDTH, continuation lines indented to `col`. A LEFT
 * too long for its column puts the text on the next line. A word longer
 * than a line is never cut (a path or an SDDL string stays copyable). */
void usage_wrap(struct sbuf *out, const char *left, size_t col, const char *text);

#endif
