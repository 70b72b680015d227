/* Hosting on Windows: Ctrl-C/Ctrl-Break in console mode, and the service
 * control manager in service mode. SCM pause/continue and svcclient
 * pause/resume drive the one worker state machine; the loop reports every
 * state change back to the SCM (so `sc query` shows a client's pause). */
#include "host.h"
#include "host_win.h"
#include "diag.h"
#include "err.h"
#include "eventlog.h"
#include "failnote.h"
#include "run.h"
#include "winutil.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <windows.h>

#define SERVICE_NAME       L"svcd"
#define START_WAIT_HINT_MS 10000
#define STOP_WAIT_HINT_MS  10000
/* A SHUTDOWN handler's return lets Windows end the process: it waits this
 * long for the final entry first (within the ~5 s Windows allows). */
#define SHUTDOWN_WAIT_MS 4000

struct host {
    int service_mode;
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    CRITICAL_SECTION lock; /* SetServiceStatus from the handler and the loop */
    volatile LONG stop;
    volatile LONG control; /* a pending SERVICE_CONTROL_PAUSE / _CONTINUE */
    volatile LONG reload;  /* SERVICE_CONTROL_PARAMCHANGE arrived (svcd reload) */
    const struct run_reload *reloader;
    char why[64];
    struct server *volatile wake;
    host_load_fn load;
    void *load_ctx;
    HANDLE done; /* set once run_service returned: the final entry is written */
    int exit_code;
    /* Read by diagnostics on any thread (the SCM's control handler too). */
    volatile LONG starting;                 /* until RUNNING: warnings go to the event log */
    volatile LONG started;                  /* reached RUNNING once */
    char last_error[FAILNOTE_TEXT_MAX - 1]; /* the last DIAG_ERROR text: why it failed */
};

/* ServiceMain has no context parameter, so the SCM API forces this one
 * global; everything else receives &host as its context. */
static struct host host;

/* The SCM and console handlers run on other threads: they wake the server
 * under this lock (shared), and detaching takes it exclusively, so a server
 * is never closed while a handler is still waking it. */
static SRWLOCK wake_lock = SRWLOCK_INIT;

static void wake_server(struct host *h)
{
    AcquireSRWLockShared(&wake_lock);
    if (h->wake)
        server_wake(h->wake);
    ReleaseSRWLockShared(&wake_lock);
}

static void report(struct host *h, DWORD state, DWORD wait_hint)
{
    if (!h->service_mode)
        return;
    EnterCriticalSection(&h->lock);
    h->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    h->status.dwCurrentState = state;
    h->status.dwWaitHint = wait_hint;
    h->status.dwControlsAccepted = host_win_controls_accepted(state);
    if (state == SERVICE_RUNNING || state == SERVICE_PAUSED || state == SERVICE_STOPPED)
        h->status.dwCheckPoint = 0;
    else
        h->status.dwCheckPoint++;
    if (!SetServiceStatus(h->handle, &h->status))
        diag(DIAG_WARN, "SetServiceStatus failed: %s", err_str(err_last_os()));
    LeaveCriticalSection(&h->lock);
}

/* Reports the worker's state unless a stop began meanwhile: checked under the
 * lock so a late RUNNING never overwrites the handler's STOP_PENDING. */
static void report_state(struct host *h, DWORD state, int force)
{
    EnterCriticalSection(&h->lock);
    if (!h->stop && (force || h->status.dwCurrentState != state))
        report(h, state, 0);
    LeaveCriticalSection(&h->lock);
}

static void request_stop(struct host *h, const char *why)
{
    snprintf(h->why, sizeof(h->why), "%s", why);
    InterlockedExchange(&h->stop, 1);
    wake_server(h);
}

static BOOL WINAPI on_console_ctrl(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
        request_stop(&host, "Ctrl-C received");
        return TRUE;
    case CTRL_BREAK_EVENT:
        request_stop(&host, "Ctrl-Break received");
        return TRUE;
    case CTRL_CLOSE_EVENT:
        request_stop(&host, "console closed");
        return TRUE;
    default:
        return FALSE;
    }
}

int host_init(void)
{
    host.stop = 0;
    host.wake = NULL;
    if (host.service_mode)
        return 0; /* the SCM's handler is registered in service_main */
    if (!SetConsoleCtrlHandler(on_console_ctrl, TRUE))
        return err_last_os();
    return 0;
}

