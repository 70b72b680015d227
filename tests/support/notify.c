#include "notify.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int notify_listener(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    cr_assert_geq(fd, 0);
    cr_assert_lt(len, sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    cr_assert_eq(
        bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
        0, "bind %s: %s", path, strerror(errno));
    return fd;
}

void notify_next(int fd, char *buf, size_t cap)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    cr_assert_gt(poll(&pf, 1, 5000), 0, "svcd sent nothing to NOTIFY_SOCKET");
    ssize_t n = recv(fd, buf, cap - 1, 0);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
}
