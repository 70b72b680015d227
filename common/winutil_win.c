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
 * for NAME_TTL_MS (failures too: a SID without a name is shown as itself).
 * With a bounded wait the lookup runs on a pool thread: a slow one is left
 * to finish there and fill the cache, while the caller goes on with the SID
 * as the name; the entry is marked pending meanwhile, so repeats never wait. */
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

/* The account name of `psid` (its SID string `sid` when it has none) into
 * name[256], and into the cache. May take long. */
static void resolve(PSID psid, const char *sid, char *name)
{
    wchar_t wname[256], wdom[256];
    DWORD nlen = 256, dlen = 256;
    SID_NAME_USE use;

    InterlockedIncrement(&name_lookups);
    if (!LookupAccountSidW(NULL, psid, wname, &nlen, wdom, &dlen, &use) ||
        win_utf8(wname, name, 256) < 0)
        snprintf(name, 256, "%s", sid);
    cache_name(sid, name);
}

struct lookup {
    volatile LONG refs; /* the caller's and the pool thread's */
    HANDLE done;
    char sid[192];
    char name[256];
    BYTE psid[SECURITY_MAX_SID_SIZE];
};

static void lookup_release(struct lookup *l)
{
    if (InterlockedDecrement(&l->refs) == 0) {
        CloseHandle(l->done);
        free(l);
    }
}

static DWORD WINAPI lookup_thread(LPVOID arg)
{
    struct lookup *l = arg;

    resolve(l->psid, l->sid, l->name);
    SetEvent(l->done);
    lookup_release(l);
    return 0;
}

int win_sid_name(PSID psid, char *name, size_t namelen, DWORD wait_ms)
{
    char sid[192], found[256];
    LPWSTR wsid = NULL;
    struct lookup *l;
    int rc;

    if (!ConvertSidToStringSidW(psid, &wsid))
        return err_last_os();
    rc = win_utf8(wsid, sid, sizeof(sid));
    LocalFree(wsid);
    if (rc < 0)
        return rc;
    rc = cached_name(sid, name, namelen);
    if (rc != 0)
        return rc > 0 ? 0 : ERR_NAMETOOLONG;
    l = wait_ms == INFINITE ? NULL : calloc(1, sizeof(*l));
    if (l && (l->done = CreateEventW(NULL, TRUE, FALSE, NULL)) != NULL &&
        CopySid(sizeof(l->psid), l->psid, psid)) {
        l->refs = 2;
        strcpy(l->sid, sid);
        cache_name(sid, sid); /* pending: shown as the SID until it is known */
        if (!QueueUserWorkItem(lookup_thread, l, WT_EXECUTELONGFUNCTION)) {
            l->refs = 1;
            resolve(psid, sid, l->name);
            SetEvent(l->done);
        }
        if (WaitForSingleObject(l->done, wait_ms) == WAIT_OBJECT_0)
            snprintf(found, sizeof(found), "%s", l->name);
        else
            snprintf(found, sizeof(found), "%s", sid);
        lookup_release(l);
    } else {
        if (l) {
            if (l->done)
                CloseHandle(l->done);
            free(l);
        }
        resolve(psid, sid, found);
    }
    if (strlen(found) >= namelen)
        return ERR_NAMETOOLONG;
    memcpy(name, found, strlen(found) + 1);
    return 0;
}

int win_token_user_wait(HANDLE token, char *sid, size_t sidlen, char *name, size_t namelen,
                        DWORD wait_ms)
{
    union {
        TOKEN_USER tu;
        char raw[512];
    } info;
    DWORD len = 0;
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
    return win_sid_name(info.tu.User.Sid, name, namelen, wait_ms);
}

int win_token_user(HANDLE token, char *sid, size_t sidlen, char *name, size_t namelen)
{
    return win_token_user_wait(token, sid, sidlen, name, namelen, INFINITE);
}