void host_wake_on_stop(struct server *sv)
{
    AcquireSRWLockExclusive(&wake_lock);
    host.wake = sv;
    ReleaseSRWLockExclusive(&wake_lock);
}

/* The data folder, where the failure note lives; "" when unknown. */
static const char *data_dir(void)
{
    static char dir[PATHS_MAX];

    if (dir[0] == '\0' && failnote_dir(dir, sizeof(dir)) < 0)
        dir[0] = '\0';
    return dir;
}

void host_ready(struct svc *s)
{
    (void)s;
    if (host.service_mode) {
        InterlockedExchange(&host.starting, 0);
        InterlockedExchange(&host.started, 1);
        EnterCriticalSection(&host.lock);
        host.last_error[0] = '\0'; /* a start-up error that did not stop it is no reason */
        LeaveCriticalSection(&host.lock);
        if (failnote_clear(data_dir()) < 0) /* the last failure is history now */
            diag(DIAG_WARN, "cannot remove %s\\%s", data_dir(), FAILNOTE_NAME);
    }
    report(&host, SERVICE_RUNNING, 0);
}

void host_sync(struct svc *s)
{
    LONG ctl = InterlockedExchange(&host.control, 0);
    char msg[256];

    if (ctl == SERVICE_CONTROL_PAUSE)
        svc_pause(s, NULL, msg, sizeof(msg));
    else if (ctl == SERVICE_CONTROL_CONTINUE)
        svc_resume(s, NULL, msg, sizeof(msg));
    if (host.service_mode)
        report_state(&host, s->worker.state == WORKER_PAUSED ? SERVICE_PAUSED : SERVICE_RUNNING,
                     ctl != 0);
}

int host_wait_ms(int wait_ms)
{
    return wait_ms; /* the SCM has no watchdog to feed */
}

int host_stop_requested(char *why, size_t n)
{
    if (!host.stop)
        return 0;
    snprintf(why, n, "%s", host.why);
    return 1;
}

int host_reload_requested(char *why, size_t n)
{
    if (!InterlockedExchange(&host.reload, 0))
        return 0;
    snprintf(why, n, "reload requested by the service control manager");
    return 1;
}

void host_reload_begin(void)
{
}

void host_reload_end(void)
{
}

void host_stopping(void)
{
    report(&host, SERVICE_STOP_PENDING, STOP_WAIT_HINT_MS);
}

void host_done(void)
{
    /* The console handler stays: removing it would let a second Ctrl-C end a
     * process that is only returning from main, with a failure status. */
    host_wake_on_stop(NULL);
}

DWORD host_win_controls_accepted(DWORD state)
{
    if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING)
        return 0;
    return SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN |
           SERVICE_ACCEPT_PAUSE_CONTINUE | SERVICE_ACCEPT_PARAMCHANGE;
}

const char *host_win_stop_reason(DWORD ctl)
{
    switch (ctl) {
    case SERVICE_CONTROL_STOP:
        return "stop requested by the service control manager";
    case SERVICE_CONTROL_PRESHUTDOWN:
        return "system shutdown";
    case SERVICE_CONTROL_SHUTDOWN:
        return "system shutdown (no preshutdown notice)";
    default:
        return NULL;
    }
}

