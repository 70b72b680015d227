/* The user database as the service consults it from its loop: a peer's
 * name (for log entries and messages) and groups (for authz_posix.c), each
 * uid looked up once per IDCACHE_TTL_US (IDCACHE_NEG_TTL_US when it has no
 * entry) through one process-wide idcache. POSIX only; the loop thread
 * only (no lock). */
#ifndef SVCD_USERDB_H
#define SVCD_USERDB_H

#include <stdint.h>

#include "idcache.h"

/* What the user database says of `uid`, cached. Never NULL; valid until
 * the next call. */
const struct idcache_user *userdb_get(long uid);

/* The real lookup: getpwuid_r for the name and primary group, then
 * getgrouplist. A uid without an entry, or a failed lookup, is not found. */
void userdb_lookup_nss(void *ctx, long uid, struct idcache_user *u);

/* For tests: look up through `lookup` (NULL: userdb_lookup_nss) and read
 * the time from `now` (NULL: clock_mono_us); empties the cache. */
void userdb_set_seam(idcache_lookup_fn lookup, void *ctx, uint64_t (*now)(void));

/* How many lookups the cache has made since the start (or the last seam). */
uint64_t userdb_lookups(void);

#endif
