/* The client's decision whether an endpoint's server is the one it expects,
 * from facts the OS reports (ipc_posix.c / ipc_win.c gather them). Pure, so
 * the rule is tested on every platform, including what Wine cannot show. */
#ifndef SVCD_IPCVERIFY_H
#define SVCD_IPCVERIFY_H

#include "ipc.h"

/* Who owns the server end: the socket peer's uid, or the pipe's owner SID. */
enum ipc_owner {
    IPC_OWNER_OTHER = 0,
    IPC_OWNER_SELF,   /* the calling user */
    IPC_OWNER_ADMINS, /* BUILTIN\Administrators (elevated console svcd) */
    IPC_OWNER_SYSTEM, /* root / LocalSystem */
    /* The user whose user-mode endpoint it is (see ipc_endpoint_user), as
     * judged for a root caller only: root may use any user's svcd. */
    IPC_OWNER_ENDPOINT_USER,
};

/* Returns 0 when acceptable, ERR_UNTRUSTED otherwise. `server_pid` 0 means
 * the OS did not say: where a process is expected (o->expect_pid > 0, the
 * SCM's pid of the service) that is a refusal, since Windows (and Wine 8)
 * names every live pipe server and only a failed query yields 0. */
int ipc_verify(const struct ipc_client_opts *o, enum ipc_owner owner, long server_pid);

/* The uid a POSIX user-mode endpoint belongs to, from the owners of the
 * socket file and of its directory and the directory's mode: the directory's
 * owner, when it also owns the socket and nobody else may write the
 * directory (so nobody else could have put the socket there). A directory
 * named like the default "svcd-<uid>" (in /tmp, where anyone may create it)
 * belongs to that uid only: someone else who created it is a squatter.
 * Returns the uid, or -1 when the endpoint is nobody's in particular. */
long ipc_endpoint_user(const char *endpoint, long sock_uid, long dir_uid, unsigned dir_mode);

#endif
