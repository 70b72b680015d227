/* The event log is fed from the very places the service writes its
 * lifecycle, audit and failure entries. The platform's eventlog_report is
 * replaced here by a recorder (this definition is linked before the
 * library's, and nothing else of eventlog_posix.c is needed), so the hooks
 * are checked without Windows: which kinds are reported, with which text,
 * and that heartbeats and granted requests never are. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eventlog.h"
#include "svc.h"
#include "tmpdir.h"

#define MAX_EVENTS 64

static struct {
    enum eventlog_kind kind;
    char text[512];
} events[MAX_EVENTS];
static int n_events;

void eventlog_report(enum eventlog_kind kind, const char *text)
{
    if (n_events < MAX_EVENTS) {
        events[n_events].kind = kind;
        snprintf(events[n_events].text, sizeof(events[n_events].text), "%s", text);
    }
    n_events++;
}

static int count(enum eventlog_kind kind)
{
    int c = 0;
    for (int i = 0; i < n_events && i < MAX_EVENTS; i++)
        c += events[i].kind == kind;
    return c;
}

static const char *last_text(enum eventlog_kind kind)
{
    for (int i = (n_events < MAX_EVENTS ? n_events : MAX_EVENTS) - 1; i >= 0; i--)
        if (events[i].kind == kind)
            return events[i].text;
    return "";
}

static char dir[256];
static struct svc s;
static struct ipc_peer alice = {.pid = 4242, .uid = 3999001, .gid = 0, .name = "alice"};

static void setup(void)
{
    struct config cfg;

    cr_assert_eq(tmpdir_make(dir, sizeof(dir)), 0);
    config_defaults(&cfg, 0);
    snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/logs", dir);
    cfg.interval_us = 10000;
    n_events = 0;
    cr_assert_eq(svc_start(&s, &cfg, 0), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(hooks, .init = setup, .fini = teardown);

Test(hooks, lifecycle_with_who_and_never_heartbeats)
{
    char msg[256];

    cr_assert_eq(count(EVENTLOG_STARTED), 1);
    cr_assert(strstr(last_text(EVENTLOG_STARTED), "started (pid ") == last_text(EVENTLOG_STARTED),
              "%s", last_text(EVENTLOG_STARTED));
    for (int i = 0; i < 5; i++) { /* heartbeats are due every 10 ms */
        struct timespec ts = {0, 12 * 1000 * 1000};
        nanosleep(&ts, NULL);
        svc_tick(&s);
    }
    cr_assert_geq(s.worker.beats, 2, "heartbeats were written");
    cr_assert_eq(n_events, 1, "but none reported");
    svc_pause(&s, &alice, msg, sizeof(msg));
    cr_assert_eq(count(EVENTLOG_PAUSED), 1);
    cr_assert_str_eq(last_text(EVENTLOG_PAUSED), "paused by alice (uid 3999001, pid 4242)");
    svc_pause(&s, &alice, msg, sizeof(msg));
    cr_assert_eq(count(EVENTLOG_PAUSED), 1, "already paused: nothing changed, nothing reported");
    svc_resume(&s, NULL, msg, sizeof(msg));
    cr_assert_str_eq(last_text(EVENTLOG_RESUMED), "resumed by the service manager");
    svc_begin_stop(&s, "stop requested by the service control manager");
    cr_assert_str_eq(last_text(EVENTLOG_STOPPING),
                     "stopping (stop requested by the service control manager)");
    svc_finish(&s);
    cr_assert_eq(count(EVENTLOG_STOPPED), 1);
    cr_assert(strstr(last_text(EVENTLOG_STOPPED), "stopped after ") == last_text(EVENTLOG_STOPPED),
              "%s", last_text(EVENTLOG_STOPPED));
}

Test(hooks, denials_are_audited_there_grants_are_not_and_the_limit_holds)
{
    svc_audit(&s, &alice, "status", 1, NULL);
    cr_assert_eq(count(EVENTLOG_DENIED), 0, "granted requests stay in svcd's own log");
    svc_audit(&s, &alice, "pause", 0, "no control right");
    cr_assert_str_eq(last_text(EVENTLOG_DENIED),
                     "pause by alice (uid 3999001, pid 4242): denied, no control right");
    for (int i = 0; i < 3 * SVC_AUDIT_BURST; i++)
        svc_audit(&s, &alice, "pause", 0, "no control right");
    cr_assert_eq(count(EVENTLOG_DENIED), SVC_AUDIT_BURST,
                 "a flood of denials is limited in the event log as in the log");
    svc_finish(&s);
}

Test(hooks, client_warnings_say_whether_they_were_written)
{
    int written = 0;

    for (int i = 0; i < 3 * SVC_AUDIT_BURST; i++)
        written += svc_note(&s, "cut off mallory: it read none of its output");
    cr_assert_eq(written, SVC_AUDIT_BURST, "server.c reports a cut-off only when it was written");
    svc_finish(&s);
}
