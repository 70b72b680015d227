/* The service's main loop, shared by console mode and (on Windows) the SCM
 * host: open the endpoint, start the service, serve until a stop is
 * requested, stop cleanly. */
#ifndef SVCD_RUN_H
#define SVCD_RUN_H

#include <stddef.h>

#include "config.h"

/* Why the service ended: the Windows service's dwServiceSpecificExitCode
 * (shown by `sc query` as SERVICE_EXIT_CODE, with WIN32_EXIT_CODE 1066),
 * and what `svcd start|restart|status` explain. Stable and documented in
 * docs/windows.md; never renumber. */
enum run_exit {
    RUN_EXIT_OK = 0,
    RUN_EXIT_FAILED = 1,   /* stopped on an error after it had started (event loop) */
    RUN_EXIT_CONFIG = 2,   /* configuration: svcd.conf, a flag, SVCD_ENDPOINT, control_sddl */
    RUN_EXIT_DATA_DIR = 3, /* the data folder (%ProgramData%\svcd) cannot be made or secured */
    RUN_EXIT_ENDPOINT = 4, /* the endpoint cannot be created (e.g. another svcd serves it) */
    RUN_EXIT_LOG = 5,      /* the log directory or file cannot be opened */
    RUN_EXIT_UNSAFE = 6,   /* svcd.conf, or a folder it trusts, can be changed by others */
    RUN_EXIT_IN_USE = 7,   /* another svcd holds the state directory's lock (svcd.lock) */
};

/* One phrase describing a run_exit code ("configuration error"). */
const char *run_exit_text(int code);

/* How a reload reads the configuration again, as the service was started
 * (defaults, config file, SVCD_ENDPOINT, flags): into *next, given the
 * running one. Returns 0, or a negative error with the loader's message
 * ("FILE:LINE: ...") in `err`. */
struct run_reload {
    int (*load)(void *ctx, const struct config *running, struct config *next, char *err,
                size_t errlen);
    void *ctx;
};

/* Returns RUN_EXIT_OK after a clean stop, or the RUN_EXIT_ code saying why
 * it could not start or went on (the reason is reported through diag).
 * `reload` (NULL: reloads are refused with a warning) serves SIGHUP and
 * `svcd reload`. */
int run_service(const struct config *cfg, int system_mode, const struct run_reload *reload);

#endif
