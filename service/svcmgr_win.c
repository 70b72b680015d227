/* svcd install|remove|start|stop|restart|status through the SCM API. */
#include "svcmgr.h"
#include "svcmgr_win.h"
#include "term.h"
#include "diag.h"
#include "err.h"
#include "eventlog.h"
#include "failnote.h"
#include "fs.h"
#include "fsguard_win.h"
#include "paths.h"
#include "run.h"
#include "winutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "svcd_conf_win.h"

#define SERVICE_NAME L"svcd"
#define DISPLAY_NAME L"svcd logging service"
#define DESCRIPTION                                                                                \
    L"Writes a heartbeat and every lifecycle event to a durable log; controlled with svcclient."
#define POLL_MS 100
/* The SCM may wait this long for svcd to stop at a system shutdown
 * (SERVICE_CONFIG_PRESHUTDOWN_INFO; Windows' default is 3 minutes). */
#define PRESHUTDOWN_TIMEOUT_MS 15000
/* What set_own_recovery opens its own service with: ChangeServiceConfig2
 * with SC_ACTION_RESTART actions needs SERVICE_START besides
 * SERVICE_CHANGE_CONFIG, or Windows refuses them with ACCESS_DENIED. */
#define RECOVERY_ACCESS (SERVICE_CHANGE_CONFIG | SERVICE_START)

/* Every SCM call of a verb retries ERROR_SERVICE_DATABASE_LOCKED (1055:
 * the SCM is busy, e.g. starting services just after boot) until this
 * deadline, set when the verb begins. */
static ULONGLONG verb_deadline;

static void verb_begin(void)
{
    verb_deadline = GetTickCount64() + SVCMGR_WAIT_MS;
}

void svcmgr_win_verb_begin(void)
{
    verb_begin();
}

int svcmgr_win_locked_retry(void)
{
    DWORD e = GetLastError();

    if (e != ERROR_SERVICE_DATABASE_LOCKED || GetTickCount64() >= verb_deadline)
        return 0;
    Sleep(200);
    SetLastError(e);
    return 1;
}

static const char *state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED:
        return "STOPPED";
    case SERVICE_START_PENDING:
        return "START_PENDING";
    case SERVICE_STOP_PENDING:
        return "STOP_PENDING";
    case SERVICE_RUNNING:
        return "RUNNING";
    case SERVICE_CONTINUE_PENDING:
        return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING:
        return "PAUSE_PENDING";
    case SERVICE_PAUSED:
        return "PAUSED";
    default:
        return "UNKNOWN";
    }
}

/* Prints why an SCM call failed and returns the matching exit status. */
static int fail(const char *what)
{
    DWORD e = GetLastError();

    if (e == ERROR_ACCESS_DENIED) {
        fprintf(stderr,
                "svcd: %s: access denied; run it from an elevated prompt (Run as "
                "administrator)\n",
                what);
        return SVCMGR_EXIT_DENIED;
    }
    if (e == ERROR_SERVICE_DOES_NOT_EXIST) {
        fprintf(stderr, "svcd: %s: svcd is not installed (install it with 'svcd install')\n", what);
        return SVCMGR_EXIT_NOT_INSTALLED;
    }
    fprintf(stderr, "svcd: %s: %s (Win32 error %lu)\n", what, err_str(err_from_os(e)),
            (unsigned long)e);
    return SVCMGR_EXIT_FAILED;
}

SC_HANDLE svcmgr_win_open(SC_HANDLE *scm, DWORD scm_access, DWORD access)
{
    SC_HANDLE svc;

    while ((*scm = OpenSCManagerW(NULL, NULL, scm_access)) == NULL)
        if (!svcmgr_win_locked_retry())
            return NULL;
    while ((svc = OpenServiceW(*scm, SERVICE_NAME, access)) == NULL && svcmgr_win_locked_retry())
        ;
    if (svc == NULL) {
        DWORD e = GetLastError();
        CloseServiceHandle(*scm);
        *scm = NULL;
        SetLastError(e);
    }
    return svc;
}

/* The service's status into *st, which is all zeros (state "UNKNOWN", no
 * pid) when it cannot be queried. Returns 0 or an ERR_ code. */
static int query(SC_HANDLE svc, SERVICE_STATUS_PROCESS *st)
{
    DWORD need;

    if (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)st, sizeof(*st), &need))
        return 0;
    DWORD e = GetLastError();
    memset(st, 0, sizeof(*st));
    SetLastError(e);
    return err_from_os(e);
}

