#define _POSIX_C_SOURCE 200809L
#include "host.h"
#include "diag.h"
#include "err.h"
#include "clock.h"
#include "sdnotify.h"
#include "watchdog.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal; /* SIGHUP: the loop re-reads the config */
/* Read by the handler, which runs on the loop thread (the resolver thread,
 * userdb_posix.c, blocks every signal): once the loop stores NULL here, no
 * handler can still be using the old server. */
static struct server *volatile wake_target;

static void on_signal(int sig)
{
    struct server *sv = wake_target;

    if (sig == SIGHUP)
        reload_signal = 1;
    else
        stop_signal = sig;
    if (sv)
        server_wake(sv);
}

int host_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    wake_target = NULL;
    stop_signal = 0;
    reload_signal = 0;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return err_last_os();
    /* A SIGHUP only sets a flag and writes the wake pipe: no system call
     * of the loop should fail with EINTR for it. */
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGHUP, &sa, NULL) < 0)
        return err_last_os();
    sa.sa_flags = 0;
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        return err_last_os();
    return 0;
}

void host_wake_on_stop(struct server *sv)
{
    /* A signal that came before this is seen by the loop's first check. */
    wake_target = sv;
}

static enum worker_state told_state; /* what systemd last heard */
static struct watchdog dog;          /* WatchdogSec=, when systemd asked */

/* Tells systemd (when it started us with Type=notify) how things stand.
 * Returns sdnotify's result, a failure already reported. */
static int notify(const char *state)
{
    int rc = sdnotify(state);
    if (rc == ERR_INVAL || rc == ERR_NAMETOOLONG)
        diag(DIAG_WARN,
             "NOTIFY_SOCKET='%s' is not an absolute socket path or @name (%s); the service "
             "manager will not hear svcd's state",
             getenv("NOTIFY_SOCKET"), err_str(rc));
    else if (rc < 0)
        diag(DIAG_WARN, "cannot notify the service manager through NOTIFY_SOCKET='%s': %s",
             getenv("NOTIFY_SOCKET"), err_str(rc));
    return rc;
}

/* Arms the watchdog when systemd asked for one (WATCHDOG_USEC, and
 * WATCHDOG_PID unset or ours) and gave a socket to feed it through; a
 * malformed value is a warning, not fatal. */
static void arm_watchdog(long pid)
{
    const char *usec = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
    const char *sock = getenv("NOTIFY_SOCKET");
    uint64_t interval = 0;

    if (sock == NULL || sock[0] == '\0')
        usec = NULL; /* nobody to send WATCHDOG=1 to */
    if (watchdog_parse(usec, wpid, pid, &interval) < 0)
        diag(DIAG_WARN,
             "WATCHDOG_USEC='%s' or WATCHDOG_PID='%s' is not a positive number; svcd sends "
             "no WATCHDOG=1 (check WatchdogSec= in the unit)",
             usec ? usec : "", wpid ? wpid : "");
    watchdog_init(&dog, interval, clock_mono_us());
    if (interval > 0 && interval < 2 * WATCHDOG_MIN_EVERY_US)
        diag(DIAG_WARN,
             "WatchdogSec= (WATCHDOG_USEC=%llu) is shorter than svcd can keep: it sends "
             "WATCHDOG=1 at most every %d ms, so systemd may restart it; raise WatchdogSec= "
             "to 1s or more",
             (unsigned long long)interval, WATCHDOG_MIN_EVERY_US / 1000);
    if (interval > 0)
        diag(DIAG_INFO, "watchdog: WATCHDOG=1 every %llu ms (WatchdogSec=%llu ms)",
             (unsigned long long)(dog.every_us / 1000), (unsigned long long)(interval / 1000));
}

void host_ready(struct svc *s)
{
    char msg[PATHS_MAX + 96];

    snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\nSTATUS=running; endpoint %s", s->pid,
             s->cfg.endpoint);
    told_state = s->worker.state;
    if (notify(msg) == 0) /* else WATCHDOG=1 would only fail (and warn) again */
        arm_watchdog(s->pid);
}

/* Sends the keep-alive. A failure is reported once, and its end once, not
 * at every keep-alive. */
static void feed_watchdog(void)
{
    static int failing;
    int rc = sdnotify("WATCHDOG=1");

    if (rc < 0 && !failing)
        diag(DIAG_WARN,
             "cannot send WATCHDOG=1 through NOTIFY_SOCKET='%s': %s (systemd may restart svcd; "
             "svcd keeps trying and says when it works again)",
             getenv("NOTIFY_SOCKET"), err_str(rc));
    else if (rc == 0 && failing)
        diag(DIAG_INFO, "WATCHDOG=1 reaches the service manager again");
    failing = rc < 0;
}

int host_wait_ms(int wait_ms)
{
    int64_t us = watchdog_wait_us(&dog, clock_mono_us());
    int64_t ms = us < 0 ? -1 : (us + 999) / 1000;

    if (ms < 0 || (wait_ms >= 0 && wait_ms <= ms))
        return wait_ms;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

void host_sync(struct svc *s)
{
    char msg[WORKER_WHO_MAX + 48];

    if (watchdog_due(&dog, clock_mono_us()))
        feed_watchdog();
    if (s->worker.state == told_state)
        return;
    told_state = s->worker.state;
    if (told_state == WORKER_PAUSED)
        snprintf(msg, sizeof(msg), "STATUS=paused by %s", s->worker.paused_by);
    else
        snprintf(msg, sizeof(msg), "STATUS=running");
    notify(msg); /* shown by systemctl status */
}

int host_stop_requested(char *why, size_t n)
{
    int sig = stop_signal;

    if (sig == 0)
        return 0;
    snprintf(why, n, "%s received", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 1;
}

int host_reload_requested(char *why, size_t n)
{
    if (!reload_signal)
        return 0;
    reload_signal = 0;
    snprintf(why, n, "SIGHUP received");
    return 1;
}

void host_reload_begin(void)
{
    char msg[64];

    /* MONOTONIC_USEC: CLOCK_MONOTONIC, as clock_mono_us reads it; systemd
     * uses it to tell this reload from an older one. */
    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
             (unsigned long long)clock_mono_us());
    notify(msg);
}

void host_reload_end(void)
{
    notify(told_state == WORKER_PAUSED ? "READY=1\nSTATUS=paused" : "READY=1\nSTATUS=running");
}

void host_stopping(void)
{
    notify("STOPPING=1\nSTATUS=stopping");
}

void host_done(void)
{
    /* The handlers stay: restoring SIG_DFL here would let a repeated
     * SIGTERM kill a process that is only returning from main. */
    wake_target = NULL;
}

int host_service_main(host_load_fn load, const struct run_reload *reload, void *ctx)
{
    (void)load;
    (void)reload;
    (void)ctx;
    diag(DIAG_ERROR, "'svcd service' is the entry point for the Windows service manager; "
                     "use 'svcd run' here");
    return 2;
}
