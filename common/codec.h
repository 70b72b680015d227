/* Glue between framing and the protobuf-c messages of proto/svcd.proto.
 * Pure: bytes in, messages out, no I/O. */
#ifndef SVCD_CODEC_H
#define SVCD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "svcd.pb-c.h"

#define CODEC_PROTOCOL_VERSION SVCD__PROTOCOL_VERSION__PROTOCOL_VERSION_CURRENT

/* Serializes a message into a new buffer holding one complete frame
 * (header + payload). Returns 0, ERR_TOOBIG when the message is over
 * FRAME_MAX_PAYLOAD, ERR_PROTO when it serializes to nothing, or ERR_NOMEM. */
int codec_frame(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len);

/* Parses a frame payload. Returns 0 and a message to free with
 * protobuf_c_message_free_unpacked, or ERR_PROTO when the bytes are not a
 * valid message of that type. */
int codec_unpack_request(const uint8_t *p, size_t n, Svcd__Request **out);
int codec_unpack_response(const uint8_t *p, size_t n, Svcd__Response **out);

/* What a LogsRequest carried on the wire that its decoded form hides:
 * protobuf-c hands `grep` over as a C string, so a NUL byte in it cuts it,
 * and `min_level` as an int32, so 2^31 reads as -2^31 and 2^32 + 1 as 1. */
struct codec_logs_wire {
    int grep_nul;       /* a grep held a NUL byte... */
    size_t grep_nul_at; /* ...at this offset (the first one) */
    size_t grep_len;    /* as sent: of the grep with the NUL, else the last */
    int level_wide;     /* a min_level did not fit an int32... */
    int64_t level_sent; /* ...and this is its value as sent */
};

/* Walks the wire form of a Request (payload p[0..n)) through every logs
 * command it holds, for what struct codec_logs_wire describes. Fields it
 * does not know are skipped like protobuf does. Returns 0 (all zero when
 * there is no logs command), or ERR_PROTO when the bytes are not
 * well-formed protobuf. */
int codec_scan_logs(const uint8_t *p, size_t n, struct codec_logs_wire *out);

/* Names for enum values, for diagnostics and human output. Never NULL. */
const char *codec_state_name(Svcd__ServiceState s);
const char *codec_result_name(Svcd__Result r);

#endif
