/* The client's side of the protocol: connect (trying the default endpoints),
 * send one request, read response frames, each wait bounded by a timeout. */
#ifndef SVCD_RPC_H
#define SVCD_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "frame.h"
#include "ipc.h"
#include "paths.h"

#define RPC_ERR_MAX 1024

struct rpc {
    ipc_client *c;
    char endpoint[PATHS_MAX];
    struct frame_reader fr;
    uint8_t buf[65536];
    size_t blen, bpos;
    int timeout_ms;
    uint64_t next_id;
    /* Lines for stderr from rpc_connect, each "warning: ...\n": endpoints
     * passed over because someone else holds them ("" when none). */
    char notice[RPC_ERR_MAX];
};

/* Connects to `endpoint`, or when NULL to SVCD_ENDPOINT, or else to each
 * default in turn: past one that is missing, and past the user's own one
 * when someone else serves or holds it (with a warning in r->notice).
 * Returns 0, or the connect error with one line in `err` that names every
 * endpoint tried and says what to do. */
int rpc_connect(struct rpc *r, const char *endpoint, int timeout_ms, char *err, size_t errlen);

/* Fills in version and a fresh id, and sends the request. Returns 0 or an
 * ERR_ code. */
int rpc_send(struct rpc *r, Svcd__Request *req);

/* Reads the next response. Returns 0 with a message to free with
 * svcd__response__free_unpacked; ERR_CLOSED when the service hung up;
 * ERR_TIMEDOUT; ERR_PROTO / ERR_TOOBIG for a malformed reply. */
int rpc_recv(struct rpc *r, Svcd__Response **out);

void rpc_close(struct rpc *r);

#endif
