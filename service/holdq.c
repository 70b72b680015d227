#include "holdq.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void holdq_init(struct holdq *q, size_t max_items, size_t max_bytes)
{
    memset(q, 0, sizeof(*q));
    q->max_items = max_items;
    q->max_bytes = max_bytes;
}

int holdq_push(struct holdq *q, const struct log_entry *e)
{
    struct log_entry *slot;
    char *copy;

    if (q->n == q->max_items || q->bytes + e->msg_len > q->max_bytes) {
        q->lost++;
        return ERR_TOOBIG;
    }
    if (q->cap == 0) {
        q->v = calloc(q->max_items, sizeof(*q->v));
        if (q->v == NULL) {
            q->lost++;
            return ERR_NOMEM;
        }
        q->cap = q->max_items;
    }
    copy = malloc(e->msg_len + 1);
    if (copy == NULL) {
        q->lost++;
        return ERR_NOMEM;
    }
    memcpy(copy, e->msg, e->msg_len);
    copy[e->msg_len] = '\0';
    slot = &q->v[(q->head + q->n) % q->cap];
    *slot = *e;
    slot->msg = copy;
    q->n++;
    q->bytes += e->msg_len;
    return 0;
}

struct log_entry *holdq_front(struct holdq *q)
{
    return q->n ? &q->v[q->head] : NULL;
}

void holdq_pop(struct holdq *q)
{
    if (q->n == 0)
        return;
    q->bytes -= q->v[q->head].msg_len;
    free((char *)q->v[q->head].msg);
    q->head = (q->head + 1) % q->cap;
    q->n--;
}

void holdq_free(struct holdq *q)
{
    while (q->n)
        holdq_pop(q);
    free(q->v);
    q->v = NULL;
    q->cap = 0;
}
