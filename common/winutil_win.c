#include "winutil.h"
#include "err.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wchar_t *win_wide(const char *utf8)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(wchar_t));
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    return w;
}

int win_utf8(const wchar_t *w, char *buf, size_t n)
{
    int need = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);

    if (need <= 0)
        return ERR_INVAL;
    if ((size_t)need > n)
        return ERR_NAMETOOLONG;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, need, NULL, NULL);
    return 0;
}

int win_sid_is_system(PSID sid)
{
    SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    PSID system = NULL;
    int is;

    if (!AllocateAndInitializeSid(&nt, 1, SECURITY_LOCAL_SYSTEM_RID, 0, 0, 0, 0, 0, 0, 0, &system))
        return 0;
    is = EqualSid(sid, system) != 0;
    FreeSid(system);
    return is;
}

/* SID -> account name, cached: LookupAccountSidW may ask a domain
 * controller and take seconds, and identify() runs it on the service's one
 * I/O thread for every client. A name is asked for once per SID and kept
 * for NAME_TTL_MS (failures too: a SID without a name is shown as itself). */
#define NAME_CACHE  32
#define NAME_TTL_MS (10 * 60 * 1000ULL)

struct name_entry {
    char sid[192];
    char name[256];
    ULONGLONG at; /* 0: empty */
};

static struct name_entry name_cache[NAME_CACHE];
static SRWLOCK name_lock = SRWLOCK_INIT;
static volatile LONG name_lookups;

static int cached_name(const char *sid, char *name, size_t n)
{
    ULONGLONG now = GetTickCount64();
    int found = 0;

    AcquireSRWLockShared(&name_lock);
    for (int i = 0; i < NAME_CACHE && !found; i++) {
        struct name_entry *e = &name_cache[i];
        if (e->at && now - e->at < NAME_TTL_MS && strcmp(e->sid, sid) == 0) {
            found = strlen(e->name) < n ? 1 : -1;
            if (found > 0)
                memcpy(name, e->name, strlen(e->name) + 1);
        }
    }
    ReleaseSRWLockShared(&name_lock);
    return found;
}

static void cache_name(const char *sid, const char *name)
{
    struct name_entry *slot = &name_cache[0];

    if (strlen(sid) >= sizeof(slot->sid) || strlen(name) >= sizeof(slot->name))
        return;
    AcquireSRWLockExclusive(&name_lock);
    for (int i = 0; i < NAME_CACHE; i++) { /* the same SID's slot, else the oldest */
        if (name_cache[i].at && strcmp(name_cache[i].sid, sid) == 0) {
            slot = &name_cache[i];
            break;
        }
        if (name_cache[i].at < slot->at)
            slot = &name_cache[i];
    }
    strcpy(slot->sid, sid);
    strcpy(slot->name, name);
    slot->at = GetTickCount64();
    ReleaseSRWLockExclusive(&name_lock);
}

long win_account_lookups(void)
{
    return name_lookups;
}

int win_token_user(HANDLE token, char *sid, size_t sidlen, char *name, size_t namelen)
{
    union {
        TOKEN_USER tu;
        char raw[512];
    } info;
    DWORD len = 0, nlen = 256, dlen = 256;
    wchar_t wname[256], wdom[256];
    SID_NAME_USE use;
    LPWSTR wsid = NULL;
    int rc;

    if (!GetTokenInformation(token, TokenUser, &info, sizeof(info), &len))
        return err_last_os();
    if (!ConvertSidToStringSidW(info.tu.User.Sid, &wsid))
        return err_last_os();
    rc = win_utf8(wsid, sid, sidlen);
    LocalFree(wsid);
    if (rc < 0)
        return rc;
    rc = cached_name(sid, name, namelen);
    if (rc != 0)
        return rc > 0 ? 0 : ERR_NAMETOOLONG;
    InterlockedIncrement(&name_lookups);
    char found[256];
    if (!LookupAccountSidW(NULL, info.tu.User.Sid, wname, &nlen, wdom, &dlen, &use) ||
        win_utf8(wname, found, sizeof(found)) < 0)
        snprintf(found, sizeof(found), "%s", sid);
    cache_name(sid, found);
    if (strlen(found) >= namelen)
        return ERR_NAMETOOLONG;
    memcpy(name, found, strlen(found) + 1);
    return 0;
}
