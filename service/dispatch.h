/* Request -> response: decodes one frame payload, checks it, and answers it
 * from the service state. Pure with respect to I/O (the log is read through
 * the query stream), so it is tested and fuzzed without sockets. */
#ifndef SVCD_DISPATCH_H
#define SVCD_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "codec.h"
#include "ipc.h"
#include "query.h"
#include "svc.h"

struct dispatch_out {
    uint8_t *frame; /* one response frame to send, or NULL */
    size_t frame_len;
    struct query *stream; /* when set, send its frames after `frame` */
    int close_after;      /* close the connection once this is sent */
};

/* One command: the right (authz.h AUTHZ_*) a caller needs for it, checked
 * before `run` is called, and the handler that answers it. */
struct dispatch_command {
    Svcd__Request__CommandCase cmd;
    const char *name; /* for messages and audit entries; NULL ends the table */
    unsigned right;
    int (*run)(struct svc *s, const struct ipc_peer *who, const Svcd__Request *req,
               const uint8_t *payload, size_t n, struct dispatch_out *out);
};

/* The table of every command, ended by an entry whose name is NULL. */
const struct dispatch_command *dispatch_commands(void);

/* The table's entry for `cmd`, or NULL for a command this service does not
 * know (or none): such a request is refused as RESULT_UNKNOWN_COMMAND. */
const struct dispatch_command *dispatch_command_of(Svcd__Request__CommandCase cmd);

/* Answers the request in payload[0..n) from `who`, if `az` gives it the
 * right the command needs (a DENIED reply and an audit entry if not).
 * Always produces either a frame or a stream, unless memory runs out
 * (ERR_NOMEM, and the connection should be closed). Invalid requests get an
 * error response, never a silent close. */
int dispatch_payload(struct svc *s, const struct authz *az, const struct ipc_peer *who,
                     const uint8_t *payload, size_t n, struct dispatch_out *out);

/* Builds an error response frame. Returns 0 or ERR_NOMEM. */
int dispatch_error_frame(uint64_t id, Svcd__Result result, const char *msg, uint8_t **frame,
                         size_t *len);

#endif
