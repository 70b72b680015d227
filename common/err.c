#include "err.h"

const char *err_str(int err)
{
    switch (err) {
    case ERR_OK:
        return "success";
    case ERR_NOMEM:
        return "out of memory";
    case ERR_INVAL:
        return "invalid argument";
    case ERR_IO:
        return "input/output error";
    case ERR_NOENT:
        return "not found";
    case ERR_EXIST:
        return "already exists";
    case ERR_ACCESS:
        return "permission denied";
    case ERR_TIMEDOUT:
        return "timed out";
    case ERR_CONNREFUSED:
        return "connection refused";
    case ERR_CLOSED:
        return "connection closed by peer";
    case ERR_TOOBIG:
        return "too large";
    case ERR_PROTO:
        return "protocol error";
    case ERR_AGAIN:
        return "resource temporarily unavailable";
    case ERR_INUSE:
        return "in use by a running process";
    case ERR_NOSPC:
        return "no space left on device";
    case ERR_INTR:
        return "interrupted";
    case ERR_NAMETOOLONG:
        return "name too long";
    case ERR_UNTRUSTED:
        return "served by an unexpected owner";
    case ERR_UNSUPPORTED:
        return "not supported on this platform";
    case ERR_BUSY:
        return "held open by another process";
    case ERR_NOTDIR:
        return "a link or a file, not a folder";
    case ERR_NOTSOCK:
        return "not a socket";
    case ERR_LOOP:
        return "too many levels of symbolic links (a loop?)";
    }
    return "unknown error";
}
