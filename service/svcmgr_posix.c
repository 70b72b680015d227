/* The service verbs on Linux, through systemd: the unit the .deb ships
 * (embedded at build time) is written to /etc/systemd/system with this
 * binary's path, the svcd group is created, and systemctl does the rest.
 * Without systemd as PID 1 (containers, CI) every verb says so and fails. */
#define _GNU_SOURCE
#include "svcmgr.h"
#include "diag.h"
#include "err.h"
#include "paths.h"
#include "sbuf.h"
#include "config.h"
#include "statelock.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svcd_conf.h"
#include "svcd_unit.h"

#define UNIT_PATH     "/etc/systemd/system/svcd.service"
#define CONF_DIR      "/etc/svcd"
#define CONF_PATH     "/etc/svcd/svcd.conf"
#define PACKAGED_EXEC "ExecStart=/usr/bin/svcd run --config " CONF_PATH
/* systemctl status exit codes (LSB): the unit is not running / not there. */
#define SYSTEMCTL_NOT_RUNNING 3
#define SYSTEMCTL_NO_UNIT     4

extern char **environ;

/* Replaces the first `from` in `text` with `to`, into out. */
static int replace_once(const char *text, const char *from, const char *to, struct sbuf *out)
{
    const char *at = strstr(text, from);

    if (at == NULL)
        return ERR_INVAL;
    sbuf_add(out, text, (size_t)(at - text));
    sbuf_adds(out, to);
    sbuf_adds(out, at + strlen(from));
    return out->failed ? ERR_NOMEM : 0;
}

int svcmgr_unit_text(const char *exe, const char *config_file, struct sbuf *out)
{
    struct sbuf line;
    int rc;

    sbuf_init(&line, 2 * PATHS_MAX + 64);
    sbuf_printf(&line, "ExecStart=%s run --config %s", exe, config_file ? config_file : CONF_PATH);
    rc =
        line.failed ? ERR_NOMEM : replace_once(svcd_unit_text, PACKAGED_EXEC, sbuf_str(&line), out);
    sbuf_free(&line);
    return rc;
}

