#include "err.h"

#include <windows.h>

int err_from_os(unsigned long code)
{
    switch (code) {
    case ERROR_SUCCESS:
        return ERR_OK;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ERR_NOMEM;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
        return ERR_INVAL;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_SERVICE_DOES_NOT_EXIST:
        return ERR_NOENT;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
    case ERROR_SERVICE_EXISTS:
        return ERR_EXIST;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
        return ERR_ACCESS;
    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
    case ERROR_TIMEOUT:
    case ERROR_SERVICE_REQUEST_TIMEOUT:
        return ERR_TIMEDOUT;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
    case ERROR_HANDLE_EOF:
    case ERROR_OPERATION_ABORTED:
        return ERR_CLOSED;
    case ERROR_PIPE_BUSY:
    case ERROR_IO_PENDING:
        return ERR_AGAIN;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ERR_NOSPC;
    case ERROR_FILENAME_EXCED_RANGE:
        return ERR_NAMETOOLONG;
    case ERROR_CANT_RESOLVE_FILENAME: /* too many reparse points on the way */
        return ERR_LOOP;
    case ERROR_SERVICE_ALREADY_RUNNING:
        return ERR_INUSE;
    case ERROR_SHARING_VIOLATION: /* opened without FILE_SHARE_DELETE, e.g. Get-Content -Wait */
    case ERROR_LOCK_VIOLATION:
        return ERR_BUSY;
    }
    return ERR_IO;
}

int err_last_os(void)
{
    return err_from_os(GetLastError());
}
