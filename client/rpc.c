#include "rpc.h"
#include "err.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The system endpoint must be served by root/SYSTEM (and, where a service
 * manager knows it, by the installed service's process); any other by the
 * caller itself or the system. */
static int try_one(struct rpc *r, const char *endpoint, int is_system, int timeout_ms)
{
    struct ipc_client_opts o = {IPC_EXPECT_SELF_OR_SYSTEM, 0};
    int rc = sbuf_copy(r->endpoint, sizeof(r->endpoint), endpoint);

    if (rc < 0)
        return rc;
    if (is_system) {
        o.expect = IPC_EXPECT_SYSTEM;
        if (paths_service_pid(&o.expect_pid) == ERR_NOENT)
            return ERR_NOENT;
    }
    return ipc_client_connect(endpoint, &o, timeout_ms, &r->c);
}

/* What to do about a connect error: one clause, or NULL. */
static const char *advice(int rc, char *buf, size_t n)
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
    case ERR_ACCESS:
        return paths_access_hint();
    case ERR_UNTRUSTED:
        return "refusing to talk to it: the endpoint is not served by the svcd service "
               "(another program holds the name; stop it, or check --endpoint)";
    case ERR_TIMEDOUT:
        return "svcd did not accept the connection in time (is it overloaded? try a longer "
               "--timeout)";
    default:
        return NULL;
    }
}

int rpc_connect(struct rpc *r, const char *endpoint, int timeout_ms, char *err, size_t errlen)
{
    char cands[PATHS_CANDIDATES_MAX][PATHS_MAX];
    const char *env = getenv("SVCD_ENDPOINT");
    struct sbuf why;
    char sys_ep[PATHS_MAX];
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
        rc = try_one(r, cands[i], strcmp(cands[i], sys_ep) == 0, timeout_ms);
        if (rc == 0)
            break;
        sbuf_printf(&why, "%s %s (%s)", i ? ", nor at" : "cannot reach svcd at", cands[i],
                    err_str(rc));
        /* Only a missing endpoint means "try the next default". */
        if (rc != ERR_NOENT && rc != ERR_CONNREFUSED)
            break;
    }
    if (rc < 0) {
        char hint[256];
        const char *a = advice(rc, hint, sizeof(hint));
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
