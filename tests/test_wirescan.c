/* codec_scan_logs: what a logs request carried on the wire that protobuf-c's
 * decoded form hides (a NUL in grep, a level over 32 bits). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "err.h"

/* A framed request with `lr`, scanned; returns the scan's result. */
static int scan_req(Svcd__LogsRequest *lr, struct codec_logs_wire *w)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    uint8_t *frame;
    size_t len;

    req.version = CODEC_PROTOCOL_VERSION;
    req.id = 9;
    req.command_case = SVCD__REQUEST__COMMAND_LOGS;
    req.logs = lr;
    cr_assert_eq(codec_frame(&req.base, &frame, &len), 0);
    int rc = codec_scan_logs(frame + 4, len - 4, w);
    free(frame);
    return rc;
}

Test(wirescan, an_ordinary_request_has_nothing_hidden)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct codec_logs_wire w;

    lr.grep = "heartbeat";
    lr.min_level = SVCD__LEVEL__LEVEL_ERROR;
    lr.tail = 10;
    lr.since_us = 12345;
    cr_assert_eq(scan_req(&lr, &w), 0);
    cr_assert_eq(w.grep_nul, 0);
    cr_assert_eq(w.grep_len, 9);
    cr_assert_eq(w.level_wide, 0);
}

Test(wirescan, a_negative_level_fits_an_int32)
{
    Svcd__LogsRequest lr = SVCD__LOGS_REQUEST__INIT;
    struct codec_logs_wire w;

    lr.min_level = (Svcd__Level)-3; /* ten bytes on the wire */
    cr_assert_eq(scan_req(&lr, &w), 0);
    cr_assert_eq(w.level_wide, 0);
}

Test(wirescan, a_nul_inside_grep_is_found_with_its_offset)
{
    /* version 1, logs { grep "ab\0c" } */
    const uint8_t p[] = {0x08, 0x01, 0x6a, 0x06, 0x32, 0x04, 'a', 'b', 0x00, 'c'};
    struct codec_logs_wire w;
    Svcd__Request *req;

    cr_assert_eq(codec_unpack_request(p, sizeof(p), &req), 0);
    cr_assert_str_eq(req->logs->grep, "ab", "protobuf-c cuts it: why the scan exists");
    svcd__request__free_unpacked(req, NULL);
    cr_assert_eq(codec_scan_logs(p, sizeof(p), &w), 0);
    cr_assert_eq(w.grep_nul, 1);
    cr_assert_eq(w.grep_nul_at, 2);
    cr_assert_eq(w.grep_len, 4);
}

Test(wirescan, a_nul_in_an_earlier_repeated_logs_field_counts)
{
    /* logs { grep "\0" } then logs { grep "x" }: protobuf merges them */
    const uint8_t p[] = {0x6a, 0x03, 0x32, 0x01, 0x00, 0x6a, 0x03, 0x32, 0x01, 'x'};
    struct codec_logs_wire w;

    cr_assert_eq(codec_scan_logs(p, sizeof(p), &w), 0);
    cr_assert_eq(w.grep_nul, 1);
    cr_assert_eq(w.grep_len, 1);
}

Test(wirescan, levels_over_32_bits_keep_their_value)
{
    const uint8_t big[] = {0x6a, 0x06, 0x28, 0x80, 0x80, 0x80, 0x80, 0x08};  /* 2^31 */
    const uint8_t wrap[] = {0x6a, 0x06, 0x28, 0x81, 0x80, 0x80, 0x80, 0x10}; /* 2^32+1 */
    struct codec_logs_wire w;
    Svcd__Request *req;

    cr_assert_eq(codec_scan_logs(big, sizeof(big), &w), 0);
    cr_assert_eq(w.level_wide, 1);
    cr_assert_eq(w.level_sent, 2147483648LL);
    cr_assert_eq(codec_unpack_request(wrap, sizeof(wrap), &req), 0);
    cr_assert_eq((int)req->logs->min_level, 1, "protobuf-c reads it as debug");
    svcd__request__free_unpacked(req, NULL);
    cr_assert_eq(codec_scan_logs(wrap, sizeof(wrap), &w), 0);
    cr_assert_eq(w.level_sent, 4294967297LL);
}

Test(wirescan, unknown_fields_of_every_wire_type_are_skipped)
{
    /* field 50 varint, 51 fixed64, 52 fixed32, 53 bytes, then logs { grep "\0" } */
    const uint8_t p[] = {0x90, 0x03, 0x01, 0x99, 0x03, 1,    2,    3,   4, 5,
                         6,    7,    8,    0xa5, 0x03, 1,    2,    3,   4, 0xaa,
                         0x03, 0x01, 0x00, 0x6a, 0x03, 0x32, 0x01, 0x00};
    struct codec_logs_wire w;

    cr_assert_eq(codec_scan_logs(p, sizeof(p), &w), 0);
    cr_assert_eq(w.grep_nul, 1);
}

Test(wirescan, malformed_bytes_are_a_protocol_error_never_a_read_past_the_end)
{
    const uint8_t past[] = {0x6a, 0x10, 0x32};        /* logs longer than all */
    const uint8_t inner[] = {0x6a, 0x02, 0x32, 0x05}; /* grep past its logs */
    const uint8_t varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t group[] = {0x0b, 0x0c};    /* a group */
    const uint8_t fixed[] = {0x09, 1, 2, 3}; /* fixed64 cut short */
    struct codec_logs_wire w;

    cr_assert_eq(codec_scan_logs(past, sizeof(past), &w), ERR_PROTO);
    cr_assert_eq(codec_scan_logs(inner, sizeof(inner), &w), ERR_PROTO);
    cr_assert_eq(codec_scan_logs(varint, sizeof(varint), &w), ERR_PROTO);
    cr_assert_eq(codec_scan_logs(group, sizeof(group), &w), ERR_PROTO);
    cr_assert_eq(codec_scan_logs(fixed, sizeof(fixed), &w), ERR_PROTO);
    cr_assert_eq(codec_scan_logs(NULL, 0, &w), 0);
}
