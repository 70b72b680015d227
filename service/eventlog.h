/* The system's event log, for what an administrator watches there: the
 * Windows Application log (source "svcd"; eventlog_win.c), nothing on POSIX
 * (eventlog_posix.c: systemd's journal already has every line svcd writes to
 * stderr, and the service's own log has the rest).
 *
 * Each kind of event has one stable, documented event ID in the message
 * table service/svcd_events.mc (compiled into svcd.exe); docs/windows.md lists them.
 * Heartbeats never go there. Which kinds are reported is chosen by classes
 * (config key `eventlog`). Reports are made only by the service (after
 * eventlog_open); in console mode and in tests every call is a no-op. */
#ifndef SVCD_EVENTLOG_H
#define SVCD_EVENTLOG_H

#include <stddef.h>

enum eventlog_kind {
    EVENTLOG_STARTED,      /* lifecycle: the service is running */
    EVENTLOG_STOPPING,     /* lifecycle: a stop began, and why */
    EVENTLOG_STOPPED,      /* lifecycle: the final entry */
    EVENTLOG_PAUSED,       /* lifecycle: paused, by whom */
    EVENTLOG_RESUMED,      /* lifecycle: resumed, by whom */
    EVENTLOG_DENIED,       /* audit: a request refused for lack of a right */
    EVENTLOG_START_FAILED, /* failures: could not start, and why */
    EVENTLOG_FAILED,       /* failures: stopped on an error after starting */
    EVENTLOG_DEGRADED,     /* failures: the log cannot be written */
    EVENTLOG_RECOVERED,    /* failures: the log is writable again */
    EVENTLOG_WARNING,      /* failures: a warning while starting */
    EVENTLOG_CUT_OFF,      /* clients: a client was cut off */
    EVENTLOG_KINDS
};

enum eventlog_class {
    EVENTLOG_CLASS_LIFECYCLE = 1,
    EVENTLOG_CLASS_AUDIT = 2,
    EVENTLOG_CLASS_FAILURES = 4,
    EVENTLOG_CLASS_CLIENTS = 8,
};

#define EVENTLOG_CLASSES_ALL 0xfu
#define EVENTLOG_CLASSES_DEFAULT                                                                   \
    (EVENTLOG_CLASS_LIFECYCLE | EVENTLOG_CLASS_AUDIT | EVENTLOG_CLASS_FAILURES)
#define EVENTLOG_CLASSES_TEXT_MAX 64

/* Shared logic (eventlog.c). */

/* The class a kind belongs to. */
enum eventlog_class eventlog_class_of(enum eventlog_kind kind);

/* Parses a comma-separated list of class names: lifecycle, audit, failures,
 * clients, or `all` or `none` alone. Returns 0 with the mask, or ERR_INVAL
 * with a one-line reason in `err` naming the accepted values (not prefixed
 * with a key: the caller names the key or flag). */
int eventlog_parse_classes(const char *text, unsigned *mask, char *err, size_t errlen);

/* Writes a mask back as such a list ("none" for 0). */
void eventlog_format_classes(unsigned mask, char *buf, size_t n);

/* Per platform (eventlog_win.c, eventlog_posix.c). */

/* Starts reporting (the service, as its first step). Failures are ignored:
 * the event log is a second copy, never a reason not to run. */
void eventlog_open(void);

/* Reports only kinds whose class is in `mask` (until called: the default). */
void eventlog_set_classes(unsigned mask);

/* Reports one event of `kind` whose text is `text` (UTF-8, one line). */
void eventlog_report(enum eventlog_kind kind, const char *text);

void eventlog_close(void);

/* The message-table ID of `kind` (Windows), 0 where there is no table. */
unsigned long eventlog_message_id(enum eventlog_kind kind);

/* Registers the event source for the installed program (Windows: the
 * Application log's "svcd" key, EventMessageFile = this svcd.exe), and
 * removes it. Return 0 or an ERR_ code; no-ops returning 0 on POSIX. */
int eventlog_install(void);
int eventlog_uninstall(void);

#endif
