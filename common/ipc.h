/* Local IPC endpoint: a Unix domain socket on POSIX (ipc_posix.c), a named
 * pipe on Windows (ipc_win.c).
 *
 * Server side: a single-threaded event loop. ipc_server_run_once waits for
 * connections, input, output space or a wake-up, and calls the handlers.
 * Output is queued per connection and written as the peer reads it, so a slow
 * reader never blocks the loop. Client side: blocking calls, each bounded by
 * a timeout. */
#ifndef SVCD_IPC_H
#define SVCD_IPC_H

#include <stddef.h>
#include <stdint.h>

#define IPC_ENDPOINT_MAX 256
#define IPC_NAME_MAX     128 /* a longer name is cut, ending in "…" */
#define IPC_SID_MAX      192

typedef struct ipc_server ipc_server;
typedef struct ipc_conn ipc_conn;
typedef struct ipc_client ipc_client;

/* Who is on the other end, as the OS reports it (never as the peer claims). */
struct ipc_peer {
    long pid;                /* -1 when unknown */
    long uid;                /* POSIX uid, -1 on Windows */
    long gid;                /* POSIX gid, -1 on Windows */
    char name[IPC_NAME_MAX]; /* user name, or "uid N" when it has none */
    char sid[IPC_SID_MAX];   /* Windows SID string, "" on POSIX */
    void *token;             /* Windows: the client's token (TOKEN_QUERY), for
                                AccessCheck; owned by the connection. NULL on POSIX */
};

/* The one wording of a peer in messages and log entries: "alice (uid 1000,
 * pid 42)", "uid 1000 (pid 42)" for a uid the user database has no name for,
 * "CORP\\bob (S-1-5-21-..., pid 42)" on Windows; without the pid when
 * `with_pid` is 0 or the pid is unknown ("alice (uid 1000)", "uid 1000").
 * Always NUL-terminates buf (n > 0). */
void ipc_peer_describe(const struct ipc_peer *p, int with_pid, char *buf, size_t n);

struct ipc_handlers {
    void *ctx;
    /* A connection was accepted; attach state with ipc_conn_set_data. */
    void (*on_accept)(void *ctx, ipc_conn *c);
    /* Bytes arrived. */
    void (*on_data)(void *ctx, ipc_conn *c, const uint8_t *data, size_t n);
    /* Every queued byte was written. */
    void (*on_drain)(void *ctx, ipc_conn *c);
    /* The connection is gone (peer closed, error, or ipc_conn_close); `err`
     * is 0 for an orderly end. The conn is freed right after this returns. */
    void (*on_close)(void *ctx, ipc_conn *c, int err);
    /* Every input of this round was handled; called once a round (may be
     * NULL), before any output queued in the round is handed to the OS, so
     * the server can make its log entries durable first (group commit). It
     * may queue more output. */
    void (*on_round_end)(void *ctx);
    /* Whether output queued now must wait for on_round_end (may be NULL:
     * never). When not, a reply is written as soon as it is queued, so the
     * client need not wait for the rest of the round. */
    int (*hold_output)(void *ctx);
};

struct ipc_server_opts {
    int system_mode; /* endpoint for every permitted user vs only the owner */
    /* POSIX system mode: the group that owns the endpoint (its directory
     * 0750, the socket 0660) and a group given the same access by an ACL
     * entry; -1 for none. Ignored on Windows, where the pipe DACL decides. */
    long group;
    long read_group;
};

/* Creates the endpoint and starts listening. A stale endpoint left by a dead
 * process is replaced; one a live process answers on is left alone and
 * ERR_INUSE is returned. Other failures: ERR_ACCESS, ERR_NAMETOOLONG, ERR_EXIST
 * (the path is something other than an endpoint), ERR_NOMEM, ERR_IO. */
int ipc_server_open(const char *endpoint, const struct ipc_server_opts *opts,
                    const struct ipc_handlers *h, ipc_server **out);

/* Waits at most timeout_ms (-1: no limit) for events and dispatches them,
 * then calls on_round_end, then writes the output queued in the round.
 * When accept fails for want of descriptors (EMFILE, ENFILE) the endpoint
 * stops accepting until a connection closes (or a second passes), and says
 * so once, with a warning: waiting clients stay in the backlog.
 * Returns 0 (also after a wake-up or a timeout) or a negative error if the
 * loop itself failed. */
int ipc_server_run_once(ipc_server *s, int timeout_ms);

/* Makes a running or upcoming ipc_server_run_once return promptly. Safe to
 * call from a signal handler or another thread. */
