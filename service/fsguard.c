#include "fsguard.h"
#include "err.h"
#include "sbuf.h"

#include <string.h>

static int is_trusted(const char *sid, const char *const *trusted)
{
    for (; *trusted; trusted++)
        if (strcmp(sid, *trusted) == 0)
            return 1;
    return 0;
}

/* SIDs that an ACE applying to the object names but no caller ever holds
 * (CREATOR OWNER, CREATOR GROUP), or that stand for the owner (OWNER
 * RIGHTS), whom the owner check covers. */
static int matches_no_other_caller(const char *sid)
{
    return strcmp(sid, "S-1-3-0") == 0 || strcmp(sid, "S-1-3-1") == 0 ||
           strcmp(sid, "S-1-3-4") == 0;
}

int fsguard_judge(const struct fsguard_sd *sd, const char *const *trusted,
                  struct fsguard_verdict *v)
{
    memset(v, 0, sizeof(*v));
    if (sd->owner == NULL) {
        v->problem = FSGUARD_NO_OWNER;
        return ERR_ACCESS;
    }
    if (!is_trusted(sd->owner, trusted)) {
        v->problem = FSGUARD_UNTRUSTED_OWNER;
        v->sid = sd->owner;
        return ERR_ACCESS;
    }
    if (!sd->has_dacl) {
        v->problem = FSGUARD_NO_DACL;
        return ERR_ACCESS;
    }
    for (size_t i = 0; i < sd->n; i++) {
        const struct fsguard_ace *a = &sd->aces[i];
        uint32_t rights = a->mask & FSGUARD_CHANGE_MASK;
        if (!a->allow || a->inherit_only || rights == 0 || a->sid == NULL ||
            matches_no_other_caller(a->sid) || is_trusted(a->sid, trusted))
            continue;
        v->problem = FSGUARD_UNTRUSTED_ACE;
        v->sid = a->sid;
        v->rights = rights;
        return ERR_ACCESS;
    }
    return 0;
}

int fsguard_rights_text(uint32_t rights, char *buf, size_t n)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {FSGUARD_GENERIC_ALL, "full control"},
        {FSGUARD_GENERIC_WRITE, "write"},
        {FSGUARD_WRITE_DATA, "write (or add files)"},
        {FSGUARD_APPEND_DATA, "append (or add folders)"},
        {FSGUARD_DELETE_CHILD, "delete what it holds"},
        {FSGUARD_DELETE, "delete"},
        {FSGUARD_WRITE_DAC, "change permissions"},
        {FSGUARD_WRITE_OWNER, "take ownership"},
    };
    size_t off = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(rights & names[i].bit))
            continue;
        if (sbuf_fmt(buf + off, n - off, "%s%s", off ? ", " : "", names[i].name) < 0)
            return ERR_NAMETOOLONG;
        off += strlen(buf + off);
    }
    return 0;
}