/* Waits, at most SVCMGR_WAIT_MS, until the service is in `target` (or, when
 * waiting for RUNNING, has stopped: it failed to start). Returns the state
 * it ended in. */
static DWORD wait_for(SC_HANDLE svc, DWORD target, SERVICE_STATUS_PROCESS *st)
{
    ULONGLONG deadline = GetTickCount64() + SVCMGR_WAIT_MS;

    while (query(svc, st) == 0 && st->dwCurrentState != target &&
           !(target == SERVICE_RUNNING && st->dwCurrentState == SERVICE_STOPPED) &&
           GetTickCount64() < deadline)
        Sleep(POLL_MS);
    return st->dwCurrentState;
}

/* StartService, retried while the SCM database is locked (it is while the
 * SCM itself is still starting services, e.g. just after boot). */
static BOOL start_service(SC_HANDLE svc)
{
    while (!StartServiceW(svc, 0, NULL))
        if (!svcmgr_win_locked_retry())
            return FALSE;
    return TRUE;
}

/* The service stopped with a service-specific exit code (run.h): says why
 * in one line, from the note it left or else from the code alone. */
static void print_failure(FILE *out, const SERVICE_STATUS_PROCESS *st)
{
    char dir[PATHS_MAX], text[FAILNOTE_TEXT_MAX];
    DWORD code = st->dwServiceSpecificExitCode;
    const char *what = code == RUN_EXIT_FAILED ? "failed" : "start failed";

    if (failnote_dir(dir, sizeof(dir)) == 0 &&
        failnote_read(dir, (int)code, text, sizeof(text)) == 0)
        term_printf(out, "svcd: %s: %s (see the Application event log, source svcd)\n", what, text);
    else
        fprintf(out,
                "svcd: %s: %s (service-specific exit code %lu; see the Application event log, "
                "source svcd)\n",
                what, run_exit_text((int)code), (unsigned long)code);
}

static int stopped_on_error(const SERVICE_STATUS_PROCESS *st)
{
    return st->dwCurrentState == SERVICE_STOPPED &&
           st->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR;
}

/* ControlService, retried while the SCM database is locked. */
static BOOL control_service(SC_HANDLE svc, DWORD ctl, SERVICE_STATUS *ss)
{
    while (!ControlService(svc, ctl, ss))
        if (!svcmgr_win_locked_retry())
            return FALSE;
    return TRUE;
}

BOOL svcmgr_win_change_config2(SC_HANDLE svc, DWORD level, void *info)
{
    while (!ChangeServiceConfig2W(svc, level, info))
        if (!svcmgr_win_locked_retry())
            return FALSE;
    return TRUE;
}

static int is_pending(DWORD state)
{
    return state == SERVICE_START_PENDING || state == SERVICE_CONTINUE_PENDING ||
           state == SERVICE_PAUSE_PENDING;
}

/* Sends STOP. A service still starting (or pausing, continuing) cannot take
 * it yet: Windows says ERROR_SERVICE_CANNOT_ACCEPT_CTRL, Wine
 * ERROR_INVALID_SERVICE_CONTROL. Then it waits, within the verb's time, for
 * the service to settle and sends STOP again. Returns TRUE when a stop was
 * sent or is already under way; else FALSE with the last error set. */
static BOOL send_stop(SC_HANDLE svc, int *waited)
{
    SERVICE_STATUS_PROCESS st;
    SERVICE_STATUS ss;
    int settled = 0;

    *waited = 0;
    for (;;) {
        if (control_service(svc, SERVICE_CONTROL_STOP, &ss))
            return TRUE;
        DWORD e = GetLastError();
        if (e != ERROR_SERVICE_CANNOT_ACCEPT_CTRL && e != ERROR_INVALID_SERVICE_CONTROL)
            return FALSE;
        query(svc, &st);
        if (st.dwCurrentState == SERVICE_STOP_PENDING)
            return TRUE;                            /* a stop is under way already */
        if (st.dwCurrentState == SERVICE_STOPPED) { /* it failed while starting */
            SetLastError(ERROR_SERVICE_NOT_ACTIVE);
            return FALSE;
        }
        /* Refused while pending, then RUNNING by the time we looked: try
         * again, a few times, before calling the refusal final. */
        if (st.dwCurrentState == SERVICE_RUNNING || st.dwCurrentState == SERVICE_PAUSED)
            settled++;
        if ((!is_pending(st.dwCurrentState) && (settled == 0 || settled > 3)) ||
            GetTickCount64() >= verb_deadline) {
            SetLastError(e);
            return FALSE;
        }
        if (!*waited && is_pending(st.dwCurrentState))
            printf("svcd is %s; stopping it as soon as it can take the stop\n",
                   state_name(st.dwCurrentState));
        *waited = 1;
        fflush(stdout);
        Sleep(POLL_MS);
    }
}

