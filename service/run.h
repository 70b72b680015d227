/* The service's main loop, shared by console mode and (on Windows) the SCM
 * host: open the endpoint, start the service, serve until a stop is
 * requested, stop cleanly. */
#ifndef SVCD_RUN_H
#define SVCD_RUN_H

#include "config.h"

/* Returns a process exit status: 0 after a clean stop, 1 when it could not
 * start (the reason is printed). */
int run_service(const struct config *cfg, int system_mode);

#endif
