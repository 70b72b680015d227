#include "codec.h"
#include "err.h"
#include "frame.h"

#include <stdlib.h>

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
