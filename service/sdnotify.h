/* systemd's readiness protocol (sd_notify(3)) in a few lines, without
 * libsystemd: one datagram of "KEY=value" lines to the socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). POSIX
 * only; with no NOTIFY_SOCKET it does nothing, as under a plain shell. */
#ifndef SVCD_SDNOTIFY_H
#define SVCD_SDNOTIFY_H

/* Sends `state` (e.g. "READY=1\nSTATUS=running"). Returns 0 when sent or
 * when nobody asked (no NOTIFY_SOCKET), ERR_NAMETOOLONG / ERR_INVAL for a
 * bad variable, or the error from sending. */
int sdnotify(const char *state);

#endif
