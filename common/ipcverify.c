#include "ipcverify.h"
#include "err.h"

#include <limits.h>
#include <string.h>

int ipc_verify(const struct ipc_client_opts *o, enum ipc_owner owner, long server_pid)
{
    if (o == NULL || o->expect == IPC_EXPECT_ANY)
        return 0;
    if (o->expect == IPC_EXPECT_SYSTEM && owner != IPC_OWNER_SYSTEM)
        return ERR_UNTRUSTED;
    /* IPC_OWNER_ENDPOINT_USER passes here: only a root caller is told it. */
    if (o->expect == IPC_EXPECT_SELF_OR_SYSTEM && owner == IPC_OWNER_OTHER)
        return ERR_UNTRUSTED;
    /* A server whose process cannot be named (pid 0) is not the service:
     * Windows always names it, so only a failed query or an impostor gets 0. */
    if (o->expect_pid > 0 && server_pid != o->expect_pid)
        return ERR_UNTRUSTED;
    return 0;
}

/* The uid in a directory name "svcd-<digits>" (the default /tmp/svcd-$UID),
 * or -1 when the name is another. `name` runs for `len` bytes. */
static long named_uid(const char *name, size_t len)
{
    unsigned long long uid = 0;

    if (len <= 5 || len > 5 + 10 || memcmp(name, "svcd-", 5) != 0)
        return -1;
    for (size_t i = 5; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        uid = uid * 10 + (unsigned)(name[i] - '0'); /* 10 digits at most: no overflow */
    }
    return uid > LONG_MAX ? -1 : (long)uid;
}

long ipc_endpoint_user(const char *endpoint, long sock_uid, long dir_uid, unsigned dir_mode)
{
    const char *end = strrchr(endpoint, '/'), *start;
    long named;

    if (end == NULL || sock_uid != dir_uid || (dir_mode & 022) != 0)
        return -1;
    start = end;
    while (start > endpoint && start[-1] != '/')
        start--;
    named = named_uid(start, (size_t)(end - start));
    if (named >= 0 && named != dir_uid)
        return -1;
    return dir_uid;
}
