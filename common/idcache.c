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

void idcache_clear(struct idcache *c)
{
    for (size_t i = 0; i < IDCACHE_SLOTS; i++)
        c->slots[i].used = 0;
}

/* The slot holding uid, or the one to (re)use for it: a free one, else the
 * one whose answer expires first (an expired one before any live one). */
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
    victim->used = 0;
    return victim;
}

const struct idcache_user *idcache_get(struct idcache *c, long uid, uint64_t now_us)
{
    struct idcache_slot *s = slot_for(c, uid);

    if (s->used && now_us < s->expires_us)
        return &s->u;
    memset(&s->u, 0, sizeof(s->u));
    c->lookup(c->ctx, uid, &s->u);
    c->lookups++;
    if (s->u.ngids > IDCACHE_GROUPS_MAX)
        s->u.ngids = IDCACHE_GROUPS_MAX;
    s->u.name[IDCACHE_NAME_MAX - 1] = '\0';
    s->used = 1;
    s->uid = uid;
    s->expires_us = now_us + (s->u.found ? c->ttl_us : c->neg_ttl_us);
    return &s->u;
}
