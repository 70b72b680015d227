#define _GNU_SOURCE
#include "userdb.h"
#include "clock.h"
#include "json.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

static struct idcache cache;
static int cache_ready;
static uint64_t (*now_fn)(void) = clock_mono_us;

void userdb_lookup_nss(void *ctx, long uid, struct idcache_user *u)
{
    struct passwd pw, *res = NULL;
    gid_t gids[IDCACHE_GROUPS_MAX];
    int ng = IDCACHE_GROUPS_MAX;
    char buf[16384];

    (void)ctx;
    if (uid < 0 || getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
        return;
    u->found = 1;
    json_utf8_fit(u->name, sizeof(u->name), pw.pw_name, strlen(pw.pw_name));
    if (getgrouplist(pw.pw_name, pw.pw_gid, gids, &ng) < 0)
        ng = IDCACHE_GROUPS_MAX; /* more than fit: the first ones still count */
    for (int i = 0; i < ng && i < IDCACHE_GROUPS_MAX; i++)
        u->gids[u->ngids++] = (long)gids[i];
}

const struct idcache_user *userdb_get(long uid)
{
    if (!cache_ready) {
        idcache_init(&cache, IDCACHE_TTL_US, IDCACHE_NEG_TTL_US, userdb_lookup_nss, NULL);
        cache_ready = 1;
    }
    return idcache_get(&cache, uid, now_fn());
}

void userdb_set_seam(idcache_lookup_fn lookup, void *ctx, uint64_t (*now)(void))
{
    idcache_init(&cache, IDCACHE_TTL_US, IDCACHE_NEG_TTL_US, lookup ? lookup : userdb_lookup_nss,
                 ctx);
    cache_ready = 1;
    now_fn = now ? now : clock_mono_us;
}

uint64_t userdb_lookups(void)
{
    return cache.lookups;
}
