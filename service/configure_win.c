/* `svcd configure` on Windows: the file is %ProgramData%\svcd\svcd.conf,
 * the startup is the SCM's start type plus its delayed-start flag. */
#include "configure.h"
#include "fsguard_win.h"
#include "svcmgr_win.h"
#include "authz.h"
#include "err.h"
#include "paths.h"
#include "sbuf.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "svcd_conf_win.h"

int configure_default_path(char *buf, size_t n)
{
    char dir[PATHS_MAX];
    char *slash;

    /* The default log directory is %ProgramData%\svcd\logs. */
    if (paths_default_state_dir(1, dir, sizeof(dir)) < 0 || (slash = strrchr(dir, '\\')) == NULL)
        return ERR_NOENT;
    *slash = '\0';
    return sbuf_fmt(buf, n, "%s\\svcd.conf", dir);
}

const char *configure_default_text(void)
{
    return svcd_conf_win_text;
}

/* control_sddl through the service's own parser (authz_open). */
int configure_check(const struct config *cfg, char *err, size_t errlen)
{
    struct authz *a;
    char why[AUTHZ_ERR_MAX] = "";
    int rc = authz_open(cfg, 1, &a, why, sizeof(why));

    if (rc < 0) {
        if (why[0]) /* it names control_sddl and says how to fix it */
            sbuf_copy(err, errlen, why);
        else
            sbuf_fmt(err, errlen, "control_sddl: %s", err_str(rc));
        return ERR_INVAL;
    }
    authz_close(a);
    return 0;
}

/* The folder part of `path` in `dir`. Returns 0, or ERR_INVAL when `path`
 * names no folder (a relative name would be judged by the current
 * directory's permissions, which is not where the service reads it). */
static int folder_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '\\'), *fwd = strrchr(path, '/');

    if (fwd && (!slash || fwd > slash))
        slash = fwd;
    if (slash == NULL)
        return ERR_INVAL;
    return sbuf_fmt(dir, n, "%.*s", (int)(slash - path), path);
}

int configure_check_file(const char *path, char *err, size_t errlen)
{
    char why[FSGUARD_WHY_MAX], dir[PATHS_MAX];
    int rc = folder_of(path, dir, sizeof(dir));

    if (rc < 0) {
        sbuf_fmt(err, errlen,
                 "%s, which is not a full path (e.g. C:\\ProgramData\\svcd\\svcd.conf)", path);
        return ERR_INVAL;
    }
    rc = fsguard_check_path(path, why, sizeof(why));
    /* A file that does not exist yet is created in its folder, and inherits
     * from it: then the folder alone decides. */
    if (rc == 0 || rc == ERR_NOENT) {
        rc = fsguard_check_path(dir, why, sizeof(why));
        if (rc == 0 || rc == ERR_NOENT) /* a missing folder is created with the service's DACL */
            return 0;
        path = dir;
    }
    if (rc == ERR_ACCESS)
        sbuf_fmt(err, errlen,
                 "%s %s; only SYSTEM, Administrators and TrustedInstaller may change what the "
                 "service trusts (check what it says, then: takeown /a /f \"%s\" and icacls "
                 "\"%s\" /reset)",
                 path, why, path, path);
    else
        sbuf_fmt(err, errlen, "cannot read the permissions of %s: %s", path, err_str(rc));
    return rc;
}

/* svcd's service, retried while the SCM database is locked: at boot a
 * GPO install runs while the SCM still starts services. */
static SC_HANDLE open_svcd(SC_HANDLE *scm, DWORD access)
{
    svcmgr_win_verb_begin();
    return svcmgr_win_open(scm, SC_MANAGER_CONNECT, access);
}

int configure_get_startup(int *startup)
{
    union {
        QUERY_SERVICE_CONFIGW c;
        BYTE raw[8192];
    } qc;
    union {
        SERVICE_DELAYED_AUTO_START_INFO d;
        BYTE raw[64];
    } dl;
    SC_HANDLE scm, svc = open_svcd(&scm, SERVICE_QUERY_CONFIG);
    DWORD need;
    int rc = 0;

    if (svc == NULL)
        return err_last_os();
    if (!QueryServiceConfigW(svc, &qc.c, sizeof(qc), &need)) {
        rc = err_last_os();
        goto close_svc;
    }
    switch (qc.c.dwStartType) {
    case SERVICE_DISABLED:
        *startup = SVCMGR_DISABLED;
        break;
    case SERVICE_DEMAND_START:
        *startup = SVCMGR_MANUAL;
        break;
    default:
        *startup = SVCMGR_AUTO;
        if (QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, dl.raw, sizeof(dl),
                                 &need) &&
            dl.d.fDelayedAutostart)
            *startup = SVCMGR_DELAYED;
    }
close_svc:
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

int configure_set_startup(int startup)
{
    SERVICE_DELAYED_AUTO_START_INFO delayed = {startup == SVCMGR_DELAYED};
    SC_HANDLE scm, svc = open_svcd(&scm, SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG);
    DWORD type = startup == SVCMGR_MANUAL     ? SERVICE_DEMAND_START
                 : startup == SVCMGR_DISABLED ? SERVICE_DISABLED
                                              : SERVICE_AUTO_START;
    int rc = 0;

    if (svc == NULL)
        return err_last_os();
    BOOL ok;
    while (!(ok = ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, type, SERVICE_NO_CHANGE, NULL, NULL,
                                       NULL, NULL, NULL, NULL, NULL)) &&
           svcmgr_win_locked_retry())
        ;
    if (!ok)
        rc = err_last_os();
    /* The flag means something only for an automatic service; it is cleared
     * otherwise so a later switch back to auto is not delayed. Like
     * `svcd install`, a flag that cannot be set (Wine has none) leaves an
     * automatic service, with a warning. */
    else if (!svcmgr_win_change_config2(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed) &&
             startup == SVCMGR_DELAYED)
        fprintf(stderr,
                "svcd: configure: warning: cannot set delayed start (Win32 error %lu); the "
                "service starts as auto\n",
                (unsigned long)GetLastError());
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}