void ipc_server_wake(ipc_server *s);

/* After ipc_server_open failed with ERR_ACCESS: says in one clause why the
 * endpoint's directory was refused, naming it and its owner, and what to do
 * (e.g. "its directory /tmp/svcd-1003 belongs to mallory (uid 1004) ...").
 * Returns 0, or ERR_NOENT when there is nothing more to say than
 * "permission denied" (always on Windows, where a pipe has no directory). */
int ipc_server_explain_access(const char *endpoint, char *buf, size_t n);

/* Closes every connection (calling on_close) and removes the endpoint if it is
 * still ours. */
void ipc_server_close(ipc_server *s);

/* A reload's new groups for the open endpoint (POSIX system mode: the
 * socket, and its directory when svcd owns it, as ipc_server_open sets
 * them); elsewhere, and on Windows, nothing. Returns 0 or the error of
 * chown/chmod/ACL. */
int ipc_server_set_groups(ipc_server *s, const struct ipc_server_opts *opts);

size_t ipc_server_conn_count(const ipc_server *s);

/* Queues bytes (copied) for sending. Returns 0 or ERR_NOMEM / ERR_CLOSED. */
int ipc_conn_send(ipc_conn *c, const uint8_t *data, size_t n);

/* Bytes queued and not yet written. */
size_t ipc_conn_pending(const ipc_conn *c);

/* Bytes written to the peer so far: unchanged while pending > 0 means the
 * peer is not reading. */
uint64_t ipc_conn_sent(const ipc_conn *c);

/* Stops (on=0) or restarts (on=1) reading from this connection, so the peer
 * is held back while its earlier request is still being answered. */
void ipc_conn_set_reading(ipc_conn *c, int on);

/* Closes the connection: at once, or after the queue is written when
 * `after_flush` is set. on_close follows from the loop. */
void ipc_conn_close(ipc_conn *c, int after_flush);

const struct ipc_peer *ipc_conn_peer(const ipc_conn *c);

/* Brings what is known of the peer up to date and says whether more is
 * coming: POSIX looks up a peer's name and groups off the loop (userdb.h),
 * so at accept they may not be known yet; 1 while that answer is worth
 * waiting for (hold the request, not the loop), else 0. Windows: always 0
 * (the name comes with the connection). */
int ipc_conn_peer_update(ipc_conn *c);

void ipc_conn_set_data(ipc_conn *c, void *data);
void *ipc_conn_data(const ipc_conn *c);

/* Whom the client expects at the other end. It checks before sending a byte,
 * from what the OS says of the server (socket peer credentials; pipe owner and
 * server process id), so a squatter on the endpoint learns nothing. */
enum ipc_expect {
    IPC_EXPECT_ANY = 0,
    IPC_EXPECT_SELF_OR_SYSTEM, /* served by this user, root/SYSTEM or Administrators;
                                  for root also by the user whose endpoint it is */
    IPC_EXPECT_SYSTEM,         /* served by root / LocalSystem only */
};

struct ipc_client_opts {
    enum ipc_expect expect;
    long expect_pid; /* > 0: the server process must be this one */
    /* Optional: on ERR_UNTRUSTED, who serves the endpoint, one phrase such
     * as "mallory (uid 1004, pid 77)". */
    char *seen;
    size_t seen_len;
};

/* Connects within timeout_ms and verifies the server as `o` asks (NULL: no
 * check). A server too busy to take the connection (a full listen queue, all
 * pipe instances taken) is waited for within the same timeout. Returns 0,
 * ERR_NOENT (no endpoint), ERR_CONNREFUSED (endpoint exists, nobody
 * listens), ERR_ACCESS, ERR_AGAIN (still busy when the time ran out),
 * ERR_TIMEDOUT, ERR_UNTRUSTED (someone else serves it), ERR_NAMETOOLONG,
 * ERR_NOMEM or ERR_IO. */
int ipc_client_connect(const char *endpoint, const struct ipc_client_opts *o, int timeout_ms,
                       ipc_client **out);

/* Writes all bytes within timeout_ms. Returns 0, ERR_TIMEDOUT, ERR_CLOSED, ERR_IO. */
int ipc_client_send(ipc_client *c, const void *data, size_t n, int timeout_ms);

/* Reads between 1 and cap bytes within timeout_ms. Returns 0 and *got > 0,
 * ERR_CLOSED at end of stream, ERR_TIMEDOUT, or ERR_IO. */
int ipc_client_recv(ipc_client *c, void *buf, size_t cap, size_t *got, int timeout_ms);

void ipc_client_close(ipc_client *c);

#endif
