#define _POSIX_C_SOURCE 200809L
#include "err.h"

#include <errno.h>

int err_from_os(unsigned long code)
{
    switch ((int)code) {
    case 0:
        return ERR_OK;
    case ENOMEM:
        return ERR_NOMEM;
    case EINVAL:
        return ERR_INVAL;
    case ENOENT:
    case ENOTDIR:
        return ERR_NOENT;
    case EEXIST:
        return ERR_EXIST;
    case EACCES:
    case EPERM:
    case EROFS:
        return ERR_ACCESS;
    case ETIMEDOUT:
        return ERR_TIMEDOUT;
    case ECONNREFUSED:
        return ERR_CONNREFUSED;
    case EPIPE:
    case ECONNRESET:
    case ENOTCONN:
        return ERR_CLOSED;
    case EFBIG:
    case EMSGSIZE:
        return ERR_TOOBIG;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
        return ERR_AGAIN;
    case EADDRINUSE:
        return ERR_INUSE;
    case ENOSPC:
    case EDQUOT:
        return ERR_NOSPC;
    case EINTR:
        return ERR_INTR;
    case ENAMETOOLONG:
        return ERR_NAMETOOLONG;
    case EBUSY:
        return ERR_BUSY;
    case ENOTSOCK:
        return ERR_NOTSOCK;
    }
    return ERR_IO;
}

int err_last_os(void)
{
    return err_from_os((unsigned long)errno);
}
