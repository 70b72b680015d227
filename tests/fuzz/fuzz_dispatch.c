#define _GNU_SOURCE /* mkdtemp */
/* libFuzzer target: the bytes a client can send, through the same path the
 * server takes: frame reader -> request decoder -> authorization ->
 * dispatcher -> log query, with a real service state and log (in /dev/shm,
 * so syncs cost nothing) and no sockets.
 *
 * Input layout: byte 0 picks the caller (bit 0: a stranger with no rights,
 * else the user running the fuzzer, who has both) and how the rest is cut
 * into reads (bits 1-3: chunk sizes 1..8 bytes, or everything at once);
 * the rest is the byte stream. Each stream of frames is read to its end
 * (bounded), as the server would. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "authz.h"
#include "dispatch.h"
#include "err.h"
#include "frame.h"
#include "svc.h"

#define STREAM_FRAMES_MAX 16

static struct svc s;
static struct authz *az;
static struct ipc_peer self_peer, stranger;
static char state_dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The log the run wrote goes with the process. */
static void remove_state(void)
{
    svc_finish(&s);
    nftw(state_dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct config cfg;
    char dir[] = "/dev/shm/svcd-fuzz-XXXXXX", err[AUTHZ_ERR_MAX];
    char *d = mkdtemp(dir);

    (void)argc;
    (void)argv;
    if (d == NULL) {
        snprintf(dir, sizeof(dir), "/tmp/svcd-fuzz-XXXXXX");
        d = mkdtemp(dir);
    }
    if (d == NULL)
        abort();
    snprintf(state_dir, sizeof(state_dir), "%s", d);
    atexit(remove_state);
    config_defaults(&cfg, 0);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", d);
    cfg.rotate_size = 1024 * 1024;
    cfg.rotate_keep = 2;
    if (svc_start(&s, &cfg, 0) < 0 || authz_open(&cfg, 0, &az, err, sizeof(err)) < 0)
        abort();
    self_peer = (struct ipc_peer){.pid = 1, .uid = (long)geteuid(), .gid = 0, .name = "fuzz"};
    stranger = (struct ipc_peer){.pid = 2, .uid = 4000000001L, .gid = -1, .name = "stranger"};
    return 0;
}

/* Reads a query's frames the way pump() does, but only so many. */
static void drain(struct query *q)
{
    for (int i = 0; i < STREAM_FRAMES_MAX; i++) {
        uint8_t *frame = NULL;
        size_t len = 0;
        int rc = query_next(q, &frame, &len);
        free(frame);
        if (rc <= 0 || rc == QUERY_WAITING)
            break;
    }
    query_free(q);
}

static void answer(const struct ipc_peer *who, const uint8_t *payload, size_t n)
{
    struct dispatch_out out;

    if (dispatch_payload(&s, az, who, payload, n, &out) < 0)
        return;
    free(out.frame);
    if (out.stream)
        drain(out.stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct frame_reader fr;
    const struct ipc_peer *who;
    size_t chunk;

    if (size < 1)
        return 0;
    who = (data[0] & 1) ? &stranger : &self_peer;
    chunk = (data[0] >> 1) & 7;
    chunk = chunk == 0 ? size : chunk;
    data++;
    size--;
    frame_reader_init(&fr, (uint32_t)s.cfg.max_request_size);
    while (size > 0) {
        size_t n = size < chunk ? size : chunk, used = 0;
        const uint8_t *p = data;
        data += n;
        size -= n;
        while (n > 0) {
            int rc = frame_reader_feed(&fr, p, n, &used);
            p += used;
            n -= used;
            if (rc < 0)
                goto free_reader; /* the server closes the connection here */
            if (rc == 1) {
                uint32_t len;
                uint8_t *payload = frame_reader_take(&fr, &len);
                answer(who, payload, len);
                free(payload);
            }
        }
    }
free_reader:
    frame_reader_free(&fr);
    return 0;
}
