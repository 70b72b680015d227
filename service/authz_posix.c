#define _GNU_SOURCE
#include "authz.h"
#include "fs.h"
#include "diag.h"
#include "err.h"
#include "userdb.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTHZ_GROUPS_MAX IDCACHE_GROUPS_MAX

struct authz {
    struct authz_unix_rule rule;
    char control_group[CONFIG_NAME_MAX];
    char read_group[CONFIG_NAME_MAX];
};

unsigned authz_unix_decide(const struct authz_unix_rule *r, long uid, const long *gids,
                           size_t ngids)
{
    unsigned rights = 0;

    if (uid == 0)
        return AUTHZ_ALL;
    if (!r->system_mode)
        return uid == r->self_uid ? AUTHZ_ALL : 0;
    for (size_t i = 0; i < ngids; i++) {
        if (r->control_gid >= 0 && gids[i] == r->control_gid)
            rights |= AUTHZ_ALL;
        if (r->read_gid >= 0 && gids[i] == r->read_gid)
            rights |= AUTHZ_READ;
    }
    return rights;
}

/* Finds the gid of `name`, the value of config key `key`. Returns 0, or
 * ERR_INVAL with the reason and the fix in err: no such group, or a group
 * database that could not be asked (then groupadd is not the fix). */
static int find_group(const char *key, const char *name, long *gid, char *err, size_t errlen)
{
    int rc = fs_group_id(name, gid);

    if (rc == 0)
        return 0;
    if (rc == ERR_NOENT)
        snprintf(err, errlen,
                 "%s '%s' does not exist: create it (groupadd --system %s) or name another group "
                 "with %s in the config",
                 key, name, name, key);
    else
        snprintf(err, errlen,
                 "cannot look up %s '%s': %s (the group database, NSS: files, LDAP, SSSD..., "
                 "could not be asked); check that it answers (getent group %s) and try again",
                 key, name, err_str(rc), name);
    return ERR_INVAL;
}

int authz_open(const struct config *cfg, int system_mode, struct authz **out, char *err,
               size_t errlen)
{
    struct authz *a = calloc(1, sizeof(*a));
    long log_gid;

    if (a == NULL)
        return ERR_NOMEM;
    if (strcmp(cfg->control_sddl, CONFIG_DEFAULT_SDDL) != 0)
        diag(DIAG_WARN, "control_sddl applies to the Windows service only; here control_group "
                        "and read_group decide");
    a->rule.system_mode = system_mode;
    a->rule.self_uid = (long)geteuid();
    a->rule.control_gid = a->rule.read_gid = -1;
    snprintf(a->control_group, sizeof(a->control_group), "%s", cfg->control_group);
    snprintf(a->read_group, sizeof(a->read_group), "%s", cfg->read_group);
    if (system_mode &&
        find_group("control_group", a->control_group, &a->rule.control_gid, err, errlen) < 0)
        goto free_authz;
    if (system_mode && a->read_group[0] &&
        find_group("read_group", a->read_group, &a->rule.read_gid, err, errlen) < 0)
        goto free_authz;
    if (cfg->log_group[0] && find_group("log_group", cfg->log_group, &log_gid, err, errlen) < 0)
        goto free_authz;
    *out = a;
    return 0;

free_authz:
    free(a);
    return ERR_INVAL;
}

/* The peer's groups as the group database has them for its uid (so a user
 * just added to a group needs no new login, only the cache lifetime:
 * userdb.h), plus the gid the socket reports. Returns how many were stored. */
static size_t peer_groups(const struct ipc_peer *p, long *out, size_t cap)
{
    const struct idcache_user *u = userdb_get(p->uid);
    size_t n = 0;

    if (p->gid >= 0)
        out[n++] = p->gid;
    for (size_t i = 0; i < u->ngids && n < cap; i++)
        out[n++] = u->gids[i];
    return n;
}

unsigned authz_rights(const struct authz *a, const struct ipc_peer *p)
{
    long gids[AUTHZ_GROUPS_MAX + 1];
    size_t n = 0;

    if (p->uid < 0)
        return 0;
    /* root and user mode need no group lookup */
    if (p->uid != 0 && a->rule.system_mode)
        n = peer_groups(p, gids, sizeof(gids) / sizeof(gids[0]));
    return authz_unix_decide(&a->rule, p->uid, gids, n);
}

enum authz_known authz_known(const struct authz *a, const struct ipc_peer *p)
{
    const struct idcache_user *u;

    if (p->uid < 0 || p->uid == 0 || !a->rule.system_mode)
        return AUTHZ_KNOWN; /* decided without the groups */
    u = userdb_get(p->uid);
    if (u->pending)
        return AUTHZ_WAIT;
    return u->unknown ? AUTHZ_UNKNOWN : AUTHZ_KNOWN;
}

void authz_hint(const struct authz *a, const struct ipc_peer *p, unsigned right, char *buf,
                size_t n)
{
    if (!a->rule.system_mode)
        snprintf(buf, n,
                 "this svcd runs as uid %ld in user mode and serves only that user; use the "
                 "system service, or run your own svcd",
                 a->rule.self_uid);
    else if (right == AUTHZ_CONTROL || a->read_group[0] == '\0')
        snprintf(buf, n,
                 "ask an administrator to add %s to group '%s' (control_group), or run svcclient "
                 "as root",
                 p->name, a->control_group);
    else
        snprintf(buf, n,
                 "ask an administrator to add %s to group '%s' (read_group) or '%s' "
                 "(control_group), or run svcclient as root",
                 p->name, a->read_group, a->control_group);
}

void authz_endpoint(const struct authz *a, struct ipc_server_opts *o)
{
    o->group = a->rule.control_gid;
    o->read_group = a->rule.read_gid;
}

void authz_close(struct authz *a)
{
    free(a);
}
