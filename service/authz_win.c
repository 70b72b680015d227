#include "authz.h"
#include "diag.h"
#include "err.h"
#include "winutil.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

struct authz {
    int system_mode;
    PSECURITY_DESCRIPTOR sd; /* system mode: control_sddl, generic rights mapped */
    char self_sid[IPC_SID_MAX];
};

/* What GR/GW/GX/GA mean in control_sddl, so administrators may write them. */
static GENERIC_MAPPING rights_mapping = {AUTHZ_READ, AUTHZ_CONTROL, AUTHZ_READ, AUTHZ_ALL};

/* AccessCheck compares ACE masks bit for bit: map generic rights in the ACEs
 * to ours first. Returns 0, or ERR_INVAL for a descriptor without a DACL. */
static int map_generic_aces(PSECURITY_DESCRIPTOR sd)
{
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;

    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present || !dacl)
        return ERR_INVAL;
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *h;
        if (!GetAce(dacl, i, (void **)&h))
            return ERR_INVAL;
        if (h->AceType == ACCESS_ALLOWED_ACE_TYPE)
            MapGenericMask(&((ACCESS_ALLOWED_ACE *)h)->Mask, &rights_mapping);
        else if (h->AceType == ACCESS_DENIED_ACE_TYPE)
            MapGenericMask(&((ACCESS_DENIED_ACE *)h)->Mask, &rights_mapping);
    }
    return 0;
}

/* Parses control_sddl; AccessCheck also needs an owner and a group in it. */
static int load_sddl(struct authz *a, const char *sddl, char *err, size_t errlen)
{
    wchar_t *w = win_wide(sddl);
    BOOL defaulted = FALSE;
    PSID owner = NULL, group = NULL;

    if (w == NULL)
        return ERR_NOMEM;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(w, SDDL_REVISION_1, &a->sd, NULL)) {
        snprintf(err, errlen, "control_sddl is not valid SDDL (%s): fix it in the config, e.g. %s",
                 err_str(err_last_os()), CONFIG_DEFAULT_SDDL);
        free(w);
        return ERR_INVAL;
    }
    free(w);
    if (!GetSecurityDescriptorOwner(a->sd, &owner, &defaulted) || owner == NULL ||
        !GetSecurityDescriptorGroup(a->sd, &group, &defaulted) || group == NULL ||
        map_generic_aces(a->sd) < 0) {
        snprintf(err, errlen,
                 "control_sddl must have an owner (O:), a group (G:) and a DACL (D:), e.g. %s",
                 CONFIG_DEFAULT_SDDL);
        return ERR_INVAL;
    }
    return 0;
}

static int load_self(struct authz *a)
{
    char name[IPC_NAME_MAX];
    HANDLE tok;
    int rc;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return err_last_os();
    rc = win_token_user(tok, a->self_sid, sizeof(a->self_sid), name, sizeof(name));
    CloseHandle(tok);
    return rc;
}

int authz_open(const struct config *cfg, int system_mode, struct authz **out, char *err,
               size_t errlen)
{
    struct authz *a = calloc(1, sizeof(*a));
    int rc;

    if (a == NULL)
        return ERR_NOMEM;
    if (strcmp(cfg->control_group, "svcd") != 0 || cfg->read_group[0])
        diag(DIAG_WARN, "control_group and read_group apply on Linux only; on Windows "
                        "control_sddl decides");
    if (cfg->log_group[0])
        diag(DIAG_WARN, "log_group applies on POSIX only; ignored: on Windows the log folder's "
                        "DACL lets Users read the log files");
    a->system_mode = system_mode;
    rc = system_mode ? load_sddl(a, cfg->control_sddl, err, errlen) : load_self(a);
    if (rc < 0 && !system_mode)
        snprintf(err, errlen, "cannot read this process's user: %s", err_str(rc));
    if (rc < 0) {
        authz_close(a);
        return rc == ERR_NOMEM ? rc : ERR_INVAL;
    }
    *out = a;
    return 0;
}

unsigned authz_rights(const struct authz *a, const struct ipc_peer *p)
{
    PRIVILEGE_SET ps;
    DWORD pslen = sizeof(ps), granted = 0;
    BOOL status = FALSE;

    if (!a->system_mode)
        return p->sid[0] && (strcmp(p->sid, a->self_sid) == 0 || strcmp(p->sid, "S-1-5-18") == 0)
                   ? AUTHZ_ALL
                   : 0;
    if (p->token == NULL)
        return 0; /* not identified: no rights */
    if (!AccessCheck(a->sd, (HANDLE)p->token, MAXIMUM_ALLOWED, &rights_mapping, &ps, &pslen,
                     &granted, &status) ||
        !status)
        return 0;
    return (unsigned)granted & AUTHZ_ALL;
}

enum authz_known authz_known(const struct authz *a, const struct ipc_peer *p)
{
    (void)a;
    (void)p;
    return AUTHZ_KNOWN; /* the client's token holds its groups */
}

void authz_hint(const struct authz *a, const struct ipc_peer *p, unsigned right, char *buf,
                size_t n)
{
    if (!a->system_mode)
        snprintf(buf, n,
                 "this svcd runs in a console for %s and serves only that user; use the "
                 "installed service",
                 a->self_sid);
    else
        snprintf(buf, n,
                 "run svcclient from an elevated prompt (Run as administrator), or ask an "
                 "administrator to grant %s the %s right (0x%x) in control_sddl",
                 p->sid[0] ? p->sid : p->name, right == AUTHZ_CONTROL ? "control" : "read", right);
}

void authz_endpoint(const struct authz *a, struct ipc_server_opts *o)
{
    (void)a;
    o->group = o->read_group = -1;
}

void authz_close(struct authz *a)
{
    if (a == NULL)
        return;
    if (a->sd)
        LocalFree(a->sd);
    free(a);
}
