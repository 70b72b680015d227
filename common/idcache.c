#include "idcache.h"

#include <string.h>

void idcache_init(struct idcache *c, uint64_t ttl_us, uint64_t neg_ttl_us, idcache_lookup_fn lookup,
                  void *ctx)
{
    memset(c, 0, sizeof(*c));
    c->ttl_us = ttl_us;
    c->neg_ttl_us = neg_ttl_us;
    c->lookup = lookup;
    c->ctx = ctx;
}

void idcache_set_async(struct idcache *c, idcache_request_fn request, void *ctx)
{
    c->request = request;
    c->request_ctx = ctx;
}

void idcache_clear(struct idcache *c)
{
    for (size_t i = 0; i < IDCACHE_SLOTS; i++)
        c->slots[i].used = 0;
}

/* The slot holding uid, or the one to (re)use for it, emptied and given to
 * uid with nothing known: a free one, else the one whose answer expires
 * first (an expired one before any live one). */
static struct idcache_slot *slot_for(struct idcache *c, long uid)
{
    struct idcache_slot *victim = NULL;

    for (size_t i = 0; i < IDCACHE_SLOTS; i++) {
        struct idcache_slot *s = &c->slots[i];
        if (s->used && s->uid == uid)
            return s;
        if (victim == NULL || (victim->used && (!s->used || s->expires_us < victim->expires_us)))
            victim = s;
    }
    memset(victim, 0, sizeof(*victim));
    victim->used = 1;
    victim->uid = uid;
    victim->u.unknown = 1;
    return victim;
}

/* Whether the slot's good answer is too old to be served any more, even
 * while the database cannot give a new one: past its lifetime and one
 * more. Failed lookups and hung ones must not keep granting what the
 * directory may have taken back long ago. */
static int too_old(const struct idcache *c, const struct idcache_slot *s, uint64_t now_us)
{
    return s->have && !s->u.unknown && now_us - s->good_us >= 2 * c->ttl_us;
}

/* Makes the slot say `unknown` (keeping whether a request is out). */
static void forget(struct idcache_slot *s)
{
    int pending = s->u.pending;

    memset(&s->u, 0, sizeof(s->u));
    s->u.unknown = 1;
    s->u.pending = pending;
}

/* Stores a lookup's outcome. A failure (rc < 0) keeps a good answer the
 * slot holds, for the short lifetime only (then it is asked again) and
 * never past too_old; with none, `unknown` is what is known for that
 * long. */
static void store(struct idcache *c, struct idcache_slot *s, int rc, const struct idcache_user *u,
                  uint64_t now_us)
{
    s->asking = 0;
    s->u.pending = 0;
    if (rc < 0) {
        c->failures++;
        if (!(s->have && s->u.found) || too_old(c, s, now_us))
            forget(s);
        s->have = 1;
        s->expires_us = now_us + c->neg_ttl_us;
        if (!s->u.unknown && s->expires_us > s->good_us + 2 * c->ttl_us)
            s->expires_us = s->good_us + 2 * c->ttl_us;
        return;
    }
    s->u = *u;
    s->u.unknown = s->u.pending = 0;
    if (s->u.ngids > IDCACHE_GROUPS_MAX)
        s->u.ngids = IDCACHE_GROUPS_MAX;
    s->u.name[IDCACHE_NAME_MAX - 1] = '\0';
    if (!s->u.found)
        s->u.name[0] = '\0';
    s->have = 1;
    s->good_us = now_us;
    s->expires_us = now_us + (s->u.found ? c->ttl_us : c->neg_ttl_us);
}

/* Async: asks for the lookup, again at most once per IDCACHE_WAIT_US
 * while none has come back (a hung resolver is not flooded), and says
 * whether the answer is still worth waiting for: only within
 * IDCACHE_WAIT_US of the first ask, so a hung lookup delays a uid's
 * requests once, not at every retry. */
static void request(struct idcache *c, struct idcache_slot *s, uint64_t now_us)
{
    if ((!s->asking || now_us - s->reasked_us >= IDCACHE_WAIT_US) &&
        c->request(c->request_ctx, s->uid) == 0) {
        if (!s->asking)
            s->asked_us = now_us;
        s->asking = 1;
        s->reasked_us = now_us;
        c->lookups++;
    }
    s->u.pending = s->asking && now_us - s->asked_us < IDCACHE_WAIT_US;
}

const struct idcache_user *idcache_get(struct idcache *c, long uid, uint64_t now_us)
{
    struct idcache_slot *s = slot_for(c, uid);
    struct idcache_user fresh;
    int rc;

    if (s->have && now_us < s->expires_us)
        return &s->u;
    if (c->request) {
        if (too_old(c, s, now_us)) /* the lookup hangs: stop believing the old answer */
            forget(s);
        request(c, s, now_us);
        return &s->u;
    }
    memset(&fresh, 0, sizeof(fresh));
    rc = c->lookup(c->ctx, uid, &fresh);
    c->lookups++;
    store(c, s, rc, &fresh, now_us);
    return &s->u;
}

void idcache_put(struct idcache *c, long uid, int rc, const struct idcache_user *u, uint64_t now_us)
{
    store(c, slot_for(c, uid), rc, u, now_us);
}