static int start_and_wait(SC_HANDLE svc)
{
    SERVICE_STATUS_PROCESS st;

    if (!start_service(svc)) {
        if (GetLastError() != ERROR_SERVICE_ALREADY_RUNNING)
            return fail("start");
        if (query(svc, &st) == 0 && st.dwProcessId)
            printf("svcd is already running (pid %lu)\n", (unsigned long)st.dwProcessId);
        else
            printf("svcd is already running\n");
        return SVCMGR_EXIT_OK;
    }
    if (wait_for(svc, SERVICE_RUNNING, &st) != SERVICE_RUNNING && stopped_on_error(&st)) {
        print_failure(stderr, &st);
        return SVCMGR_EXIT_FAILED;
    }
    if (st.dwCurrentState != SERVICE_RUNNING) {
        fprintf(stderr,
                "svcd: start: the service is %s, not RUNNING, after %d s (exit code %lu); see "
                "its log in %%ProgramData%%\\svcd\\logs\n",
                state_name(st.dwCurrentState), SVCMGR_WAIT_MS / 1000,
                (unsigned long)(st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR
                                    ? st.dwServiceSpecificExitCode
                                    : st.dwWin32ExitCode));
        return SVCMGR_EXIT_FAILED;
    }
    printf("svcd is running (pid %lu)\n", (unsigned long)st.dwProcessId);
    return SVCMGR_EXIT_OK;
}

/* Stops the service and waits until it is STOPPED and its process gone, so
 * its program file is free for an uninstaller or an upgrade the moment this
 * returns. A stop already under way (an installer sent it) is waited for the
 * same way, which is what the MSI's uninstall relies on. */
static int stop_and_wait(SC_HANDLE svc)
{
    SERVICE_STATUS_PROCESS st;
    HANDLE proc = NULL;
    const char *said = "svcd stopped";
    int rc = SVCMGR_EXIT_OK, waited = 0;

    /* Opened first: once stopped, the SCM no longer says which process. */
    if (query(svc, &st) == 0 && st.dwProcessId != 0)
        proc = OpenProcess(SYNCHRONIZE, FALSE, st.dwProcessId);
    if (!send_stop(svc, &waited)) {
        if (GetLastError() == ERROR_SERVICE_NOT_ACTIVE) {
            said = "svcd is already stopped";
        } else {
            rc = fail("stop");
            goto close_proc;
        }
    }
    if (proc == NULL && waited && query(svc, &st) == 0 && st.dwProcessId != 0)
        proc = OpenProcess(SYNCHRONIZE, FALSE, st.dwProcessId);
    if (wait_for(svc, SERVICE_STOPPED, &st) != SERVICE_STOPPED) {
        fprintf(stderr, "svcd: stop: the service is %s, not STOPPED, after %d s\n",
                state_name(st.dwCurrentState), SVCMGR_WAIT_MS / 1000);
        rc = SVCMGR_EXIT_FAILED;
        goto close_proc;
    }
    if (proc)
        WaitForSingleObject(proc, SVCMGR_WAIT_MS);
    printf("%s\n", said);
close_proc:
    if (proc)
        CloseHandle(proc);
    return rc;
}

/* Recovery: restart after 5 s, 10 s, then 60 s; the count resets after a
 * day without failures; also when it exits with an error, not only on a
 * crash. */
