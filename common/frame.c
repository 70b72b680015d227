#include "frame.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void frame_put_header(uint8_t out[FRAME_HEADER_SIZE], uint32_t len)
{
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
}

int frame_get_header(const uint8_t in[FRAME_HEADER_SIZE], uint32_t max, uint32_t *len)
{
    uint32_t v = ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) | ((uint32_t)in[2] << 8) |
                 (uint32_t)in[3];

    if (v == 0)
        return ERR_PROTO;
    if (v > max)
        return ERR_TOOBIG;
    *len = v;
    return 0;
}

void frame_reader_init(struct frame_reader *r, uint32_t max)
{
    memset(r, 0, sizeof(*r));
    r->max = (max == 0 || max > FRAME_MAX_PAYLOAD) ? FRAME_MAX_PAYLOAD : max;
}

/* Fills the header; once complete, validates it and allocates the payload.
 * Returns bytes consumed or a negative error. */
static long feed_header(struct frame_reader *r, const uint8_t *data, size_t n)
{
    size_t want = FRAME_HEADER_SIZE - r->hdr_have;
    size_t take = n < want ? n : want;
    int rc;

    memcpy(r->hdr + r->hdr_have, data, take);
    r->hdr_have += take;
    if (r->hdr_have < FRAME_HEADER_SIZE)
        return (long)take;
    rc = frame_get_header(r->hdr, r->max, &r->len);
    if (rc < 0)
        return rc;
    r->payload = malloc(r->len);
    if (r->payload == NULL)
        return ERR_NOMEM;
    r->have = 0;
    return (long)take;
}

int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t n, size_t *used)
{
    size_t off = 0;

    *used = 0;
    if (r->hdr_have < FRAME_HEADER_SIZE) {
        long got = feed_header(r, data, n);
        if (got < 0)
            return (int)got;
        off = (size_t)got;
        if (r->hdr_have < FRAME_HEADER_SIZE) {
            *used = off;
            return 0;
        }
    }
    size_t want = r->len - r->have;
    size_t take = (n - off) < want ? (n - off) : want;
    memcpy(r->payload + r->have, data + off, take);
    r->have += (uint32_t)take;
    *used = off + take;
    return r->have == r->len ? 1 : 0;
}

uint8_t *frame_reader_take(struct frame_reader *r, uint32_t *len)
{
    uint8_t *p = r->payload;
    uint32_t max = r->max;

    *len = r->len;
    memset(r, 0, sizeof(*r));
    r->max = max;
    return p;
}

int frame_reader_partial(const struct frame_reader *r)
{
    return r->hdr_have > 0;
}

void frame_reader_free(struct frame_reader *r)
{
    free(r->payload);
    r->payload = NULL;
    r->hdr_have = 0;
    r->have = 0;
}
