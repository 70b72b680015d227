/* svcd's log levels by name, once for the service and the client, and how
 * journalctl's priorities (syslog's eight) map onto them. Pure. */
#ifndef SVCD_LEVEL_H
#define SVCD_LEVEL_H

#include <stddef.h>

/* Same numbers as svcd.Level in the protocol and enum log_level. */
enum { LEVEL_DEBUG = 1, LEVEL_INFO, LEVEL_NOTICE, LEVEL_WARNING, LEVEL_ERROR };

/* For error messages: every name, in order. */
#define LEVEL_NAMES "debug, info, notice, warning, error"

/* The level's name; "info" for a number that is not a level (what a reader
 * of an unknown level should assume). */
const char *level_name(int level);

/* Sets *level for one of LEVEL_NAMES (n bytes at s, exact case). Returns 0,
 * or ERR_INVAL. */
int level_parse(const char *s, size_t n, int *level);

/* journalctl's priority, a name (emerg, alert, crit, err, warning, notice,
 * info, debug) or a number 0..7, as svcd's level: svcd has no level above
 * error, so emerg, alert and crit (0..2) select error like err (3); warning,
 * notice, info and debug are the levels of the same name. Returns 0, or
 * ERR_INVAL. svcd's own names (error) are taken too. */
int level_from_priority(const char *s, int *level);

/* journalctl's priority names by number (0 emerg .. 7 debug); NULL past
 * the end. For shell completion. */
const char *level_priority_name(size_t i);

#endif
