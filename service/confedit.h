/* Editing svcd.conf in place: set a few keys and keep every other byte
 * (comments, blank lines, other keys, a UTF-8 BOM, the line endings), as
 * `svcd configure` and the MSI's public properties need. Pure: text in,
 * text out; the file I/O is in configure.c. */
#ifndef SVCD_CONFEDIT_H
#define SVCD_CONFEDIT_H

#include <stddef.h>

#define CONFEDIT_MAX_SETS 32

#include "config.h"
#include "sbuf.h"

struct confedit_set {
    const char *key;   /* a config key, e.g. "interval" */
    const char *value; /* its new value, as it would appear after '=' */
};

/* Sets each key of `sets` in `text` (n bytes; may be NULL when n is 0, for
 * a file that does not exist yet) and writes the result to `out`:
 * - every active line of that key ("key = ...", whatever its spacing) is
 *   replaced by "key = value", keeping its line ending, so duplicates all
 *   say the same;
 * - a key with no active line (only a comment, or none) gets one appended at
 *   the end, with the text's line ending (CRLF when it has none);
 * - every other byte is copied unchanged.
 * Values are quoted when the parser would otherwise change them (leading or
 * trailing spaces, or a value that is itself in quotes). Then the whole
 * result is parsed as the service would parse it (config_parse, errors
 * prefixed "origin:line:"), so a bad value, an unknown key, or a line the
 * file already had wrong is refused here, with nothing written.
 * Returns 0; ERR_INVAL with one line in `err` (a value with a line break or
 * NUL, an unknown key, a value the parser refuses; more than
 * CONFEDIT_MAX_SETS sets); ERR_NOMEM or ERR_TOOBIG. */
int confedit_apply(const char *text, size_t n, const struct confedit_set *sets, size_t nsets,
                   const char *origin, struct sbuf *out, char *err, size_t errlen);

/* The same, and when it succeeds, the configuration the result gives (the
 * system-wide defaults under it) in *parsed. */
int confedit_apply_parsed(const char *text, size_t n, const struct confedit_set *sets, size_t nsets,
                          const char *origin, struct sbuf *out, struct config *parsed, char *err,
                          size_t errlen);

/* Appends `arg` to `out` as one argument of a Windows command line, quoted
 * so that CommandLineToArgvW gives back exactly `arg` (backslashes before a
 * quote or the closing quote doubled, quotes escaped). Returns 0 or the
 * sbuf error. */
int confedit_quote_arg(struct sbuf *out, const char *arg);

#endif
