/* How the process is hosted: in a console (signals on POSIX, Ctrl-C on
 * Windows) or by a service manager (the Windows SCM; systemd, told through sd_notify). The
 * shared run loop (run.c) talks to the host only through these calls. */
#ifndef SVCD_HOST_H
#define SVCD_HOST_H

#include <stddef.h>

#include "config.h"
#include "run.h"
#include "server.h"
#include "svc.h"

/* Installs the stop handlers before anything else starts, so an early stop
 * request is honoured rather than fatal. Returns 0 or an ERR_ code. */
int host_init(void);

/* From now on a stop or control request also wakes `sv`'s loop; NULL
 * detaches. Once it returns no handler is waking the previous server, so
 * that server may be closed. */
void host_wake_on_stop(struct server *sv);

/* The service is up: endpoint open, log started (the SCM hears RUNNING). */
void host_ready(struct svc *s);

/* Called once per loop round: applies controls the host received (SCM
 * pause/continue) and reports state changes to it (so `sc query` shows a
 * pause that svcclient made, and systemd's watchdog hears WATCHDOG=1). */
void host_sync(struct svc *s);

/* Returns `wait_ms`, the loop's timeout (-1: none), shortened to when the
 * host next needs a round (the keep-alive of systemd's watchdog). */
int host_wait_ms(int wait_ms);

/* Returns 1 and describes the reason in `why` once a stop was requested. */
int host_stop_requested(char *why, size_t n);

/* Returns 1 once per reload request received since the last call (POSIX:
 * SIGHUP; Windows: SERVICE_CONTROL_PARAMCHANGE from `svcd reload`), with
 * what asked in `why` ("SIGHUP received"); requests that came together are
 * one reload. */
int host_reload_requested(char *why, size_t n);

/* A reload begins and ends (systemd hears RELOADING=1 and then READY=1,
 * so `systemctl reload` waits for it). */
void host_reload_begin(void);
void host_reload_end(void);

/* Shutdown began (the SCM hears STOP_PENDING). */
void host_stopping(void);

/* The host is done with the loop. Stop requests that still arrive (a second
 * SIGTERM or Ctrl-C while stopping) are absorbed, so the exit stays clean. */
void host_done(void);

/* Called by the service host once it is connected to the service manager
 * (so that a failure here is reported to it, with the reason): applies the
 * set-up an installer may have left out and reads the configuration into
 * *cfg. Returns RUN_EXIT_OK, or a run.h RUN_EXIT_ code with the reason
 * already reported through diag. */
typedef int (*host_load_fn)(void *ctx, struct config *cfg);

/* Runs as a service under the platform's service manager, when it started
 * us (the hidden `svcd service` verb): connects first, then loads and runs.
 * Returns the process exit status (a RUN_EXIT_ code). */
int host_service_main(host_load_fn load, const struct run_reload *reload, void *ctx);

#endif
