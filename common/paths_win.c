#include "paths.h"
#include "err.h"
#include "sbuf.h"
#include "winutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_PIPE  "\\\\.\\pipe\\ProtectedPrefix\\Administrators\\svcd\\control"
#define SERVICE_NAME L"svcd"

/* The service runs as LocalSystem; that, not elevation, selects the
 * system-wide defaults. */
int paths_system_mode(void)
{
    char sid[192], name[64];
    HANDLE tok;
    int rc;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return 0;
    rc = win_token_user(tok, sid, sizeof(sid), name, sizeof(name));
    CloseHandle(tok);
    return rc == 0 && strcmp(sid, "S-1-5-18") == 0;
}

static void user_name(char *buf, size_t n)
{
    wchar_t w[256];
    DWORD len = 256;

    if (!GetUserNameW(w, &len) || win_utf8(w, buf, n) < 0)
        snprintf(buf, n, "user");
    /* A pipe name may not contain a backslash. */
    for (char *p = buf; *p; p++)
        if (*p == '\\' || *p == '/')
            *p = '_';
}

int paths_default_endpoint(int system_mode, char *buf, size_t n)
{
    char user[256];

    if (system_mode)
        return sbuf_fmt(buf, n, "%s", SYSTEM_PIPE);
    user_name(user, sizeof(user));
    return sbuf_fmt(buf, n, "\\\\.\\pipe\\svcd-%s", user);
}

/* The machine's ProgramData folder, from where the shell itself reads it.
 * Not SHGetKnownFolderPath: shell32 in a service can wait for a desktop
 * that a service never has. */
static void program_data(char *buf, size_t n)
{
    wchar_t w[MAX_PATH];
    DWORD size = sizeof(w);

    buf[0] = '\0';
    if (RegGetValueW(HKEY_LOCAL_MACHINE,
                     L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
                     L"ProgramData", RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ, NULL, w,
                     &size) != ERROR_SUCCESS ||
        win_utf8(w, buf, n) < 0)
        snprintf(buf, n, "C:\\ProgramData");
}

/* The user's local application data (console mode has a user environment). */
static void local_app_data(char *buf, size_t n)
{
    const wchar_t *w = _wgetenv(L"LOCALAPPDATA");

    if (w == NULL || win_utf8(w, buf, n) < 0)
        program_data(buf, n);
}

int paths_default_state_dir(int system_mode, char *buf, size_t n)
{
    char base[PATHS_MAX];

    if (system_mode)
        program_data(base, sizeof(base));
    else
        local_app_data(base, sizeof(base));
    return sbuf_fmt(buf, n, "%s\\svcd\\logs", base);
}

long paths_pid(void)
{
    return (long)GetCurrentProcessId();
}

int paths_hostname(char *buf, size_t n)
{
    wchar_t w[256];
    DWORD len = sizeof(w) / sizeof(w[0]);

    if (!GetComputerNameExW(ComputerNameDnsHostname, w, &len))
        return err_last_os();
    return win_utf8(w, buf, n);
}

int paths_service_pid(long *pid)
{
    SERVICE_STATUS_PROCESS st;
    SC_HANDLE scm, svc;
    DWORD need;
    int rc = 0;

    *pid = 0;
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (scm == NULL)
        return err_last_os();
    svc = OpenServiceW(scm, SERVICE_NAME, SERVICE_QUERY_STATUS);
    if (svc == NULL) {
        rc = err_last_os();
        goto close_scm;
    }
    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)&st, sizeof(st), &need))
        rc = err_last_os();
    else if (st.dwProcessId == 0)
        rc = ERR_NOENT;
    else
        *pid = (long)st.dwProcessId;
    CloseServiceHandle(svc);
close_scm:
    CloseServiceHandle(scm);
    return rc;
}

int paths_join(const char *dir, const char *name, char *buf, size_t n)
{
    return sbuf_fmt(buf, n, "%s\\%s", dir, name);
}

const char *paths_start_hint(void)
{
    return "start it with 'svcd start' (the installed service) or 'svcd run' (console)";
}

const char *paths_access_hint(void)
{
    return "the pipe admits SYSTEM, Administrators and authenticated users (a console svcd only "
           "its own user): run svcclient as such a user, or from an elevated prompt";
}
