/* Serves the control protocol on the IPC endpoint: one session per
 * connection, reading frames, answering each request through dispatch, and
 * pumping log streams only as fast as the client reads them. */
#ifndef SVCD_SERVER_H
#define SVCD_SERVER_H

#include "authz.h"
#include "ipc.h"
#include "svc.h"

struct session;

struct server {
    ipc_server *ipc;
    struct svc *svc;
    const struct authz *authz; /* decides every request, of old connections too */
    int system_mode;
    struct session *streams;  /* sessions with an open log stream */
    struct session *sessions; /* every connection's session */
    uint64_t pumped_seq;      /* the log's last seq when streams were last woken */
    uint64_t round;           /* loop rounds run: FRAMES_PER_ROUND counts within one */
    unsigned scan_turn;       /* which paused scan goes on next (one per loop turn) */
};

/* Opens the endpoint, reachable by whom `az` names; requests are authorized
 * by `az` and answered from `s`, which must be started before the first
 * server_run_once. Returns 0, ERR_INUSE (another svcd answers there), or
 * another ipc_server_open error. */
int server_open(struct server *sv, struct svc *s, const struct authz *az, const char *endpoint,
                int system_mode);

/* A reload's new policy `az`: it decides every request from now on, of
 * the connections open now too (a member taken out of control_group can
 * no longer pause on a connection it opened before). `old`, the policy in
 * use until now, is closed. */
void server_set_authz(struct server *sv, const struct authz *az, struct authz *old);

/* Gives the endpoint the groups of the current policy (POSIX system mode),
 * after server_set_authz. Returns 0 or the error of chown/chmod/ACL. */
int server_endpoint_groups(struct server *sv);

/* Runs one round of the loop, waiting at most timeout_ms. */
int server_run_once(struct server *sv, int timeout_ms);

void server_wake(struct server *sv);

/* Ends every followed stream with a LogEnd giving `reason` (e.g. "service
 * stopping") and gives the clients a moment (at most 0.5 s) to receive it. */
void server_end_streams(struct server *sv, const char *reason);

/* Closes every connection and removes the endpoint. */
void server_close(struct server *sv);

#endif
