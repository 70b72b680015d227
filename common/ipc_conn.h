/* Internal to the ipc_*.c files: the part of a connection every platform
 * shares, so its accessors (ipc.c) are written once. Each platform's
 * struct ipc_conn starts with a `struct ipc_conn_common base`. */
#ifndef SVCD_IPC_CONN_H
#define SVCD_IPC_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

/* Bytes queued for a peer: [off, len) of p is still to be written. */
struct ipc_buf {
    uint8_t *p;
    size_t off, len, cap;
};

/* Appends a copy of data. Returns 0 or ERR_NOMEM. */
int ipc_buf_append(struct ipc_buf *b, const uint8_t *data, size_t n);

/* Marks n bytes written; an emptied buffer starts over at its beginning. */
void ipc_buf_consume(struct ipc_buf *b, size_t n);

static inline size_t ipc_buf_pending(const struct ipc_buf *b)
{
    return b->len - b->off;
}

void ipc_buf_free(struct ipc_buf *b);

struct ipc_conn_common {
    void *data;
    struct ipc_peer peer;
    int reading;        /* read requests from the peer */
    int closing;        /* close once the queue is empty */
    int dead;           /* closed; on_close pending */
    int dead_err;       /* why (0: an orderly end) */
    struct ipc_buf out; /* queued for the peer, not yet handed to the OS */
    uint64_t sent;      /* bytes the OS has taken, in all */
};

#endif
