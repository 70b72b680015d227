#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"
#include "frame.h"

Test(codec, request_round_trip_through_a_frame)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    Svcd__Request *back;
    uint8_t *frame;
    size_t len;
    uint32_t plen;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = 42;
    req.command_case = SVCD__REQUEST__COMMAND_LOGS;
    req.logs = &lr;
    lr.tail = 20;
    cr_assert_eq(codec_frame(&req.base, &frame, &len), 0);
    cr_assert_eq(frame_get_header(frame, FRAME_MAX_PAYLOAD, &plen), 0);
    cr_assert_eq(plen + FRAME_HEADER_SIZE, len);
    cr_assert_eq(codec_unpack_request(frame + 4, plen, &back), 0);
    cr_assert_eq(back->id, 42);
    cr_assert_eq(back->version, 1);
    cr_assert_eq(back->command_case, SVCD__REQUEST__COMMAND_LOGS);
    cr_assert_eq(back->logs->tail, 20);
    protobuf_c_message_free_unpacked(&back->base, NULL);
    free(frame);
}

Test(codec, korean_text_round_trips_byte_for_byte)
{
    const char *ko = "구동중 1번 째 로그";
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    Svcd__LogChunk chunk = SVCD__LOG_CHUNK__INIT;
    Svcd__LogEntry e = SVCD__LOG_ENTRY__INIT;
    Svcd__LogEntry *ep = &e;
    Svcd__Response *back;
    uint8_t *frame;
    size_t len;

    e.message = (char *)ko;
    e.source = "worker";
    e.seq = 1;
    chunk.n_entries = 1;
    chunk.entries = &ep;
    resp.body_case = SVCD__RESPONSE__BODY_LOG_CHUNK;
    resp.log_chunk = &chunk;
    cr_assert_eq(codec_frame(&resp.base, &frame, &len), 0);
    cr_assert_eq(codec_unpack_response(frame + 4, len - 4, &back), 0);
    cr_assert_str_eq(back->log_chunk->entries[0]->message, ko);
    cr_assert_eq(strlen(back->log_chunk->entries[0]->message), strlen(ko));
    svcd__response__free_unpacked(back, NULL);
    free(frame);
}

Test(codec, garbage_is_a_protocol_error)
{
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    Svcd__Request *r = NULL;

    cr_assert_eq(codec_unpack_request(junk, sizeof(junk), &r), ERR_PROTO);
    cr_assert_null(r);
}

Test(codec, truncated_message_is_a_protocol_error)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    Svcd__Request *r = NULL;
    uint8_t *frame;
    size_t len;

    req.version = 1;
    req.id = 0x1122334455667788ULL;
    cr_assert_eq(codec_frame(&req.base, &frame, &len), 0);
    cr_assert_eq(codec_unpack_request(frame + 4, len - 4 - 3, &r), ERR_PROTO);
    free(frame);
}

Test(codec, message_over_the_frame_limit_is_refused)
{
    Svcd__Response resp = SVCD__RESPONSE__INIT;
    char *big = malloc(FRAME_MAX_PAYLOAD + 1);
    uint8_t *frame = NULL;
    size_t len;

    memset(big, 'a', FRAME_MAX_PAYLOAD);
    big[FRAME_MAX_PAYLOAD] = '\0';
    resp.error = big;
    cr_assert_eq(codec_frame(&resp.base, &frame, &len), ERR_TOOBIG);
    cr_assert_null(frame);
    free(big);
}

Test(codec, empty_message_cannot_be_framed)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    uint8_t *frame = NULL;
    size_t len;

    cr_assert_eq(codec_frame(&req.base, &frame, &len), ERR_PROTO);
}

Test(codec, names)
{
    cr_assert_str_eq(codec_state_name(SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED), "paused");
    cr_assert_str_eq(codec_result_name(SVCD__RESULT__RESULT_UNSUPPORTED_VERSION),
                     "unsupported protocol version");
    cr_assert_str_eq(codec_state_name((Svcd__ServiceState)99), "unknown");
}
