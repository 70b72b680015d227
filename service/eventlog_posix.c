/* POSIX has no event log to feed: under systemd every diagnostic svcd
 * writes to stderr is in the journal already (journalctl -u svcd), and the
 * lifecycle, audit and failure entries are in svcd's own log. So these are
 * no-ops, and the `eventlog` key is accepted (one configuration for both
 * platforms) but changes nothing here. */
#include "eventlog.h"

void eventlog_open(void)
{
}

void eventlog_set_classes(unsigned mask)
{
    (void)mask;
}

void eventlog_report(enum eventlog_kind kind, const char *text)
{
    (void)kind;
    (void)text;
}

void eventlog_close(void)
{
}

unsigned long eventlog_message_id(enum eventlog_kind kind)
{
    (void)kind;
    return 0;
}

int eventlog_install(void)
{
    return 0;
}

int eventlog_uninstall(void)
{
    return 0;
}