static int set_recovery(SC_HANDLE svc)
{
    SC_ACTION actions[3] = {
        {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 10000}, {SC_ACTION_RESTART, 60000}};
    SERVICE_FAILURE_ACTIONSW fa = {86400, NULL, NULL, 3, actions};
    SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};

    if (!svcmgr_win_change_config2(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
        return err_last_os();
    if (!svcmgr_win_change_config2(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag))
        return err_last_os();
    return 0;
}

/* How long a system shutdown waits for svcd to write its last entry and
 * stop (it accepts SERVICE_CONTROL_PRESHUTDOWN). */
static int set_preshutdown(SC_HANDLE svc)
{
    SERVICE_PRESHUTDOWN_INFO pi = {PRESHUTDOWN_TIMEOUT_MS};

    return svcmgr_win_change_config2(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, &pi) ? 0 : err_last_os();
}

static DWORD start_type(enum svcmgr_startup s)
{
    switch (s) {
    case SVCMGR_MANUAL:
        return SERVICE_DEMAND_START;
    case SVCMGR_DISABLED:
        return SERVICE_DISABLED;
    default:
        return SERVICE_AUTO_START;
    }
}

static const char *startup_name(enum svcmgr_startup s)
{
    static const char *names[] = {"auto", "delayed", "manual", "disabled"};
    return names[s];
}

/* The command line the SCM runs: "<this exe>" service [--config "<file>"]. */
static int image_path(const char *config_file, wchar_t *out, size_t n)
{
    wchar_t exe[MAX_PATH], full[MAX_PATH];
    wchar_t *wconf = NULL;
    DWORD len;

    len = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (len == 0)
        return err_last_os();
    if (len >= MAX_PATH)
        return ERR_NAMETOOLONG; /* truncated */
    if (config_file) {
        wconf = win_wide(config_file);
        if (wconf == NULL)
            return ERR_INVAL;
        /* Longer than the buffer: it returns the size it needs, and leaves
         * `full` as it was. */
        len = GetFullPathNameW(wconf, MAX_PATH, full, NULL);
        free(wconf);
        if (len == 0)
            return ERR_INVAL;
        if (len >= MAX_PATH)
            return ERR_NAMETOOLONG;
        _snwprintf(out, n, L"\"%ls\" service --config \"%ls\"", exe, full);
    } else {
        _snwprintf(out, n, L"\"%ls\" service", exe);
    }
    out[n - 1] = 0;
    return 0;
}

int svcmgr_install(const struct svcmgr_install_opts *o)
{
    SERVICE_DESCRIPTIONW desc = {(LPWSTR)DESCRIPTION};
    SERVICE_DELAYED_AUTO_START_INFO delayed = {TRUE};
    wchar_t cmd[2 * MAX_PATH + 64];
    SC_HANDLE scm, svc;
    int rc = SVCMGR_EXIT_OK;

    verb_begin();
    int ip = image_path(o->config_file, cmd, sizeof(cmd) / sizeof(cmd[0]));
    if (ip == ERR_NAMETOOLONG) {
        fprintf(stderr,
                "svcd: install: the full path of svcd.exe or of its config is longer "
                "than %d characters; use a shorter one\n",
                MAX_PATH - 1);
        return SVCMGR_EXIT_USAGE;
    }
    if (ip < 0) {
        fprintf(stderr, "svcd: install: cannot resolve the paths of svcd.exe and its config\n");
        return SVCMGR_EXIT_USAGE;
    }
    while ((scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE)) ==
           NULL)
        if (!svcmgr_win_locked_retry())
            return fail("install");
    while ((svc = CreateServiceW(scm, SERVICE_NAME, DISPLAY_NAME, SERVICE_ALL_ACCESS,
                                 SERVICE_WIN32_OWN_PROCESS, start_type(o->startup),
                                 SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL,
                                 NULL /* LocalSystem */, NULL)) == NULL &&
           svcmgr_win_locked_retry())
        ;
    if (svc == NULL) {
        if (GetLastError() == ERROR_SERVICE_EXISTS) {
            fprintf(stderr, "svcd: install: svcd is already installed (to reinstall: svcd "
                            "remove, then svcd install)\n");
            rc = SVCMGR_EXIT_FAILED;
        } else {
            rc = fail("install");
        }
        goto close_scm;
    }
    if (!svcmgr_win_change_config2(svc, SERVICE_CONFIG_DESCRIPTION, &desc))
        fprintf(stderr, "svcd: install: warning: cannot set the description: %s\n",
                err_str(err_last_os()));
    DWORD rec_err = set_recovery(svc) < 0 ? GetLastError() : 0;
    if (rec_err)
        fprintf(stderr,
                "svcd: install: warning: cannot set recovery actions (Win32 error %lu); set them "
                "with: sc failure svcd reset= 86400 actions= restart/5000/restart/10000/"
                "restart/60000\n",
                (unsigned long)rec_err);
    if (o->startup == SVCMGR_DELAYED &&
        !svcmgr_win_change_config2(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed))
        fprintf(stderr, "svcd: install: warning: cannot set delayed start: %s\n",
                err_str(err_last_os()));
    int ev = eventlog_install();
    if (ev < 0)
        fprintf(stderr,
                "svcd: install: warning: cannot register the event source svcd in the "
                "Application log: %s\n",
                err_str(ev));
    if (set_preshutdown(svc) < 0)
        fprintf(stderr, "svcd: install: warning: cannot set the preshutdown timeout: %s\n",
                err_str(err_last_os()));
    /* Only what was set: no recovery actions promised when they failed. */
    printf("svcd installed: LocalSystem, startup %s, %s\n", startup_name(o->startup),
           rec_err ? "no recovery actions (see the warning above)"
                   : "restart on failure after 5s/10s/60s");
    /* Like `systemctl enable --now`: an automatic service starts now too. */
    if (o->startup == SVCMGR_AUTO || o->startup == SVCMGR_DELAYED)
        rc = start_and_wait(svc);
    CloseServiceHandle(svc);
close_scm:
    CloseServiceHandle(scm);
    return rc;
}

