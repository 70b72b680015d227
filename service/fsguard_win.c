#include "fsguard_win.h"
#include "err.h"
#include "winutil.h"

#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SID_TEXT_MAX 192
#define TRUSTED_MAX  6

struct sid_text {
    char s[SID_TEXT_MAX];
};

static int sid_string(PSID sid, char *buf, size_t n)
{
    char *s = NULL;
    int rc = 0;

    if (sid == NULL || !ConvertSidToStringSidA(sid, &s))
        return sid ? err_last_os() : ERR_INVAL;
    if (strlen(s) >= n)
        rc = ERR_NAMETOOLONG;
    else
        strcpy(buf, s);
    LocalFree(s);
    return rc;
}

/* "Everyone (S-1-1-0)", or the SID alone when it has no name here. Looked
 * up only to explain a refusal, once, at start-up. */
static void describe_sid(const char *text, char *buf, size_t n)
{
    wchar_t name[256], domain[256];
    DWORD nl = 256, dl = 256;
    char utf8[512];
    SID_NAME_USE use;
    PSID sid = NULL;

    if (ConvertStringSidToSidA(text, &sid) &&
        LookupAccountSidW(NULL, sid, name, &nl, domain, &dl, &use) &&
        win_utf8(name, utf8, sizeof(utf8)) == 0)
        snprintf(buf, n, "%s (%s)", utf8, text);
    else
        snprintf(buf, n, "%s", text);
    if (sid)
        LocalFree(sid);
}

/* The trusted SIDs as strings in `store`, listed NULL-terminated in `list`. */
static void trusted_sids(struct sid_text *store, const char **list)
{
    static const char *const fixed[] = {
        "S-1-5-18",                                                       /* SYSTEM */
        "S-1-5-32-544",                                                   /* Administrators */
        "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", /* TrustedInstaller */
    };
    BYTE sid[SECURITY_MAX_SID_SIZE];
    DWORD sl = sizeof(sid), dl = 256;
    wchar_t domain[256];
    SID_NAME_USE use;
    char name[64];
    size_t k = 0;
    HANDLE tok;

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        list[k++] = fixed[i];
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        if (win_token_user(tok, store[k].s, sizeof(store[k].s), name, sizeof(name)) == 0) {
            list[k] = store[k].s;
            k++;
        }
        CloseHandle(tok);
    }
    if (LookupAccountNameW(NULL, L"NT SERVICE\\svcd", sid, &sl, domain, &dl, &use) &&
        sid_string(sid, store[k].s, sizeof(store[k].s)) == 0) {
        list[k] = store[k].s;
        k++;
    }
    list[k] = NULL;
}

/* The ACEs of `dacl` as fsguard data; their SID strings in `texts`. */
static int read_aces(PACL dacl, struct fsguard_ace *aces, struct sid_text *texts, size_t *n)
{
    *n = 0;
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *h;
        if (!GetAce(dacl, i, (LPVOID *)&h))
            return err_last_os();
        /* Allowed and allowed-callback ACEs share this layout; the others
         * (deny, audit, labels, object ACEs of directory objects) never
         * grant a right to a file. */
        if (h->AceType != ACCESS_ALLOWED_ACE_TYPE && h->AceType != ACCESS_ALLOWED_CALLBACK_ACE_TYPE)
            continue;
        ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)h;
        struct fsguard_ace *f = &aces[*n];
        int rc = sid_string((PSID)&a->SidStart, texts[*n].s, sizeof(texts[*n].s));
        if (rc < 0)
            return rc;
        f->allow = 1;
        f->inherit_only = (h->AceFlags & INHERIT_ONLY_ACE) != 0;
        f->mask = a->Mask;
        f->sid = texts[*n].s;
        (*n)++;
    }
    return 0;
}

static void explain(const struct fsguard_verdict *v, char *why, size_t n)
{
    char who[400], rights[200];

    if (v->sid)
        describe_sid(v->sid, who, sizeof(who));
    switch (v->problem) {
    case FSGUARD_NO_OWNER:
        snprintf(why, n, "has no owner");
        break;
    case FSGUARD_UNTRUSTED_OWNER:
        snprintf(why, n, "is owned by %s, who can always change its permissions", who);
        break;
    case FSGUARD_NO_DACL:
        snprintf(why, n, "has no DACL, so everyone has full control of it");
        break;
    default:
        fsguard_rights_text(v->rights, rights, sizeof(rights));
        snprintf(why, n, "can be changed by %s, who may %s", who, rights);
        break;
    }
}

int fsguard_check_sd(PSECURITY_DESCRIPTOR sd, char *why, size_t n)
{
    struct sid_text store[TRUSTED_MAX], owner_text;
    const char *trusted[TRUSTED_MAX];
    struct fsguard_ace *aces = NULL;
    struct sid_text *texts = NULL;
    struct fsguard_sd data = {NULL, 0, NULL, 0};
    struct fsguard_verdict v;
    BOOL present = FALSE, defaulted = FALSE;
    PSID owner = NULL;
    PACL dacl = NULL;
    int rc = 0;

    trusted_sids(store, trusted);
    if (GetSecurityDescriptorOwner(sd, &owner, &defaulted) && owner &&
        sid_string(owner, owner_text.s, sizeof(owner_text.s)) == 0)
        data.owner = owner_text.s;
    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
        return err_last_os();
    data.has_dacl = present && dacl != NULL;
    if (data.has_dacl && dacl->AceCount > 0) {
        aces = calloc(dacl->AceCount, sizeof(*aces));
        texts = calloc(dacl->AceCount, sizeof(*texts));
        if (aces == NULL || texts == NULL) {
            rc = ERR_NOMEM;
            goto free_aces;
        }
        rc = read_aces(dacl, aces, texts, &data.n);
        if (rc < 0)
            goto free_aces;
        data.aces = aces;
    }
    rc = fsguard_judge(&data, trusted, &v);
    if (rc == ERR_ACCESS)
        explain(&v, why, n);
free_aces:
    free(aces);
    free(texts);
    return rc;
}

int fsguard_check_path(const char *path, char *why, size_t n)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    BY_HANDLE_FILE_INFORMATION info;
    wchar_t *w = win_wide(path);
    HANDLE h;
    DWORD e;
    int rc;

    if (n > 0)
        why[0] = '\0';
    if (w == NULL)
        return ERR_INVAL;
    /* The link itself, never what it points to: a junction a user planted
     * would otherwise be judged by (and pass on) its target's descriptor. */
    h = CreateFileW(w, READ_CONTROL | FILE_READ_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        rc = err_last_os();
        if (rc == ERR_ACCESS) /* SYSTEM shut out: only a hostile owner does that */
            snprintf(why, n, "does not let the service read its permissions");
        return rc;
    }
    if (!GetFileInformationByHandle(h, &info)) { /* fail closed: a link must not pass */
        rc = err_last_os();
        CloseHandle(h);
        if (rc == ERR_ACCESS)
            snprintf(why, n, "does not let the service read its permissions");
        return rc;
    }
    if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
        CloseHandle(h);
        snprintf(why, n,
                 "is a junction or symbolic link, which svcd does not follow for what it "
                 "trusts");
        return ERR_ACCESS;
    }
    e = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                        NULL, NULL, NULL, NULL, &sd);
    CloseHandle(h);
    if (e != ERROR_SUCCESS) {
        rc = err_from_os(e);
        if (rc == ERR_ACCESS)
            snprintf(why, n, "does not let the service read its permissions");
        return rc;
    }
    rc = fsguard_check_sd(sd, why, n);
    LocalFree(sd);
    return rc;
}
