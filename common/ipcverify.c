#include "ipcverify.h"
#include "err.h"

int ipc_verify(const struct ipc_client_opts *o, enum ipc_owner owner, long server_pid)
{
    if (o == NULL || o->expect == IPC_EXPECT_ANY)
        return 0;
    if (o->expect == IPC_EXPECT_SYSTEM && owner != IPC_OWNER_SYSTEM)
        return ERR_UNTRUSTED;
    if (o->expect == IPC_EXPECT_SELF_OR_SYSTEM && owner == IPC_OWNER_OTHER)
        return ERR_UNTRUSTED;
    /* A server whose process cannot be named (pid 0) is not the service:
     * Windows always names it, so only a failed query or an impostor gets 0. */
    if (o->expect_pid > 0 && server_pid != o->expect_pid)
        return ERR_UNTRUSTED;
    return 0;
}