/* Opens the installed service with `access`, runs `verb` on it, closes it.
 * Returns the verb's exit status, or why the service could not be opened. */
static int with_service(const char *what, DWORD access, int (*verb)(SC_HANDLE))
{
    SC_HANDLE scm, svc;
    int rc;

    verb_begin();
    svc = svcmgr_win_open(&scm, SC_MANAGER_CONNECT, access);
    if (svc == NULL)
        return fail(what);
    rc = verb(svc);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

static int remove_verb(SC_HANDLE svc)
{
    SERVICE_STATUS_PROCESS st;
    int rc = SVCMGR_EXIT_OK;

    if (query(svc, &st) == 0 && st.dwCurrentState != SERVICE_STOPPED)
        rc = stop_and_wait(svc);
    if (rc != SVCMGR_EXIT_OK)
        return rc;
    while (!DeleteService(svc))
        if (!svcmgr_win_locked_retry())
            return fail("remove");
    int ev = eventlog_uninstall();
    if (ev < 0)
        fprintf(stderr, "svcd: remove: warning: cannot remove the event source svcd: %s\n",
                err_str(ev));
    printf("svcd removed\n");
    return SVCMGR_EXIT_OK;
}

static int restart_verb(SC_HANDLE svc)
{
    int rc = stop_and_wait(svc);
    return rc == SVCMGR_EXIT_OK ? start_and_wait(svc) : rc;
}

/* Like `systemctl status`: 0 when running or paused, 3 otherwise. */
static int status_verb(SC_HANDLE svc)
{
    SERVICE_STATUS_PROCESS st;

    if (query(svc, &st) < 0)
        return fail("status");
    if (st.dwProcessId)
        printf("svcd: %s (pid %lu)\n", state_name(st.dwCurrentState),
               (unsigned long)st.dwProcessId);
    else
        printf("svcd: %s\n", state_name(st.dwCurrentState));
    if (stopped_on_error(&st))
        print_failure(stdout, &st);
    return (st.dwCurrentState == SERVICE_RUNNING || st.dwCurrentState == SERVICE_PAUSED)
               ? SVCMGR_EXIT_OK
               : SVCMGR_EXIT_NOT_INSTALLED;
}

int svcmgr_remove(void)
{
    return with_service("remove", DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS, remove_verb);
}

int svcmgr_start(void)
{
    return with_service("start", SERVICE_START | SERVICE_QUERY_STATUS, start_and_wait);
}

int svcmgr_stop(void)
{
    return with_service("stop", SERVICE_STOP | SERVICE_QUERY_STATUS, stop_and_wait);
}

int svcmgr_restart(void)
{
    return with_service("restart", SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS,
                        restart_verb);
}

/* SERVICE_CONTROL_PARAMCHANGE: the service re-reads svcd.conf on its loop;
 * the SCM returns once the handler has taken the request. */
static int reload_verb(SC_HANDLE svc)
{
    SERVICE_STATUS st;

    if (ControlService(svc, SERVICE_CONTROL_PARAMCHANGE, &st)) {
        printf("svcd: asked the service to reload its configuration; its log says what "
               "changed (svcclient logs -n 3)\n");
        return SVCMGR_EXIT_OK;
    }
    if (GetLastError() == ERROR_SERVICE_NOT_ACTIVE) {
        fprintf(stderr, "svcd: reload: the service is not running (start it: svcd start)\n");
        return SVCMGR_EXIT_NOT_INSTALLED;
    }
    if (GetLastError() == ERROR_INVALID_SERVICE_CONTROL) {
        fprintf(stderr, "svcd: reload: the service does not take a reload now (it is starting, "
                        "stopping, or older than this svcd: svcd restart)\n");
        return SVCMGR_EXIT_FAILED;
    }
    return fail("reload");
}

int svcmgr_reload(const struct config *cfg, int options)
{
    (void)cfg;
    if (options) {
        fprintf(stderr, "svcd: reload takes no options on Windows: the service reads its own "
                        "configuration (%%ProgramData%%\\svcd\\svcd.conf)\n");
        return SVCMGR_EXIT_USAGE;
    }
    return with_service("reload", SERVICE_PAUSE_CONTINUE | SERVICE_QUERY_STATUS, reload_verb);
}

int svcmgr_status(void)
{
    return with_service("status", SERVICE_QUERY_STATUS, status_verb);
}

/* ---- `svcd service` applies to itself what an installer may have left out:
 * an MSI built with wixl cannot set recovery actions or ACLs, nor install a
 * configuration that upgrades and uninstalls must leave alone. Each step is
 * idempotent, so it runs at every start. */

/* Writes the default configuration where the service was told to read it,
 * unless a file is there already (the administrator's, kept as it is). */
static void ensure_config(const char *path)
{
    char dir[PATHS_MAX];
    const char *slash = strrchr(path, '\\');
    wchar_t *w;
    HANDLE h;
    DWORD n = (DWORD)strlen(svcd_conf_win_text), put = 0;

    if (slash && (size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        fs_mkdir_p(dir, FS_DIR_SHARED); /* the administrator's folder: created, not changed */
    }
    w = win_wide(path);
    if (w == NULL)
        return;
    h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        if (GetLastError() != ERROR_FILE_EXISTS)
            diag(DIAG_WARN, "cannot create the default configuration %s: %s", path,
                 err_str(err_last_os()));
        goto free_path;
    }
    if (!WriteFile(h, svcd_conf_win_text, n, &put, NULL) || put != n) {
        diag(DIAG_WARN, "cannot write the default configuration %s: %s", path,
             err_str(err_last_os()));
        CloseHandle(h);
        DeleteFileW(w); /* a part of it would pass for the administrator's file */
        goto free_path;
    }
    CloseHandle(h);
free_path:
    free(w);
}

/* Gives svcd's data folder (%ProgramData%\svcd, the parent of the default
 * log directory) the owner SYSTEM and the protected DACL of the log
 * directory, whoever created it (the MSI creates it with the inherited one;
 * a standard user may have created it first, to own it). Returns 0 or the
 * error, reported: the service does not start without its folder. */
static int secure_data_dir(void)
{
    char dir[PATHS_MAX];
    char *slash;
    int rc;

    if (paths_default_state_dir(1, dir, sizeof(dir)) < 0 || (slash = strrchr(dir, '\\')) == NULL)
        return 0;
    *slash = '\0'; /* ...\svcd\logs -> ...\svcd */
    rc = fs_mkdir_p(dir, FS_DIR_SERVICE);
    if (rc == ERR_NOTDIR)
        diag(DIAG_ERROR,
             "the data folder %s is a junction, a symbolic link or a file, not a folder: remove it "
             "from an elevated prompt (svcd never follows a link to secure its folders)",
             dir);
    else if (rc < 0)
        diag(DIAG_ERROR, "cannot create the data folder %s or give it its DACL: %s", dir,
             err_str(rc));
    return rc;
}

/* The recovery actions and preshutdown timeout `svcd install` sets, on the
 * running service itself. */
static void set_own_recovery(void)
{
    SC_HANDLE scm, svc = svcmgr_win_open(&scm, SC_MANAGER_CONNECT, RECOVERY_ACCESS);

    if (svc == NULL || set_recovery(svc) < 0)
        diag(DIAG_WARN, "cannot set svcd's recovery actions: %s", err_str(err_last_os()));
    if (svc && set_preshutdown(svc) < 0)
        diag(DIAG_WARN, "cannot set svcd's preshutdown timeout: %s", err_str(err_last_os()));
    if (svc) {
        CloseServiceHandle(svc);
        CloseServiceHandle(scm);
    }
}

/* Windows Installer may register the program path unquoted; with a space
 * in it ("C:\Program Files\...") the SCM would try C:\Program.exe first.
 * Quote it, as `svcd install` does. */
static void quote_own_image_path(void)
{
    union {
        QUERY_SERVICE_CONFIGW c;
        BYTE raw[8192];
    } qc;
    wchar_t exe[MAX_PATH], fixed[2 * MAX_PATH + 512];
    SC_HANDLE scm, svc;
    DWORD need, n;

    svc = svcmgr_win_open(&scm, SC_MANAGER_CONNECT, SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG);
    if (svc == NULL)
        return;
    n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (QueryServiceConfigW(svc, &qc.c, sizeof(qc), &need) && n > 0 && n < MAX_PATH &&
        qc.c.lpBinaryPathName[0] != L'"' && _wcsnicmp(qc.c.lpBinaryPathName, exe, n) == 0 &&
        wcschr(exe, L' ')) {
        _snwprintf(fixed, sizeof(fixed) / sizeof(fixed[0]), L"\"%ls\"%ls", exe,
                   qc.c.lpBinaryPathName + n);
        fixed[sizeof(fixed) / sizeof(fixed[0]) - 1] = 0;
        BOOL ok;
        while (!(ok = ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                                           SERVICE_NO_CHANGE, fixed, NULL, NULL, NULL, NULL, NULL,
                                           NULL)) &&
               svcmgr_win_locked_retry())
            ;
        if (!ok)
            diag(DIAG_WARN, "cannot quote svcd's program path: %s", err_str(err_last_os()));
    }
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
}

