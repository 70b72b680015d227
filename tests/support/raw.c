#define _GNU_SOURCE
#include "raw.h"
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int raw_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    int fd;

    if (len >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, path, len + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int raw_send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int raw_send_req(int fd, Svcd__Request *req)
{
    uint8_t *frame;
    size_t len;
    int rc;

    if (codec_frame(&req->base, &frame, &len) < 0)
        return -1;
    rc = raw_send_all(fd, frame, len);
    free(frame);
    return rc;
}

int raw_send_payload(int fd, const void *payload, uint32_t n)
{
    uint8_t hdr[4];

    frame_put_header(hdr, n);
    if (raw_send_all(fd, hdr, 4) < 0)
        return -1;
    return n ? raw_send_all(fd, payload, n) : 0;
}

static int recv_exact(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    while (n > 0) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, timeout_ms) <= 0)
            return -1;
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

Svcd__Response *raw_recv_resp(int fd, int timeout_ms)
{
    Svcd__Response *r = NULL;
    uint8_t hdr[4], *body;
    uint32_t len;

    if (recv_exact(fd, hdr, 4, timeout_ms) < 0 ||
        frame_get_header(hdr, FRAME_MAX_PAYLOAD, &len) < 0)
        return NULL;
    body = malloc(len ? len : 1);
    if (body == NULL)
        return NULL;
    if (recv_exact(fd, body, len, timeout_ms) < 0 || codec_unpack_response(body, len, &r) < 0)
        r = NULL;
    free(body);
    return r;
}

int raw_closed_within(int fd, int timeout_ms)
{
    uint8_t b[4096];
    struct pollfd pf = {.fd = fd, .events = POLLIN};

    for (;;) {
        if (poll(&pf, 1, timeout_ms) <= 0)
            return 0;
        ssize_t r = recv(fd, b, sizeof(b), 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return 1;
        if (r < 0 && errno != EINTR)
            return 0;
    }
}

Svcd__Request raw_status_req(uint64_t id)
{
    static Svcd__StatusRequest st = SVCD__STATUS_REQUEST__INIT;
    Svcd__Request req = SVCD__REQUEST__INIT;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = id;
    req.command_case = SVCD__REQUEST__COMMAND_STATUS;
    req.status = &st;
    return req;
}

Svcd__Request raw_logs_req(uint64_t id, Svcd__LogsRequest *lr)
{
    Svcd__Request req = SVCD__REQUEST__INIT;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = id;
    req.command_case = SVCD__REQUEST__COMMAND_LOGS;
    req.logs = lr;
    return req;
}
