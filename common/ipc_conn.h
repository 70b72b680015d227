/* Internal to the ipc_*.c files: the part of a connection every platform
 * shares, so its accessors (ipc.c) are written once. Each platform's
 * struct ipc_conn starts with a `struct ipc_conn_common base`. */
#ifndef SVCD_IPC_CONN_H
#define SVCD_IPC_CONN_H

#include "ipc.h"

struct ipc_conn_common {
    void *data;
    struct ipc_peer peer;
    int reading;  /* read requests from the peer */
    int closing;  /* close once the queue is empty */
    int dead;     /* closed; on_close pending */
    int dead_err; /* why (0: an orderly end) */
};

#endif