int svcmgr_service_setup(const char *config_file)
{
    int rc;

    /* Briefly: the SCM is waiting for this process to start. */
    verb_deadline = GetTickCount64() + 5000;
    quote_own_image_path();
    rc = secure_data_dir();
    if (rc < 0)
        return rc;
    if (config_file)
        ensure_config(config_file);
    set_own_recovery();
    return 0;
}

/* ---- `svcd service` refuses files that others can change (issue: a user
 * who creates %ProgramData%\svcd first, or can write svcd.conf, would choose
 * control_sddl, state_dir and the endpoint of a LocalSystem service). */

/* Whether `dir` lies under a Program Files folder, whose ACL Windows keeps
 * (TrustedInstaller's, Users read). */
static int under_program_files(const wchar_t *dir)
{
    static const wchar_t *const names[] = {L"ProgramFilesDir", L"ProgramFilesDir (x86)",
                                           L"ProgramW6432Dir"};
    wchar_t pf[MAX_PATH];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        DWORD size = sizeof(pf);
        size_t n;
        if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion",
                         names[i], RRF_RT_REG_SZ, NULL, pf, &size) != ERROR_SUCCESS)
            continue;
        n = wcslen(pf);
        if (n > 0 && _wcsnicmp(dir, pf, n) == 0 && (dir[n] == L'\\' || dir[n] == 0))
            return 1;
    }
    return 0;
}

