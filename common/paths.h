/* Default endpoint and state locations, resolved the same way by svcd and
 * svcclient so that neither needs flags: paths_posix.c / paths_win.c. */
#ifndef SVCD_PATHS_H
#define SVCD_PATHS_H

#include <stddef.h>

#define PATHS_MAX            1024
#define PATHS_CANDIDATES_MAX 2

/* 1 when this process runs with system rights (root / LocalSystem), in which
 * case the system-wide defaults apply; 0 for an ordinary user. */
int paths_system_mode(void);

/* The endpoint svcd listens on by default in the given mode. Returns 0 or
 * ERR_NAMETOOLONG. */
int paths_default_endpoint(int system_mode, char *buf, size_t n);

/* The directory svcd keeps its log in by default in the given mode. */
int paths_default_state_dir(int system_mode, char *buf, size_t n);

/* Endpoints a client tries, in order, when none is given: the caller's own
 * service first, then the system one. Returns how many were written. */
int paths_client_endpoints(char out[PATHS_CANDIDATES_MAX][PATHS_MAX]);

/* dir + separator + name. Returns 0 or ERR_NAMETOOLONG. */
int paths_join(const char *dir, const char *name, char *buf, size_t n);

/* How a user starts the service here, for error messages. */
const char *paths_start_hint(void);

/* What to do when the OS refuses the connection: one clause naming who may
 * connect on this platform. */
const char *paths_access_hint(void);

/* The current process id. */
long paths_pid(void);

/* This machine's host name as the OS reports it (gethostname; on Windows
 * the DNS host name), UTF-8. Returns 0 or an ERR_ code. */
int paths_hostname(char *buf, size_t n);

/* The process id of the installed svcd service as its service manager
 * reports it, so a client can check that the system endpoint is served by
 * that very process. Returns 0, ERR_NOENT (not installed or not running), or
 * ERR_UNSUPPORTED where no service manager is consulted (then the check is
 * the endpoint owner's alone). */
int paths_service_pid(long *pid);

#endif
