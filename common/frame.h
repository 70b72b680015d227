/* Length-prefixed framing: a 4-byte unsigned big-endian length, then exactly
 * that many payload bytes. Pure logic, no I/O, so it is tested without sockets.
 *
 * A frame_reader is fed whatever bytes arrive, in pieces of any size, and
 * yields whole payloads. The length is checked against the limit before the
 * payload buffer is allocated, so a hostile length costs nothing. */
#ifndef SVCD_FRAME_H
#define SVCD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_SIZE 4
#define FRAME_MAX_PAYLOAD (1024u * 1024u) /* 1 MiB: larger frames are refused */

struct frame_reader {
    uint8_t hdr[FRAME_HEADER_SIZE];
    size_t hdr_have;
    uint8_t *payload; /* allocated once the header is complete and valid */
    uint32_t len;
    uint32_t have;
    uint32_t max; /* payload limit, at most FRAME_MAX_PAYLOAD */
};

/* Writes the header for a payload of `len` bytes. */
void frame_put_header(uint8_t out[FRAME_HEADER_SIZE], uint32_t len);

/* Reads a header. Returns 0 and sets *len, ERR_PROTO for a zero length, or
 * ERR_TOOBIG when the length is over `max`. */
int frame_get_header(const uint8_t in[FRAME_HEADER_SIZE], uint32_t max, uint32_t *len);

/* Prepares a reader whose frames may be at most `max` payload bytes
 * (0 or anything above FRAME_MAX_PAYLOAD means FRAME_MAX_PAYLOAD). */
void frame_reader_init(struct frame_reader *r, uint32_t max);

/* Consumes bytes from data[0..n). Sets *used to how many it consumed.
 * Returns 1 when a frame is complete (take it with frame_reader_take before
 * feeding the rest), 0 when more bytes are needed, or a negative error:
 * ERR_PROTO (zero length), ERR_TOOBIG (over the limit), ERR_NOMEM. After an
 * error the stream is out of sync and the connection must be closed. */
int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t n, size_t *used);

/* Hands over the completed payload (caller frees it) and its length, and
 * resets the reader for the next frame. */
uint8_t *frame_reader_take(struct frame_reader *r, uint32_t *len);

/* True when the reader holds part of a frame (bytes read but no frame yet). */
int frame_reader_partial(const struct frame_reader *r);

void frame_reader_free(struct frame_reader *r);

#endif
