#include "rpc.h"
#include "err.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The system endpoint must be served by root/SYSTEM (and, where a service
 * manager knows it, by the installed service's process); any other by the
 * caller itself or the system (for root, also by the user whose endpoint it
 * is). On ERR_UNTRUSTED, `seen` says who serves it. */
static int try_one(struct rpc *r, const char *endpoint, int is_system, int timeout_ms, char *seen,
                   size_t seen_len)
{
    struct ipc_client_opts o = {IPC_EXPECT_SELF_OR_SYSTEM, 0, seen, seen_len};
    int rc = sbuf_copy(r->endpoint, sizeof(r->endpoint), endpoint);

    seen[0] = '\0';
    if (rc < 0)
        return rc;
    if (is_system) {
        o.expect = IPC_EXPECT_SYSTEM;
        if (paths_service_pid(&o.expect_pid) == ERR_NOENT)
            return ERR_NOENT;
    }
    return ipc_client_connect(endpoint, &o, timeout_ms, &r->c);
}

/* What to do about a connect error: one clause, or NULL. `seen` names the
 * server of an ERR_UNTRUSTED endpoint ("" when unknown). */
static const char *advice(int rc, const char *seen, int timeout_ms, char *buf, size_t n)
{
    switch (rc) {
    case ERR_NOENT:
        snprintf(buf, n,
                 "is svcd running? %s, or point --endpoint / SVCD_ENDPOINT at its "
                 "endpoint",
                 paths_start_hint());
        return buf;
    case ERR_CONNREFUSED:
        snprintf(buf, n, "svcd is not running there (it stopped or crashed): %s",
                 paths_start_hint());
        return buf;
    case ERR_NOTSOCK:
        return "the path exists but is not a socket, so svcd cannot be listening there (a "
               "file or folder left in its place): check --endpoint / SVCD_ENDPOINT, or remove "
               "it and start svcd";
    case ERR_ACCESS:
        return paths_access_hint();
    case ERR_UNTRUSTED:
        snprintf(buf, n,
                 "refusing to talk to it: the endpoint is not served by the svcd service but by "
                 "%s (another program holds the name; stop it, or check --endpoint)",
                 *seen ? seen : "an unknown owner");
        return buf;
    case ERR_AGAIN:
        snprintf(buf, n,
                 "svcd is busy: it took no new connection within --timeout (%d ms); try again "
                 "in a moment, or with a longer --timeout",
                 timeout_ms);
        return buf;
    case ERR_TIMEDOUT:
        return "svcd did not accept the connection in time (is it overloaded? try a longer "
               "--timeout)";
    default:
        return NULL;
    }
}

/* The user's own endpoint refused us, as no endpoint of theirs would:
 * someone else holds the name. Says so in r->notice, and returns 1 when the
 * next endpoint is worth a try. */
static int skip_foreign(struct rpc *r, int rc, const char *endpoint, const char *seen,
                        const char *next)
{
    size_t used = strlen(r->notice);
    char *p = r->notice + used;
    size_t room = sizeof(r->notice) - used;

    if (rc == ERR_UNTRUSTED)
        snprintf(p, room,
                 "warning: not using %s: it is served by %s, not by you or root (another "
                 "user may hold the name to catch your requests); trying %s\n",
                 endpoint, *seen ? seen : "an unknown owner", next);
    else if (rc == ERR_ACCESS)
        snprintf(p, room,
                 "warning: not using %s: permission denied, so it is not yours (another user "
                 "may hold its directory); trying %s\n",
                 endpoint, next);
    else
        return 0;
    return 1;
}

int rpc_connect(struct rpc *r, const char *endpoint, int timeout_ms, char *err, size_t errlen)
{
    char cands[PATHS_CANDIDATES_MAX][PATHS_MAX];
    const char *env = getenv("SVCD_ENDPOINT");
    struct sbuf why;
    char sys_ep[PATHS_MAX], seen[IPC_NAME_MAX + 64];
    int n = 0, rc = ERR_NOENT;

    memset(r, 0, sizeof(*r));
    frame_reader_init(&r->fr, FRAME_MAX_PAYLOAD);
    r->timeout_ms = timeout_ms;
    r->next_id = 1;
    if (endpoint == NULL && env && *env)
        endpoint = env;
    if (endpoint) {
        if (sbuf_copy(cands[0], PATHS_MAX, endpoint) < 0) {
            snprintf(err, errlen, "endpoint too long (at most %d bytes)", PATHS_MAX - 1);
            return ERR_NAMETOOLONG;
        }
        n = 1;
    } else {
        n = paths_client_endpoints(cands);
    }
    sbuf_init(&why, errlen);
    paths_default_endpoint(1, sys_ep, sizeof(sys_ep));
    for (int i = 0; i < n; i++) {
        rc = try_one(r, cands[i], strcmp(cands[i], sys_ep) == 0, timeout_ms, seen, sizeof(seen));
        if (rc == 0)
            break;
        sbuf_printf(&why, "%s %s (%s)", i ? ", nor at" : "cannot reach svcd at", cands[i],
                    rc == ERR_AGAIN ? "busy" : err_str(rc));
        /* A missing endpoint means "try the next default"; so does one that
         * is someone else's, once said. */
        if (i + 1 < n && skip_foreign(r, rc, cands[i], seen, cands[i + 1]))
            continue;
        if (rc != ERR_NOENT && rc != ERR_CONNREFUSED && rc != ERR_NOTSOCK)
            break;
    }
    if (rc < 0) {
        char hint[512];
        const char *a = advice(rc, seen, timeout_ms, hint, sizeof(hint));
        snprintf(err, errlen, "%s%s%s", sbuf_str(&why), a ? ": " : "", a ? a : "");
    }
    sbuf_free(&why);
    return rc;
}

int rpc_send(struct rpc *r, Svcd__Request *req)
{
    uint8_t *frame;
    size_t len;
    int rc;

    req->version = CODEC_PROTOCOL_VERSION;
    req->id = r->next_id++;
    rc = codec_frame(&req->base, &frame, &len);
    if (rc < 0)
        return rc;
    rc = ipc_client_send(r->c, frame, len, r->timeout_ms);
    free(frame);
    return rc;
}

int rpc_recv(struct rpc *r, Svcd__Response **out)
{
    for (;;) {
        if (r->bpos < r->blen) {
            size_t used;
            int rc = frame_reader_feed(&r->fr, r->buf + r->bpos, r->blen - r->bpos, &used);
            r->bpos += used;
            if (rc < 0)
                return rc;
            if (rc == 1) {
                uint32_t len;
                uint8_t *p = frame_reader_take(&r->fr, &len);
                rc = codec_unpack_response(p, len, out);
                free(p);
                return rc;
            }
            continue;
        }
        r->bpos = r->blen = 0;
        int rc = ipc_client_recv(r->c, r->buf, sizeof(r->buf), &r->blen, r->timeout_ms);
        if (rc < 0)
            return rc;
    }
}

void rpc_close(struct rpc *r)
{
    ipc_client_close(r->c);
    r->c = NULL;
    frame_reader_free(&r->fr);
}
