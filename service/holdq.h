/* Entries held in memory while the log cannot be written (disk full,
 * permissions, file gone): a bounded FIFO of copies, so a failing disk costs
 * at most HOLDQ bytes and every entry it could not keep is counted. Pure. */
#ifndef SVCD_HOLDQ_H
#define SVCD_HOLDQ_H

#include <stddef.h>
#include <stdint.h>

#include "logline.h"

#define HOLDQ_MAX_ITEMS 4096
#define HOLDQ_MAX_BYTES (1024u * 1024u)

struct holdq {
    struct log_entry *v; /* each msg is a private copy */
    size_t head, n, cap;
    size_t bytes;
    size_t max_items, max_bytes;
    uint64_t lost; /* entries refused because the queue was full */
};

void holdq_init(struct holdq *q, size_t max_items, size_t max_bytes);

/* Copies the entry in at the back. Returns 0, or ERR_TOOBIG (queue full:
 * counted in `lost`) / ERR_NOMEM (also counted). */
int holdq_push(struct holdq *q, const struct log_entry *e);

/* The oldest entry, or NULL when empty. */
struct log_entry *holdq_front(struct holdq *q);

void holdq_pop(struct holdq *q);
void holdq_free(struct holdq *q);

#endif
