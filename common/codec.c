#include "codec.h"
#include "err.h"
#include "frame.h"

#include <stdlib.h>
#include <string.h>

int codec_frame(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf;

    if (len == 0)
        return ERR_PROTO;
    if (len > FRAME_MAX_PAYLOAD)
        return ERR_TOOBIG;
    buf = malloc(FRAME_HEADER_SIZE + len);
    if (buf == NULL)
        return ERR_NOMEM;
    frame_put_header(buf, (uint32_t)len);
    protobuf_c_message_pack(msg, buf + FRAME_HEADER_SIZE);
    *out = buf;
    *out_len = FRAME_HEADER_SIZE + len;
    return 0;
}

int codec_unpack_request(const uint8_t *p, size_t n, Svcd__Request **out)
{
    *out = svcd__request__unpack(NULL, n, p);
    return *out ? 0 : ERR_PROTO;
}

int codec_unpack_response(const uint8_t *p, size_t n, Svcd__Response **out)
{
    *out = svcd__response__unpack(NULL, n, p);
    return *out ? 0 : ERR_PROTO;
}

enum { WIRE_VARINT = 0, WIRE_64BIT = 1, WIRE_LEN = 2, WIRE_32BIT = 5 };

/* One field of a message's wire form: its number and type, and its value
 * (a varint) or its bytes (length-delimited). */
struct wire_field {
    uint64_t number;
    unsigned type;
    uint64_t value;
    const uint8_t *body;
    size_t len;
};

/* Reads the varint at p[*at..n) into *v. Returns 0, or ERR_PROTO when it
 * runs past n or over the 10 bytes a 64-bit value takes. */
static int wire_varint(const uint8_t *p, size_t n, size_t *at, uint64_t *v)
{
    uint64_t r = 0;

    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (*at >= n)
            return ERR_PROTO;
        uint8_t b = p[(*at)++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return ERR_PROTO;
}

/* Reads the field at p[*at..n) and moves *at past it. Returns 0, or
 * ERR_PROTO for a truncated field, a length past the end, or a wire type
 * proto3 does not use (groups). */
static int wire_next(const uint8_t *p, size_t n, size_t *at, struct wire_field *f)
{
    uint64_t key;

    memset(f, 0, sizeof(*f));
    if (wire_varint(p, n, at, &key) < 0)
        return ERR_PROTO;
    f->number = key >> 3;
    f->type = (unsigned)(key & 7);
    switch (f->type) {
    case WIRE_VARINT:
        return wire_varint(p, n, at, &f->value);
    case WIRE_64BIT:
    case WIRE_32BIT: {
        size_t w = f->type == WIRE_64BIT ? 8 : 4;
        if (n - *at < w)
            return ERR_PROTO;
        *at += w;
        return 0;
    }
    case WIRE_LEN:
        if (wire_varint(p, n, at, &f->value) < 0 || f->value > n - *at)
            return ERR_PROTO;
        f->body = p + *at;
        f->len = (size_t)f->value;
        *at += f->len;
        return 0;
    default:
        return ERR_PROTO;
    }
}

/* The number proto/svcd.proto gives a field, from the generated tables. */
static uint64_t field_id(const ProtobufCMessageDescriptor *d, const char *name)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);

    return f ? f->id : 0;
}

/* One LogsRequest's bytes, folded into w. */
static int scan_logs_body(const uint8_t *p, size_t n, struct codec_logs_wire *w)
{
    uint64_t grep = field_id(&svcd__logs_request__descriptor, "grep");
    uint64_t level = field_id(&svcd__logs_request__descriptor, "min_level");
    struct wire_field f;
    size_t at = 0;

    while (at < n) {
        if (wire_next(p, n, &at, &f) < 0)
            return ERR_PROTO;
        if (f.number == grep && f.type == WIRE_LEN) {
            const uint8_t *z = memchr(f.body, 0, f.len);
            if (w->grep_nul)
                continue;
            w->grep_len = f.len;
            if (z) {
                w->grep_nul = 1;
                w->grep_nul_at = (size_t)(z - f.body);
            }
        } else if (f.number == level && f.type == WIRE_VARINT) {
            /* An enum is an int32 sent as a 64-bit varint (negative ones
             * sign-extended), so the int64 reading is what was meant. */
            int64_t v = (int64_t)f.value;
            if ((v < INT32_MIN || v > INT32_MAX) && !w->level_wide) {
                w->level_wide = 1;
                w->level_sent = v;
            }
        }
    }
    return 0;
}

int codec_scan_logs(const uint8_t *p, size_t n, struct codec_logs_wire *out)
{
    uint64_t logs = field_id(&svcd__request__descriptor, "logs");
    struct wire_field f;
    size_t at = 0;

    memset(out, 0, sizeof(*out));
    while (at < n) {
        if (wire_next(p, n, &at, &f) < 0)
            return ERR_PROTO;
        /* Every occurrence counts: protobuf merges repeated ones. */
        if (f.number == logs && f.type == WIRE_LEN && scan_logs_body(f.body, f.len, out) < 0)
            return ERR_PROTO;
    }
    return 0;
}

const char *codec_state_name(Svcd__ServiceState s)
{
    switch (s) {
    case SVCD__SERVICE_STATE__SERVICE_STATE_STARTING:
        return "starting";
    case SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING:
        return "running";
    case SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED:
        return "paused";
    case SVCD__SERVICE_STATE__SERVICE_STATE_STOPPING:
        return "stopping";
    default:
        return "unknown";
    }
}

const char *codec_result_name(Svcd__Result r)
{
    switch (r) {
    case SVCD__RESULT__RESULT_OK:
        return "ok";
    case SVCD__RESULT__RESULT_BAD_REQUEST:
        return "bad request";
    case SVCD__RESULT__RESULT_UNSUPPORTED_VERSION:
        return "unsupported protocol version";
    case SVCD__RESULT__RESULT_UNKNOWN_COMMAND:
        return "unknown command";
    case SVCD__RESULT__RESULT_DENIED:
        return "denied";
    case SVCD__RESULT__RESULT_BUSY:
        return "busy";
    case SVCD__RESULT__RESULT_INTERNAL:
        return "internal error";
    case SVCD__RESULT__RESULT_STOPPING:
        return "service stopping";
    default:
        return "unknown result";
    }
}
