/* A bounded, short-lived cache of what the user database says of a uid
 * (its name and groups), so the service's one loop asks the name service
 * (files, LDAP, SSSD...) at most once per uid per lifetime instead of at
 * every connection and request: a slow or failed directory then costs one
 * lookup per uid, not one per request of everybody.
 * A lookup that fails (the directory could not be asked) never replaces a
 * good answer: the last one is served on, and asked for again after the
 * short lifetime; but only for one more lifetime past its own (the same
 * bound when the lookup hangs instead): after that the uid is `unknown`,
 * so a user removed from a group during an outage of the directory loses
 * that group's rights within two lifetimes, not never.
 * Two ways to ask: inline (lookup, called from idcache_get), or, with
 * idcache_set_async, off the caller's thread: a miss only requests the
 * lookup, idcache_get answers from what it knows (the previous answer, or
 * `pending`/`unknown`), and the answer arrives later through idcache_put.
 * Pure logic: the lookup and the time are the caller's (userdb_posix.c
 * gives the real ones, and the resolver thread), so expiry, eviction and
 * failures are tested without either. */
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
/* Asynchronous lookups: how long an answer that was asked for is worth
 * waiting for (`pending`); past that, what is known is served (an expired
 * answer, or `unknown`), and the lookup is asked for again (at most once
 * per IDCACHE_WAIT_US while the first is still out). */
#define IDCACHE_WAIT_US (2000000ull)
#define IDCACHE_SLOTS   128

struct idcache_user {
    int found;                     /* 0: no entry (or nothing known: see unknown) */
    int unknown;                   /* nothing is known yet: never answered, or the database
                                    * could not be asked (found is 0) */
    int pending;                   /* an answer was asked for within IDCACHE_WAIT_US and has
                                    * not come: worth waiting for before deciding */
    char name[IDCACHE_NAME_MAX];   /* "" unless found */
    long gids[IDCACHE_GROUPS_MAX]; /* primary first, then supplementary */
    size_t ngids;
};

/* Fills *u (zeroed before the call) for `uid`. Returns 0 when the database
 * answered (u->found says whether it has an entry), or a negative error
 * when it could not be asked (an outage: *u is ignored). May block: that
 * is why it is cached, and why idcache_set_async exists. */
typedef int (*idcache_lookup_fn)(void *ctx, long uid, struct idcache_user *u);

/* Asks for `uid` to be looked up elsewhere; its answer comes back through
 * idcache_put. Returns 0, or a negative error when it cannot be asked now
 * (asked again at a later idcache_get). Must not block. */
typedef int (*idcache_request_fn)(void *ctx, long uid);

struct idcache_slot {
    int used;
    int have;   /* u holds an answer (possibly expired) */
    int asking; /* a request is out (async) */
    long uid;
    uint64_t expires_us;
    uint64_t good_us;    /* when the good answer `u` holds was given (found or not) */
    uint64_t asked_us;   /* when the request that is out was first made */
    uint64_t reasked_us; /* when it was last made */
    struct idcache_user u;
};

struct idcache {
    struct idcache_slot slots[IDCACHE_SLOTS];
    uint64_t ttl_us, neg_ttl_us;
    idcache_lookup_fn lookup;
    void *ctx;
    idcache_request_fn request; /* NULL: lookups inline */
    void *request_ctx;
    uint64_t lookups;  /* how often an answer was asked for: a cheap health figure */
    uint64_t failures; /* how many lookups could not ask the database */
};

/* An empty cache whose misses call lookup(ctx, ...). */
void idcache_init(struct idcache *c, uint64_t ttl_us, uint64_t neg_ttl_us, idcache_lookup_fn lookup,
                  void *ctx);

/* From now on a miss calls request(ctx, uid) instead of the lookup. */
void idcache_set_async(struct idcache *c, idcache_request_fn request, void *ctx);

/* What is known of `uid` at time now_us (monotonic): the stored answer
 * while it has not expired, else a fresh one: inline, the lookup's answer,
 * stored for its lifetime (a failed lookup keeps a previous good answer
 * for the short lifetime, else stores `unknown`); async, the lookup is
 * requested and the previous answer (expired, but within one more
 * lifetime) is served meanwhile, `pending` while the request is young, or,
 * with none, an `unknown` entry.
 * A full cache gives up the entry that expires first. Never NULL; valid
 * until the next call. */
const struct idcache_user *idcache_get(struct idcache *c, long uid, uint64_t now_us);

/* Stores the answer of a requested lookup (`rc` and `u` as the lookup
 * returned them), as idcache_get would have inline. */
void idcache_put(struct idcache *c, long uid, int rc, const struct idcache_user *u,
                 uint64_t now_us);

/* Forgets everything (the next get of each uid looks it up). */
void idcache_clear(struct idcache *c);

#endif
