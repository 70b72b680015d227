/* How the process is hosted and told to stop: signals on POSIX
 * (host_posix.c); Ctrl-C handlers and the service control manager on Windows
 * (host_win.c). The shared run loop (run.c) only asks host_stop_requested. */
#ifndef SVCD_HOST_H
#define SVCD_HOST_H

#include <stddef.h>

#include "server.h"

/* Installs the console stop handlers (Ctrl-C, SIGTERM...) before anything
 * else starts, so an early stop request is honoured, not fatal. Returns 0 or
 * an ERR_ code. */
int host_console_init(void);

/* From now on a stop request also wakes `sv`'s loop (NULL: none). */
void host_wake_on_stop(struct server *sv);

/* Returns 1 and describes the reason in `why` once a stop was requested. */
int host_stop_requested(char *why, size_t n);

/* Restores default handlers. */
void host_console_done(void);

#endif