static DWORD WINAPI on_control(DWORD ctl, DWORD type, LPVOID data, LPVOID ctx)
{
    struct host *h = ctx;

    (void)type;
    (void)data;
    switch (ctl) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_PRESHUTDOWN: /* the SCM waits for STOPPED, up to our timeout */
    case SERVICE_CONTROL_SHUTDOWN:
        request_stop(h, host_win_stop_reason(ctl));
        report(h, SERVICE_STOP_PENDING, STOP_WAIT_HINT_MS);
        if (ctl == SERVICE_CONTROL_SHUTDOWN && h->done)
            WaitForSingleObject(h->done, SHUTDOWN_WAIT_MS);
        return NO_ERROR;
    case SERVICE_CONTROL_PAUSE:
    case SERVICE_CONTROL_CONTINUE:
        report(h, ctl == SERVICE_CONTROL_PAUSE ? SERVICE_PAUSE_PENDING : SERVICE_CONTINUE_PENDING,
               1000);
        InterlockedExchange(&h->control, (LONG)ctl);
        wake_server(h);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE: /* svcd reload: the loop re-reads svcd.conf */
        InterlockedExchange(&h->reload, 1);
        wake_server(h);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR; /* the SCM keeps the last reported status */
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void service_diag(enum diag_level level, const char *msg, const char *line);

/* The service ends with `code` (not RUN_EXIT_OK): the reason, the last
 * error it reported, goes to the event log and to the failure note that
 * `svcd start|status` print. */
static void record_failure(struct host *h, int code)
{
    char text[FAILNOTE_TEXT_MAX];
    int rc;

    EnterCriticalSection(&h->lock);
    snprintf(text, sizeof(text), "%s", h->last_error[0] ? h->last_error : run_exit_text(code));
    LeaveCriticalSection(&h->lock);
    eventlog_report(InterlockedOr(&h->started, 0) ? EVENTLOG_FAILED : EVENTLOG_START_FAILED, text);
    /* Into the data folder only once it is secured (owner SYSTEM, protected
     * DACL, not a link): before that a user may own it, and SYSTEM writing
     * and renaming a file there would follow whatever link was planted. */
    if (code == RUN_EXIT_DATA_DIR)
        return;
    rc = data_dir()[0] ? failnote_write(data_dir(), code, text) : ERR_INVAL;
    if (rc < 0)
        diag(DIAG_WARN, "cannot write %s\\%s: %s", data_dir(), FAILNOTE_NAME, err_str(rc));
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    static struct config cfg; /* lives as long as the service */

    (void)argc;
    (void)argv;
    /* First: from here on every start-up problem reaches the event log,
     * with the default classes until the configuration is read. */
    diag_set_sink(service_diag);
    eventlog_open();
    InterlockedExchange(&host.starting, 1);
    host.handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, on_control, &host);
    if (host.handle == NULL) {
        diag(DIAG_ERROR, "cannot register with the service control manager: %s",
             err_str(err_last_os()));
        host.exit_code = RUN_EXIT_FAILED;
        record_failure(&host, host.exit_code);
        return;
    }
    report(&host, SERVICE_START_PENDING, START_WAIT_HINT_MS);
    host.exit_code = host.load(host.load_ctx, &cfg);
    if (host.exit_code == RUN_EXIT_OK) {
        eventlog_set_classes((unsigned)cfg.eventlog);
        host.exit_code = run_service(&cfg, 1, host.reloader);
    }
    if (host.done)
        SetEvent(host.done); /* a SHUTDOWN handler may be waiting for the final entry */
    if (host.exit_code != RUN_EXIT_OK)
        record_failure(&host, host.exit_code);
    EnterCriticalSection(&host.lock);
    if (host.exit_code != 0) {
        host.status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
        host.status.dwServiceSpecificExitCode = (DWORD)host.exit_code;
    }
    LeaveCriticalSection(&host.lock);
    report(&host, SERVICE_STOPPED, 0);
    eventlog_close();
}

/* A service never touches a console: its diagnostics go to the debugger
 * channel (DebugView, WinDbg); what matters to users is in its log, and
 * what matters to administrators also in the event log: while starting,
 * every warning, and the last error as the reason it could not start. */
static void service_diag(enum diag_level level, const char *msg, const char *line)
{
    wchar_t *w = win_wide(line);

    if (w) {
        OutputDebugStringW(w);
        free(w);
    }
    if (level == DIAG_ERROR) {
        EnterCriticalSection(&host.lock);
        snprintf(host.last_error, sizeof(host.last_error), "%s", msg);
        LeaveCriticalSection(&host.lock);
    } else if (level == DIAG_WARN && InterlockedOr(&host.starting, 0)) {
        eventlog_report(EVENTLOG_WARNING, msg);
    }
}

int host_service_main(host_load_fn load, const struct run_reload *reload, void *ctx)
{
    SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)SERVICE_NAME, service_main}, {NULL, NULL}};

    host.service_mode = 1;
    host.load = load;
    host.reloader = reload;
    host.load_ctx = ctx;
    InitializeCriticalSection(&host.lock);
    host.done = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!StartServiceCtrlDispatcherW(table)) {
        if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            diag(DIAG_ERROR, "'svcd service' is started by the service control manager; use "
                             "'svcd start' to start the installed service, or 'svcd run' for "
                             "console mode");
        else
            diag(DIAG_ERROR, "cannot connect to the service control manager: %s",
                 err_str(err_last_os()));
        return 1;
    }
    return host.exit_code;
}