static int systemd_booted(void)
{
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every verb's first check: systemd must be the service manager here. */
static int no_systemd(const char *verb)
{
    char comm[64] = "unknown";
    FILE *f = fopen("/proc/1/comm", "r");

    if (f) {
        if (fgets(comm, sizeof(comm), f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
    }
    diag(DIAG_ERROR,
         "%s: systemd is not running on this machine (PID 1 is '%s', as in a container or CI), "
         "so svcd cannot be managed as a system service here; run 'svcd run' in the foreground "
         "instead",
         verb, comm);
    return SVCMGR_EXIT_FAILED;
}

static int need_root(const char *verb)
{
    if (geteuid() == 0)
        return 0;
    diag(DIAG_ERROR, "%s: needs root (try: sudo svcd %s)", verb, verb);
    return SVCMGR_EXIT_DENIED;
}

/* Runs argv (searched in PATH) and returns its exit status, or -1. */
static int run(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4)
{
    char *argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
    pid_t pid;
    int status;

    if (posix_spawnp(&pid, a0, NULL, NULL, argv, environ) != 0) {
        diag(DIAG_ERROR, "cannot run %s: %s", a0, strerror(errno));
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t n = strlen(text);
    int rc = 0;

    if (fd < 0)
        return err_last_os();
    if (write(fd, text, n) != (ssize_t)n || fsync(fd) < 0)
        rc = err_last_os();
    close(fd);
    if (rc < 0)
        unlink(path);
    return rc;
}

/* The group whose members may control svcd, and the default config. */
static int prepare_system(const struct svcmgr_install_opts *o)
{
    int rc;

    if (getgrnam("svcd") == NULL && run("groupadd", "--system", "svcd", NULL, NULL) != 0) {
        diag(DIAG_ERROR, "install: cannot create the group svcd (groupadd --system svcd)");
        return -1;
    }
    if (o->config_file)
        return 0;
    if (mkdir(CONF_DIR, 0755) < 0 && errno != EEXIST) {
        diag(DIAG_ERROR, "install: cannot create %s: %s", CONF_DIR, strerror(errno));
        return -1;
    }
    rc = write_file(CONF_PATH, svcd_conf_text, 0644);
    if (rc < 0 && rc != ERR_EXIST) {
        diag(DIAG_ERROR, "install: cannot write %s: %s", CONF_PATH, err_str(rc));
        return -1;
    }
    return 0;
}

int svcmgr_install(const struct svcmgr_install_opts *o)
{
    char exe[PATHS_MAX];
    struct sbuf unit;
    ssize_t n;
    int rc;

    if (!systemd_booted())
        return no_systemd("install");
    if ((rc = need_root("install")) != 0)
        return rc;
    if (access(UNIT_PATH, F_OK) == 0) {
        diag(DIAG_ERROR, "install: svcd is already installed (%s); 'svcd remove' first", UNIT_PATH);
        return SVCMGR_EXIT_FAILED;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        diag(DIAG_ERROR, "install: cannot find this program's path (/proc/self/exe): %s",
             strerror(errno));
        return SVCMGR_EXIT_FAILED;
    }
    exe[n] = '\0';
    if (prepare_system(o) < 0)
        return SVCMGR_EXIT_FAILED;
    sbuf_init(&unit, 8192);
    rc = svcmgr_unit_text(exe, o->config_file, &unit);
    if (rc == 0)
        rc = write_file(UNIT_PATH, sbuf_str(&unit), 0644);
    sbuf_free(&unit);
    if (rc < 0) {
        diag(DIAG_ERROR, "install: cannot write %s: %s", UNIT_PATH, err_str(rc));
        return SVCMGR_EXIT_FAILED;
    }
    if (run("systemctl", "daemon-reload", NULL, NULL, NULL) != 0)
        return SVCMGR_EXIT_FAILED;
    if (o->startup == SVCMGR_AUTO || o->startup == SVCMGR_DELAYED) {
        if (run("systemctl", "enable", "--now", "svcd.service", NULL) != 0)
            return SVCMGR_EXIT_FAILED;
        printf("svcd installed (%s) and started; it starts at boot\n", UNIT_PATH);
    } else {
        printf("svcd installed (%s); start it with 'svcd start'\n", UNIT_PATH);
    }
    return SVCMGR_EXIT_OK;
}

int svcmgr_remove(void)
{
    int rc;

    if (!systemd_booted())
        return no_systemd("remove");
    if ((rc = need_root("remove")) != 0)
        return rc;
    if (access(UNIT_PATH, F_OK) != 0) {
        diag(DIAG_ERROR, "remove: svcd is not installed (no %s)", UNIT_PATH);
        return SVCMGR_EXIT_NOT_INSTALLED;
    }
    run("systemctl", "disable", "--now", "svcd.service", NULL);
    if (unlink(UNIT_PATH) < 0) {
        diag(DIAG_ERROR, "remove: cannot delete %s: %s", UNIT_PATH, strerror(errno));
        return SVCMGR_EXIT_FAILED;
    }
    run("systemctl", "daemon-reload", NULL, NULL, NULL);
    printf("svcd removed; its logs (/var/log/svcd), %s and the group svcd are kept\n", CONF_PATH);
    return SVCMGR_EXIT_OK;
}

/* start, stop and restart are systemctl's, which waits for the result. */
static int control(const char *verb)
{
    int rc;

    if (!systemd_booted())
        return no_systemd(verb);
    if ((rc = need_root(verb)) != 0)
        return rc;
    return run("systemctl", verb, "svcd.service", NULL, NULL) == 0 ? SVCMGR_EXIT_OK
                                                                   : SVCMGR_EXIT_FAILED;
}

int svcmgr_start(void)
{
    return control("start");
}

int svcmgr_stop(void)
{
    return control("stop");
}

int svcmgr_restart(void)
{
    return control("restart");
}

int svcmgr_reload(const struct config *cfg, int options)
{
    long pid;
    int rc = statelock_probe(cfg->state_dir, &pid);

    (void)options;
    if (rc == ERR_UNTRUSTED || rc == ERR_ACCESS)
        return need_root("reload") ? SVCMGR_EXIT_DENIED : SVCMGR_EXIT_FAILED;
    if (rc < 0) {
        diag(DIAG_ERROR, "reload: cannot read %s/" STATELOCK_FILE ": %s", cfg->state_dir,
             err_str(rc));
        return SVCMGR_EXIT_FAILED;
    }
    if (rc == 0 || pid <= 0) {
        diag(DIAG_ERROR,
             "reload: no svcd is running on the state directory %s%s; start it (svcd run, or "
             "systemctl start svcd), or give reload the --config or --state-dir the running "
             "svcd was started with",
             cfg->state_dir, rc == 0 ? "" : " (it is starting: try again)");
        return SVCMGR_EXIT_NOT_INSTALLED;
    }
    if (kill((pid_t)pid, SIGHUP) < 0) {
        if (errno == EPERM)
            return need_root("reload") ? SVCMGR_EXIT_DENIED : SVCMGR_EXIT_FAILED;
        diag(DIAG_ERROR, "reload: cannot signal svcd (pid %ld): %s", pid, strerror(errno));
        return SVCMGR_EXIT_FAILED;
    }
    printf("svcd: asked svcd (pid %ld) to reload its configuration (SIGHUP); its log says what "
           "changed (svcclient logs -n 3)\n",
           pid);
    return SVCMGR_EXIT_OK;
}

int svcmgr_service_setup(const char *config_file)
{
    (void)config_file; /* systemd and the .deb already did all of it */
    return 0;
}

int svcmgr_service_check(const char *config_file, const char *state_dir)
{
    (void)config_file;
    (void)state_dir;
    return 0;
}

int svcmgr_status(void)
{
    int rc;

    if (!systemd_booted())
        return no_systemd("status");
    rc = run("systemctl", "status", "--no-pager", "svcd.service", NULL);
    if (rc == 0)
        return SVCMGR_EXIT_OK;
    return rc == SYSTEMCTL_NOT_RUNNING || rc == SYSTEMCTL_NO_UNIT ? SVCMGR_EXIT_NOT_INSTALLED
                                                                  : SVCMGR_EXIT_FAILED;
}
