/* Connection accessors shared by every platform's ipc_*.c. */
#include "ipc.h"
#include "ipc_conn.h"

static struct ipc_conn_common *common_of(const ipc_conn *c)
{
    return (struct ipc_conn_common *)c; /* the first member of every ipc_conn */
}

void ipc_conn_set_reading(ipc_conn *c, int on)
{
    common_of(c)->reading = on; /* the loop starts the next read */
}

const struct ipc_peer *ipc_conn_peer(const ipc_conn *c)
{
    return &common_of(c)->peer;
}

void ipc_conn_set_data(ipc_conn *c, void *data)
{
    common_of(c)->data = data;
}

void *ipc_conn_data(const ipc_conn *c)
{
    return common_of(c)->data;
}
