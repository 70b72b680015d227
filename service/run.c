#include "run.h"
#include "authz.h"
#include "diag.h"
#include "err.h"
#include "eventlog.h"
#include "host.h"
#include "server.h"
#include "statelock.h"
#include "svc.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

const char *run_exit_text(int code)
{
    switch (code) {
    case RUN_EXIT_OK:
        return "stopped cleanly";
    case RUN_EXIT_FAILED:
        return "stopped on an error";
    case RUN_EXIT_CONFIG:
        return "configuration error";
    case RUN_EXIT_DATA_DIR:
        return "data folder error";
    case RUN_EXIT_ENDPOINT:
        return "endpoint error";
    case RUN_EXIT_LOG:
        return "log error";
    case RUN_EXIT_UNSAFE:
        return "unsafe permissions";
    case RUN_EXIT_IN_USE:
        return "state directory in use by another svcd";
    default:
        return "unknown exit code";
    }
}

static void explain_open_failure(const struct config *cfg, int rc)
{
    char why[2 * PATHS_MAX + 512];

    switch (rc) {
    case ERR_INUSE:
        diag(DIAG_ERROR,
             "already running: another svcd answers on %s (stop it first, or use "
             "--endpoint for a second instance)",
             cfg->endpoint);
        break;
    case ERR_ACCESS:
        if (ipc_server_explain_access(cfg->endpoint, why, sizeof(why)) == 0)
            diag(DIAG_ERROR, "cannot listen on %s: %s", cfg->endpoint, why);
        else
            diag(DIAG_ERROR,
                 "cannot listen on %s: permission denied (its directory must belong to "
                 "you or root and not be writable by others; or use --endpoint)",
                 cfg->endpoint);
        break;
    case ERR_EXIST:
        diag(DIAG_ERROR, "cannot listen on %s: the path exists and is not a socket", cfg->endpoint);
        break;
    default:
        diag(DIAG_ERROR, "cannot listen on %s: %s", cfg->endpoint, err_str(rc));
        break;
    }
}

/* svc_start failed with `rc`: says why, and returns the exit code. The
 * lock comes first, so when it failed, nothing was written. */
static int explain_start_failure(const struct svc *s, const struct config *cfg, int rc)
{
    char msg[STATELOCK_TEXT_MAX + 2 * PATHS_MAX + 160];

    if (s->lock.error) {
        statelock_explain(&s->lock, cfg->state_dir, rc, msg, sizeof(msg));
        diag(DIAG_ERROR, "%s", msg);
        return s->lock.busy ? RUN_EXIT_IN_USE : RUN_EXIT_LOG;
    }
    diag(DIAG_ERROR, "cannot open the log in %s: %s (check the directory or use --state-dir)",
         cfg->state_dir, logstore_err_str(rc));
    return RUN_EXIT_LOG;
}

/* Whether a reload changes who may do what: then a new policy is built. */
static int policy_changed(const struct config *a, const struct config *b)
{
    return strcmp(a->control_group, b->control_group) != 0 ||
           strcmp(a->read_group, b->read_group) != 0 ||
           strcmp(a->control_sddl, b->control_sddl) != 0;
}

/* One reload, on the loop: reads the configuration again and applies what
 * may change live (svc_reload logs it); an unusable configuration (a parse
 * error, a group that does not exist, a bad SDDL) changes nothing and is
 * logged with the loader's reason. *az is replaced by a new policy when
 * the groups or the SDDL changed. */
static void reload(struct svc *s, struct server *sv, struct authz **az, const struct run_reload *rl,
                   const char *why)
{
    static struct config next, merged; /* large; only the loop uses them */
    static struct config_diff d;
    char err[CONFIG_ERR_MAX + PATHS_MAX + AUTHZ_ERR_MAX];
    struct authz *naz = NULL;
    int rc;

    diag(DIAG_INFO, "reloading the configuration: %s", why);
    host_reload_begin();
    if (rl == NULL || rl->load == NULL) {
        svc_reload_failed(s, "this svcd was started without a way to read its configuration");
        goto end;
    }
    rc = rl->load(rl->ctx, &s->cfg, &next, err, sizeof(err));
    if (rc < 0) {
        svc_reload_failed(s, err);
        goto end;
    }
    config_diff(&s->cfg, &next, &merged, &d);
    if (policy_changed(&s->cfg, &merged)) {
        rc = authz_open(&merged, s->system_mode, &naz, err, sizeof(err));
        if (rc < 0) {
            svc_reload_failed(s, rc == ERR_INVAL ? err : err_str(rc));
            goto end;
        }
        server_set_authz(sv, naz, *az);
        *az = naz;
        rc = server_endpoint_groups(sv);
        if (rc < 0) { /* the rights changed; who can reach the socket did not */
            snprintf(err, sizeof(err),
                     "config reload: cannot give the endpoint %s its new "
                     "groups: %s (restart svcd)",
                     s->cfg.endpoint, err_str(rc));
            diag(DIAG_WARN, "%s", err);
            svc_note(s, err);
        }
    }
    eventlog_set_classes((unsigned)merged.eventlog);
    svc_reload(s, &merged, &d);
end:
    host_reload_end();
}

int run_service(const struct config *cfg, int system_mode, const struct run_reload *rl)
{
    static struct svc s; /* large; lives for the whole run */
    struct server sv;
    char why[64] = "stop requested", err[AUTHZ_ERR_MAX];
    struct authz *az = NULL;
    int rc, fail;

    rc = host_init();
    if (rc < 0)
        diag(DIAG_WARN, "cannot install stop handlers: %s", err_str(rc));
    rc = authz_open(cfg, system_mode, &az, err, sizeof(err));
    if (rc < 0) {
        diag(DIAG_ERROR, "%s", rc == ERR_INVAL ? err : err_str(rc));
        host_done();
        return RUN_EXIT_CONFIG;
    }
    rc = server_open(&sv, &s, az, cfg->endpoint, system_mode);
    if (rc < 0) {
        explain_open_failure(cfg, rc);
        fail = RUN_EXIT_ENDPOINT;
        goto close_authz;
    }
    rc = svc_start(&s, cfg, system_mode);
    if (rc < 0) {
        fail = explain_start_failure(&s, cfg, rc);
        server_close(&sv);
        goto close_authz;
    }
    host_wake_on_stop(&sv);
    host_ready(&s);
    diag(DIAG_INFO, "svcd %s running (pid %ld): endpoint %s, log %s", SVCD_VERSION, s.pid,
         cfg->endpoint, s.log.path);
    while (!host_stop_requested(why, sizeof(why))) {
        char asked[64];
        if (host_reload_requested(asked, sizeof(asked)))
            reload(&s, &sv, &az, rl, asked);
        host_sync(&s);
        rc = server_run_once(&sv, host_wait_ms(svc_tick(&s)));
        if (rc < 0) {
            diag(DIAG_ERROR, "event loop failed: %s", err_str(rc));
            snprintf(why, sizeof(why), "event loop failed: %s", err_str(rc));
            break;
        }
    }
    /* Detached before the server closes: a repeated stop signal must not
     * wake a server that is gone. */
    host_wake_on_stop(NULL);
    diag(DIAG_INFO, "stopping: %s", why);
    host_stopping();
    svc_begin_stop(&s, why);
    server_end_streams(&sv, "service stopping");
    server_close(&sv);
    svc_finish(&s);
    authz_close(az);
    host_done();
    return rc < 0 ? RUN_EXIT_FAILED : RUN_EXIT_OK;

close_authz:
    authz_close(az);
    host_done();
    return fail;
}
