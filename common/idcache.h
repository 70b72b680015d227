/* A bounded, short-lived cache of what the user database says of a uid
 * (its name and groups), so the service's one loop asks the name service
 * (files, LDAP, SSSD...) at most once per uid per lifetime instead of at
 * every connection and request: a slow or failed directory then costs one
 * lookup per uid, not one per request of everybody.
 * Pure logic: the lookup and the time are the caller's (userdb_posix.c
 * gives the real ones), so expiry and eviction are tested without either. */
#ifndef SVCD_IDCACHE_H
#define SVCD_IDCACHE_H

#include <stddef.h>
#include <stdint.h>

#define IDCACHE_NAME_MAX   128 /* as IPC_NAME_MAX: a longer name is cut */
#define IDCACHE_GROUPS_MAX 256 /* more groups than this: the first ones count */

/* How long an answer is believed: a found user for 60 s (so an
 * administrator's `usermod -aG` takes effect within a minute), a uid the
 * database has no entry for, or could not be asked about, for 5 s (so an
 * outage is retried soon, and a new account is seen soon). */
#define IDCACHE_TTL_US     (60 * 1000000ull)
#define IDCACHE_NEG_TTL_US (5 * 1000000ull)
#define IDCACHE_SLOTS      128

struct idcache_user {
    int found;                     /* 0: no entry (or the lookup failed) */
    char name[IDCACHE_NAME_MAX];   /* "" unless found */
    long gids[IDCACHE_GROUPS_MAX]; /* primary first, then supplementary */
    size_t ngids;
};

/* Fills *u (zeroed before the call) for `uid`. May block: that is why it
 * is cached. */
typedef void (*idcache_lookup_fn)(void *ctx, long uid, struct idcache_user *u);

struct idcache_slot {
    int used;
    long uid;
    uint64_t expires_us;
    struct idcache_user u;
};

struct idcache {
    struct idcache_slot slots[IDCACHE_SLOTS];
    uint64_t ttl_us, neg_ttl_us;
    idcache_lookup_fn lookup;
    void *ctx;
    uint64_t lookups; /* how often lookup ran: a cheap health figure */
};

/* An empty cache whose misses call lookup(ctx, ...). */
void idcache_init(struct idcache *c, uint64_t ttl_us, uint64_t neg_ttl_us, idcache_lookup_fn lookup,
                  void *ctx);

/* What is known of `uid` at time now_us (monotonic): the stored answer
 * while it has not expired, else a fresh lookup, stored for its lifetime.
 * A full cache gives up the entry that expires first. Never NULL; valid
 * until the next call. */
const struct idcache_user *idcache_get(struct idcache *c, long uid, uint64_t now_us);

/* Forgets everything (the next get of each uid looks it up). */
void idcache_clear(struct idcache *c);

#endif