/* Whether the folder holds nothing but svcd's own files (svcd*, svcclient*),
 * as the MSI installs it: only then may svcd change its permissions. */
static int holds_only_svcd(const wchar_t *dir)
{
    wchar_t pattern[MAX_PATH + 4];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    int only = 1;

    _snwprintf(pattern, MAX_PATH + 4, L"%ls\\*", dir);
    pattern[MAX_PATH + 3] = 0;
    h = FindFirstFileW(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    do {
        const wchar_t *n = fd.cFileName;
        if (wcscmp(n, L".") && wcscmp(n, L"..") && _wcsnicmp(n, L"svcd", 4) &&
            _wcsnicmp(n, L"svcclient", 9))
            only = 0;
    } while (only && FindNextFileW(h, &fd));
    FindClose(h);
    return only;
}

/* svcd.exe's path and folder, UTF-8. */
static int program_paths(char *exe, size_t en, char *dir, size_t dn)
{
    wchar_t w[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, w, MAX_PATH);
    char *slash;

    if (n == 0 || n >= MAX_PATH)
        return ERR_NAMETOOLONG;
    if (win_utf8(w, exe, en) < 0 || strlen(exe) >= dn)
        return ERR_NAMETOOLONG;
    strcpy(dir, exe);
    slash = strrchr(dir, '\\');
    if (slash == NULL)
        return ERR_INVAL;
    *slash = '\0';
    return 0;
}

/* An INSTALLDIR outside Program Files inherits its parent's ACL (on C:\,
 * Authenticated Users may modify what they create), and wixl cannot lock it
 * (no LockPermissions table): svcd locks its own folder the way it locks
 * its data folder, when the folder holds nothing else. */
static void lock_program_dir(const char *dir)
{
    wchar_t *w = win_wide(dir);
    int rc;

    if (w == NULL)
        return;
    if (!under_program_files(w) && holds_only_svcd(w)) {
        rc = fs_mkdir_p(dir, FS_DIR_SERVICE);
        if (rc < 0)
            diag(DIAG_WARN, "cannot give svcd's program folder %s its DACL: %s", dir, err_str(rc));
    }
    free(w);
}

/* Checks one file or folder; on a refusal, says what it is, who can change
 * it, and how an administrator takes it back. */
static int check_one(const char *what, const char *path, int folder)
{
    char why[FSGUARD_WHY_MAX];
    int rc = fsguard_check_path(path, why, sizeof(why));

    if (rc == 0 || rc == ERR_NOENT)
        return 0; /* what is missing, whoever needs it reports (a log folder: the log) */
    if (rc != ERR_ACCESS) {
        diag(DIAG_ERROR, "refusing to start: cannot read the permissions of %s %s: %s", what, path,
             err_str(rc));
        return rc;
    }
    if (folder)
        diag(DIAG_ERROR,
             "refusing to start: %s %s %s; only SYSTEM, Administrators and TrustedInstaller may "
             "change what a LocalSystem service trusts. Check what it holds, then from an "
             "elevated prompt: takeown /a /f \"%s\" and icacls \"%s\" /inheritance:r /grant:r "
             "*S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX",
             what, path, why, path, path);
    else
        diag(DIAG_ERROR,
             "refusing to start: %s %s %s; only SYSTEM, Administrators and TrustedInstaller may "
             "change what a LocalSystem service trusts. Check what it says, then from an "
             "elevated prompt: takeown /a /f \"%s\" and icacls \"%s\" /reset",
             what, path, why, path, path);
    return rc;
}

int svcmgr_service_check(const char *config_file, const char *state_dir)
{
    char exe[PATHS_MAX], dir[PATHS_MAX], conf_dir[PATHS_MAX], data[PATHS_MAX];
    int have_exe = program_paths(exe, sizeof(exe), dir, sizeof(dir)) == 0;
    int rc;

    if (have_exe) /* first: a config file kept next to svcd.exe inherits the new DACL */
        lock_program_dir(dir);
    /* The configuration before anything it names is touched: its state_dir
     * is given to SYSTEM with the log DACL below, which a file written by
     * someone else must never choose. */
    if (config_file) {
        const char *slash = strrchr(config_file, '\\'), *fwd = strrchr(config_file, '/');
        if (fwd && (!slash || fwd > slash))
            slash = fwd; /* C:/svcd/svcd.conf works too */
        rc = check_one("the configuration file", config_file, 0);
        if (rc == 0 && slash && (size_t)(slash - config_file) < sizeof(conf_dir)) {
            memcpy(conf_dir, config_file, (size_t)(slash - config_file));
            conf_dir[slash - config_file] = '\0';
            rc = check_one("the configuration's folder", conf_dir, 1);
        }
        if (rc < 0)
            return rc;
    }
    rc = fs_mkdir_p(state_dir, FS_DIR_SERVICE); /* owner SYSTEM and the protected DACL */
    if (rc < 0)
        diag(DIAG_WARN, "cannot give the log folder %s its owner and DACL: %s", state_dir,
             rc == ERR_NOTDIR ? "it is a junction, a symbolic link or a file" : err_str(rc));
    rc = check_one("the log folder", state_dir, 1);
    if (rc == 0 && paths_default_state_dir(1, data, sizeof(data)) == 0 && strrchr(data, '\\')) {
        *strrchr(data, '\\') = '\0'; /* ...\svcd\logs -> ...\svcd, secured by secure_data_dir */
        rc = check_one("svcd's data folder", data, 1);
    }
    if (rc < 0)
        return rc;
    if (!have_exe)
        return 0; /* nothing to check that could be named */
    rc = check_one("svcd's program", exe, 0);
    if (rc == 0)
        rc = check_one("svcd's program folder", dir, 1);
    return rc;
}
