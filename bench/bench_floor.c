/* The floor for a client process: connect to a Unix socket, send 64 bytes,
 * read a reply, exit. Nothing a real client could skip. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char buf[64];
    int fd;

    if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
        return 2;
    strcpy(sa.sun_path, argv[1]);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return 1;
    memset(buf, 'x', sizeof(buf));
    if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
        return 1;
    if (read(fd, buf, sizeof(buf)) <= 0)
        return 1;
    close(fd);
    return 0;
}
