/* `svcd configure`: sets a few keys of svcd.conf in place (confedit.h) and
 * the installed service's startup type, as an administrator would by hand
 * and as the MSI does for its public properties (INTERVAL, CONTROL_SDDL,
 * STATE_DIR, STARTUP). configure.c holds the file I/O, configure_win.c and
 * configure_posix.c the service manager's side. */
#ifndef SVCD_CONFIGURE_H
#define SVCD_CONFIGURE_H

#include <stddef.h>

#include "confedit.h"
#include "config.h"
#include "paths.h"
#include "svcmgr.h"

struct configure_opts {
    const char *config_file; /* NULL: configure_default_path() */
    struct confedit_set sets[CONFEDIT_MAX_SETS];
    size_t nsets;
    int startup; /* -1: unchanged; else an enum svcmgr_startup */
    int start;   /* then start the service unless its startup is manual or disabled */
};

/* Runs the verb: validates every value and the file's result (nothing is
 * written when one is bad), writes the file atomically (a temporary file
 * renamed over it; created from the packaged default when missing, left
 * untouched when no key is given), then sets the startup and starts the
 * service if asked. Prints what it did; errors go to stderr. Returns an
 * exit status: 0, SVCMGR_EXIT_USAGE (a bad value or option), or another
 * SVCMGR_EXIT_* from the file or the service manager. */
int configure_run(const struct configure_opts *o);

/* Reads a whole config file (at most CONFIG_FILE_MAX bytes) into a new
 * buffer (free with free). Returns 0, ERR_NOENT, ERR_TOOBIG, ERR_NOMEM or
 * the read's error. */
int configure_read_file(const char *path, char **text, size_t *n);

/* One line for configure_read_file's error `rc` on `path`, naming what the
 * path is when it is not a regular file ("config file /x is a FIFO, not a
 * regular file"), which is refused without waiting on it. */
void configure_read_error(const char *path, int rc, char *buf, size_t n);

/* Parses "auto", "delayed", "manual" or "disabled". Returns the
 * enum svcmgr_startup value, or -1. */
int configure_startup_from_name(const char *name);
const char *configure_startup_name(int startup);

/* --- per platform ------------------------------------------------------ */

/* Where the installed service reads its configuration: Windows
 * %ProgramData%\svcd\svcd.conf, Linux /etc/svcd/svcd.conf. */
int configure_default_path(char *buf, size_t n);

/* The text of the packaged default svcd.conf for this platform. */
const char *configure_default_text(void);

/* Three paths, fsguard's reason (at most 512 bytes) and the words around. */
#define CONFIGURE_ERR_MAX (3 * PATHS_MAX + 1024)

/* What the service would refuse at start that the key table cannot see:
 * on Windows control_sddl is parsed as the service parses it. Returns 0 or
 * ERR_INVAL with one line in `err`. */
int configure_check(const struct config *cfg, char *err, size_t errlen);

/* Whether the existing file at `path` may be edited as the service's own:
 * one that someone other than SYSTEM, Administrators or TrustedInstaller
 * can change would be rewritten by an administrator and pass the service's
 * check from then on. Windows: the file and its folder (fsguard); POSIX: 0
 * (the packaged /etc/svcd is root's). Returns 0, or ERR_ACCESS with why in
 * err (completing "<path> ..."), ERR_INVAL when `path` is not a full path,
 * or the error of reading the descriptor. A file that does not exist is
 * judged by its folder. `err` needs CONFIGURE_ERR_MAX: the message names
 * the path three times (in the takeown and icacls commands to copy). */
int configure_check_file(const char *path, char *err, size_t errlen);

/* The installed service's startup. Returns 0, ERR_NOENT (not installed),
 * ERR_ACCESS, ERR_UNSUPPORTED (Linux: systemctl decides) or ERR_IO. */
int configure_get_startup(int *startup);

/* Sets it (Windows: the SCM's start type and delayed flag; a delayed flag the
 * SCM refuses is a warning on stderr, as in svcd install). Same returns. */
int configure_set_startup(int startup);

#endif
