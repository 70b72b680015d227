#include "winutil.h"
#include "err.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>

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
    if (LookupAccountSidW(NULL, info.tu.User.Sid, wname, &nlen, wdom, &dlen, &use))
        return win_utf8(wname, name, namelen);
    snprintf(name, namelen, "%s", sid);
    return 0;
}
