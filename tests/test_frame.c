#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"

static size_t feed_all(struct frame_reader *r, const uint8_t *d, size_t n, int *rc)
{
    size_t used = 0;
    *rc = frame_reader_feed(r, d, n, &used);
    return used;
}

Test(frame, header_is_big_endian)
{
    uint8_t h[4];
    uint32_t len = 0;

    frame_put_header(h, 0x01020304);
    cr_assert_eq(h[0], 1);
    cr_assert_eq(h[3], 4);
    cr_assert_eq(frame_get_header(h, FRAME_MAX_PAYLOAD, &len), ERR_TOOBIG);
    frame_put_header(h, 300);
    cr_assert_eq(frame_get_header(h, FRAME_MAX_PAYLOAD, &len), 0);
    cr_assert_eq(len, 300);
}

Test(frame, whole_frame_in_one_piece)
{
    uint8_t buf[4 + 5] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    struct frame_reader r;
    uint32_t len;
    int rc;

    frame_reader_init(&r, 0);
    cr_assert_eq(feed_all(&r, buf, sizeof(buf), &rc), sizeof(buf));
    cr_assert_eq(rc, 1);
    uint8_t *p = frame_reader_take(&r, &len);
    cr_assert_eq(len, 5);
    cr_assert_arr_eq(p, "hello", 5);
    free(p);
    cr_assert_not(frame_reader_partial(&r));
}

Test(frame, split_reads_byte_by_byte)
{
    uint8_t buf[4 + 3] = {0, 0, 0, 3, 'a', 'b', 'c'};
    struct frame_reader r;
    uint32_t len;
    int rc = 0;

    frame_reader_init(&r, 0);
    for (size_t i = 0; i < sizeof(buf); i++) {
        cr_assert_eq(feed_all(&r, buf + i, 1, &rc), 1);
        cr_assert_eq(rc, i + 1 == sizeof(buf) ? 1 : 0, "byte %zu", i);
        if (i + 1 < sizeof(buf))
            cr_assert(frame_reader_partial(&r));
    }
    uint8_t *p = frame_reader_take(&r, &len);
    cr_assert_arr_eq(p, "abc", 3);
    free(p);
}

Test(frame, two_frames_in_one_read_stop_at_the_first)
{
    uint8_t buf[] = {0, 0, 0, 1, 'x', 0, 0, 0, 2, 'y', 'z'};
    struct frame_reader r;
    uint32_t len;
    int rc;

    frame_reader_init(&r, 0);
    size_t used = feed_all(&r, buf, sizeof(buf), &rc);
    cr_assert_eq(rc, 1);
    cr_assert_eq(used, 5);
    free(frame_reader_take(&r, &len));
    used = feed_all(&r, buf + 5, sizeof(buf) - 5, &rc);
    cr_assert_eq(rc, 1);
    cr_assert_eq(used, 6);
    uint8_t *p = frame_reader_take(&r, &len);
    cr_assert_eq(len, 2);
    cr_assert_arr_eq(p, "yz", 2);
    free(p);
}

Test(frame, zero_length_is_refused)
{
    uint8_t buf[4] = {0, 0, 0, 0};
    struct frame_reader r;
    int rc;

    frame_reader_init(&r, 0);
    feed_all(&r, buf, 4, &rc);
    cr_assert_eq(rc, ERR_PROTO);
    cr_assert_null(r.payload);
}

Test(frame, oversize_is_refused_before_allocation)
{
    uint8_t buf[4];
    struct frame_reader r;
    int rc;

    frame_put_header(buf, FRAME_MAX_PAYLOAD + 1);
    frame_reader_init(&r, 0);
    feed_all(&r, buf, 4, &rc);
    cr_assert_eq(rc, ERR_TOOBIG);
    cr_assert_null(r.payload, "no buffer may be allocated for a refused frame");

    frame_put_header(buf, 0xffffffffu);
    frame_reader_init(&r, 0);
    feed_all(&r, buf, 4, &rc);
    cr_assert_eq(rc, ERR_TOOBIG);
    cr_assert_null(r.payload);
}

Test(frame, exactly_the_limit_is_accepted)
{
    uint8_t buf[4];
    struct frame_reader r;
    int rc;

    frame_put_header(buf, FRAME_MAX_PAYLOAD);
    frame_reader_init(&r, 0);
    feed_all(&r, buf, 4, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_not_null(r.payload);
    frame_reader_free(&r);
}

Test(frame, smaller_reader_limit_applies)
{
    uint8_t buf[4];
    struct frame_reader r;
    int rc;

    frame_put_header(buf, 101);
    frame_reader_init(&r, 100);
    feed_all(&r, buf, 4, &rc);
    cr_assert_eq(rc, ERR_TOOBIG);
}

Test(frame, truncated_body_stays_partial)
{
    uint8_t buf[] = {0, 0, 0, 10, 'a', 'b'};
    struct frame_reader r;
    int rc;

    frame_reader_init(&r, 0);
    cr_assert_eq(feed_all(&r, buf, sizeof(buf), &rc), sizeof(buf));
    cr_assert_eq(rc, 0);
    cr_assert(frame_reader_partial(&r));
    frame_reader_free(&r);
    cr_assert_null(r.payload);
}
