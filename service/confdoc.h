/* The documentation of svcd.conf made from config.c's key table, the table
 * `svcd run --help` prints, so the man page, docs/configuration.md and the
 * help cannot disagree: svcd.conf(5) in roff, and the markdown table of
 * keys between two marker lines of docs/configuration.md. Pure: text in,
 * text out; gen_confdoc.c does the file I/O. */
#ifndef SVCD_CONFDOC_H
#define SVCD_CONFDOC_H

#include <stddef.h>

#include "config.h"
#include "sbuf.h"

/* The lines in docs/configuration.md between which the table is generated. */
#define CONFDOC_BEGIN                                                                              \
    "<!-- keys: generated from service/config.c by gen_confdoc (cmake --build --preset native "    \
    "--target confdoc); edit the table there, not here -->"
#define CONFDOC_END "<!-- end of the generated keys -->"

/* Splits a key's help text, which ends in "(default: X)", into what the key
 * means (`what`, without the trailing space) and X (`def`). Returns 0, or
 * ERR_INVAL when the help has no such ending, ERR_NAMETOOLONG when a part
 * does not fit. */
int confdoc_split_help(const char *help, char *what, size_t whatlen, char *def, size_t deflen);

/* What a key accepts, in words: its range, else what its kind takes
 * ("on or off", "text of at most 255 bytes"...). */
void confdoc_accepted(const struct config_key *k, char *buf, size_t n);

/* svcd.conf(5) for svcd `version`, every key of the table included.
 * Returns 0, or a negative error (a help without its default, a full
 * buffer). */
int confdoc_man(struct sbuf *out, const char *version);

/* The markdown table of every key: key, flag, default, accepted, meaning.
 * Returns 0 or a negative error. */
int confdoc_markdown_table(struct sbuf *out);

/* `text` (docs/configuration.md) with the lines between CONFDOC_BEGIN and
 * CONFDOC_END replaced by confdoc_markdown_table's. Returns 0, or ERR_INVAL
 * with a reason in `err` when a marker line is missing or out of order. */
int confdoc_markdown(struct sbuf *out, const char *text, size_t n, char *err, size_t errlen);

#endif
