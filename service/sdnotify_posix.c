#define _GNU_SOURCE
#include "sdnotify.h"
#include "err.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int sdnotify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len;
    ssize_t sent;
    int fd, rc = 0;

    if (path == NULL || path[0] == '\0')
        return 0;
    len = strlen(path);
    if (path[0] != '/' && path[0] != '@')
        return ERR_INVAL;
    if (len >= sizeof(sa.sun_path))
        return ERR_NAMETOOLONG;
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0'; /* abstract namespace */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_last_os();
    sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    if (sent < 0)
        rc = err_last_os();
    close(fd);
    return rc;
}
