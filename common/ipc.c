/* Connection accessors shared by every platform's ipc_*.c. */
#include "ipc.h"
#include "ipc_conn.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipc_buf_append(struct ipc_buf *b, const uint8_t *data, size_t n)
{
    if (b->len + n > b->cap && b->off > 0) {
        /* Compact before growing so a long stream does not creep upward. */
        memmove(b->p, b->p + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL)
            return ERR_NOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

void ipc_buf_consume(struct ipc_buf *b, size_t n)
{
    b->off += n;
    if (b->off >= b->len)
        b->off = b->len = 0;
}

void ipc_buf_free(struct ipc_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static struct ipc_conn_common *common_of(const ipc_conn *c)
{
    return (struct ipc_conn_common *)c; /* the first member of every ipc_conn */
}

void ipc_conn_set_reading(ipc_conn *c, int on)
{
    common_of(c)->reading = on; /* the loop starts the next read */
}

const struct ipc_peer *ipc_conn_peer(const ipc_conn *c)
{
    return &common_of(c)->peer;
}

void ipc_conn_set_data(ipc_conn *c, void *data)
{
    common_of(c)->data = data;
}

uint64_t ipc_conn_sent(const ipc_conn *c)
{
    return ((const struct ipc_conn_common *)c)->sent;
}

void *ipc_conn_data(const ipc_conn *c)
{
    return common_of(c)->data;
}

int ipc_conn_send(ipc_conn *c, const uint8_t *data, size_t n)
{
    struct ipc_conn_common *k = common_of(c);

    if (k->dead || k->closing)
        return ERR_CLOSED;
    return ipc_buf_append(&k->out, data, n);
}

/* A name that only repeats the uid ("uid 1000", as fill_peer names a uid
 * without an entry) is not said twice. */
static int name_is_uid(const struct ipc_peer *p)
{
    char own[32];

    snprintf(own, sizeof(own), "uid %ld", p->uid);
    return p->name[0] == '\0' || strcmp(p->name, own) == 0;
}

void ipc_peer_describe(const struct ipc_peer *p, int with_pid, char *buf, size_t n)
{
    char pid[32] = "";

    if (with_pid && p->pid >= 0)
        snprintf(pid, sizeof(pid), "pid %ld", p->pid);
    if (p->sid[0])
        snprintf(buf, n, "%s (%s%s%s)", p->name, p->sid, pid[0] ? ", " : "", pid);
    else if (!name_is_uid(p))
        snprintf(buf, n, "%s (uid %ld%s%s)", p->name, p->uid, pid[0] ? ", " : "", pid);
    else if (pid[0])
        snprintf(buf, n, "uid %ld (%s)", p->uid, pid);
    else
        snprintf(buf, n, "uid %ld", p->uid);
}
