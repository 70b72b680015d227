/* A test helper that talks to the SCM directly:
 *   scmctl pause|continue SERVICE   send the control, wait for PAUSED/RUNNING
 *   scmctl config SERVICE           print how the service is registered
 *   scmctl control SERVICE CODE     send control CODE, print the outcome
 *                                   ("sent", or "refused <Win32 error>")
 * Wine's sc.exe has no pause verb and prints little of a configuration. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winutil.h"

static int control(SC_HANDLE svc, DWORD ctl, DWORD want)
{
    SERVICE_STATUS st;

    if (!ControlService(svc, ctl, &st)) {
        printf("ControlService failed: %lu\n", GetLastError());
        return 1;
    }
    for (int i = 0; i < 100 && st.dwCurrentState != want; i++) {
        Sleep(100);
        QueryServiceStatus(svc, &st);
    }
    printf("state %lu\n", (unsigned long)st.dwCurrentState);
    return st.dwCurrentState == want ? 0 : 1;
}

/* The recovery actions as `sc qfailure` would list them ("none" when the
 * SCM keeps none, as Wine's does). */
static void print_recovery(SC_HANDLE svc)
{
    union {
        SERVICE_FAILURE_ACTIONSW f;
        BYTE raw[4096];
    } fa;
    DWORD need;

    if (!QueryServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, fa.raw, sizeof(fa), &need) ||
        fa.f.cActions == 0) {
        printf("recovery none\n");
        return;
    }
    printf("recovery reset=%lu", (unsigned long)fa.f.dwResetPeriod);
    for (DWORD i = 0; i < fa.f.cActions; i++)
        printf(" %s/%lu", fa.f.lpsaActions[i].Type == SC_ACTION_RESTART ? "restart" : "other",
               (unsigned long)fa.f.lpsaActions[i].Delay);
    printf("\n");
}

/* The delayed-start flag of an automatic service (svcd install --startup
 * delayed, the MSI's STARTUP=delayed). */
static void print_delayed(SC_HANDLE svc)
{
    union {
        SERVICE_DELAYED_AUTO_START_INFO d;
        BYTE raw[64];
    } dl;
    DWORD need;

    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, dl.raw, sizeof(dl),
                             &need))
        printf("delayed %d\n", dl.d.fDelayedAutostart ? 1 : 0);
    else
        printf("delayed unknown (%lu)\n", GetLastError());
}

static int config(SC_HANDLE svc)
{
    union {
        QUERY_SERVICE_CONFIGW c;
        BYTE raw[8192];
    } qc;
    union {
        SERVICE_DESCRIPTIONW d;
        BYTE raw[4096];
    } desc;
    char a[1024], b[1024], c[1024];
    DWORD need;

    if (!QueryServiceConfigW(svc, &qc.c, sizeof(qc), &need)) {
        printf("QueryServiceConfig failed: %lu\n", GetLastError());
        return 1;
    }
    win_utf8(qc.c.lpBinaryPathName, a, sizeof(a));
    win_utf8(qc.c.lpServiceStartName ? qc.c.lpServiceStartName : L"", b, sizeof(b));
    win_utf8(qc.c.lpDisplayName ? qc.c.lpDisplayName : L"", c, sizeof(c));
    printf("type %lu\nstart %lu\naccount %s\ndisplay %s\n", (unsigned long)qc.c.dwServiceType,
           (unsigned long)qc.c.dwStartType, b, c);
    printf("binary %s\n", a);
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, desc.raw, sizeof(desc), &need) &&
        desc.d.lpDescription) {
        win_utf8(desc.d.lpDescription, a, sizeof(a));
        printf("description %s\n", a);
    }
    print_recovery(svc);
    print_delayed(svc);
    union {
        SERVICE_PRESHUTDOWN_INFO p;
        BYTE raw[64];
    } pre;
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, pre.raw, sizeof(pre), &need))
        printf("preshutdown %lu\n", (unsigned long)pre.p.dwPreshutdownTimeout);
    else
        printf("preshutdown unknown (error %lu)\n", GetLastError());
    return 0;
}

/* Sends any control code, e.g. 5 (SHUTDOWN) or 15 (PRESHUTDOWN), which
 * Windows' SCM only sends itself. */
static int send_code(SC_HANDLE svc, const char *code)
{
    SERVICE_STATUS st;

    if (!ControlService(svc, (DWORD)strtoul(code, NULL, 0), &st)) {
        printf("refused %lu\n", GetLastError());
        return 1;
    }
    printf("sent\n");
    return 0;
}

int main(int argc, char **argv)
{
    SC_HANDLE scm, svc;
    wchar_t *name;
    int rc;

    if (argc != 3 && !(argc == 4 && strcmp(argv[1], "control") == 0)) {
        fprintf(stderr, "usage: scmctl pause|continue|config SERVICE | control SERVICE CODE\n");
        return 2;
    }
    name = win_wide(argv[2]);
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    svc = scm ? OpenServiceW(scm, name, SERVICE_ALL_ACCESS) : NULL;
    if (svc == NULL) {
        printf("OpenService failed: %lu\n", GetLastError());
        return 1;
    }
    if (strcmp(argv[1], "pause") == 0)
        rc = control(svc, SERVICE_CONTROL_PAUSE, SERVICE_PAUSED);
    else if (strcmp(argv[1], "continue") == 0)
        rc = control(svc, SERVICE_CONTROL_CONTINUE, SERVICE_RUNNING);
    else if (strcmp(argv[1], "control") == 0)
        rc = send_code(svc, argv[3]);
    else
        rc = config(svc);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    free(name);
    return rc;
}
