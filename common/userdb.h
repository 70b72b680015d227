/* The user database as the service consults it from its loop: a peer's
 * name (for log entries and messages) and groups (for authz_posix.c), each
 * uid looked up once per IDCACHE_TTL_US (IDCACHE_NEG_TTL_US when it has no
 * entry, or the lookup failed) through one process-wide idcache.
 * Lookups run on a resolver thread, never on the loop: a get answers at
 * once from what is known (a previous answer, even expired, or `pending`
 * then `unknown`), and the loop is woken (userdb_set_wake) when an answer
 * comes. POSIX only; userdb_get from the loop thread only. */
#ifndef SVCD_USERDB_H
#define SVCD_USERDB_H

#include <stdint.h>

#include "idcache.h"

/* What the user database says of `uid`, cached (idcache_get, async).
 * Never blocks; never NULL; valid until the next call. */
const struct idcache_user *userdb_get(long uid);

/* Who to wake (from the resolver thread) when an answer has come, so that
 * requests waiting for it are taken up; NULL: nobody. */
void userdb_set_wake(void (*fn)(void *ctx), void *ctx);

/* The real lookup: getpwuid_r for the name and primary group, then
 * getgrouplist. Returns 0 (a uid without an entry is not found) or a
 * negative error when the database could not be asked. */
int userdb_lookup_nss(void *ctx, long uid, struct idcache_user *u);

/* For tests: look up through `lookup` (NULL: userdb_lookup_nss), on the
 * resolver thread, and read the time from `now` (NULL: clock_mono_us);
 * empties the cache and drops answers still under way. */
void userdb_set_seam(idcache_lookup_fn lookup, void *ctx, uint64_t (*now)(void));

/* How many lookups the cache has made since the start (or the last seam). */
uint64_t userdb_lookups(void);

#endif
