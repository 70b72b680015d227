/* Installing and controlling svcd as a system service: the seed's
 * install/remove/start/stop/restart verbs, plus status. svcmgr_win.c uses the
 * SCM API; svcmgr_posix.c uses systemd (and refuses where it is not PID 1).
 *
 * Each call prints its result in one or two lines and returns an exit status
 * (SVCMGR_EXIT_*). Verbs whose target state already holds (start a running
 * service, stop a stopped one) succeed and say so. */
#ifndef SVCD_SVCMGR_H
#define SVCD_SVCMGR_H

enum svcmgr_exit {
    SVCMGR_EXIT_OK = 0,
    SVCMGR_EXIT_FAILED = 1,
    SVCMGR_EXIT_USAGE = 2,
    SVCMGR_EXIT_NOT_INSTALLED = 3, /* also: status of a stopped service */
    SVCMGR_EXIT_DENIED = 4,        /* needs an elevated prompt */
};

enum svcmgr_startup { SVCMGR_AUTO, SVCMGR_DELAYED, SVCMGR_MANUAL, SVCMGR_DISABLED };

#define SVCMGR_WAIT_MS 30000 /* how long start/stop wait for the target state */

struct svcmgr_install_opts {
    enum svcmgr_startup startup;
    const char *config_file; /* NULL: none */
};

int svcmgr_install(const struct svcmgr_install_opts *o);
int svcmgr_remove(void);
int svcmgr_start(void);
int svcmgr_stop(void);
int svcmgr_restart(void);
int svcmgr_status(void);

struct config;
/* `svcd reload`: asks the running svcd to re-read its configuration, and
 * returns without waiting for the outcome (its log has it). POSIX: the svcd
 * holding the lock of cfg->state_dir (the state directory the options
 * name, as `svcd run` reads them) gets SIGHUP; none there is
 * SVCMGR_EXIT_NOT_INSTALLED with what to do. Windows: the installed service
 * gets SERVICE_CONTROL_PARAMCHANGE; `options` (run's options were given)
 * is a usage error there, as the service reads its own. */
int svcmgr_reload(const struct config *cfg, int options);

/* Run by `svcd service` (the service manager started us, with system
 * rights) before it reads its configuration: applies what an installer may
 * have left out. Windows: the default config file at `config_file` when
 * there is none, the recovery actions, and the data folder's DACL, so an
 * MSI-installed svcd is configured like a CLI-installed one. Returns 0, or
 * an ERR_ code (reported) when the data folder cannot be created or
 * secured, which is fatal; other problems are reported only. POSIX:
 * nothing; the unit and the package carry it all. */
int svcmgr_service_setup(const char *config_file);

/* Run by `svcd service` once it has read its configuration, before it
 * serves: refuses to start on files someone other than the administrators
 * can change. Windows: gives `state_dir` the service's owner and DACL
 * (creating it), locks svcd's program folder when it lies outside Program
 * Files and holds nothing but svcd's files, then checks the configuration
 * file and its folder, the log folder, the data folder (%ProgramData%\svcd),
 * and svcd.exe and its folder: each
 * must be owned by, and changeable only by, SYSTEM, Administrators,
 * TrustedInstaller or the service's own account. Returns 0, or ERR_ACCESS
 * (or the error reading a descriptor) after one diag() error line saying
 * which file, who can change it, and how to fix it. POSIX: 0 (the package
 * owns /etc/svcd and the unit). */
int svcmgr_service_check(const char *config_file, const char *state_dir);

struct sbuf;
/* Linux: the unit `svcd install` writes: the packaged one, started from
 * `exe` with `config_file` (NULL: /etc/svcd/svcd.conf). Returns 0,
 * ERR_INVAL (the packaged ExecStart line is missing) or ERR_NOMEM. */
int svcmgr_unit_text(const char *exe, const char *config_file, struct sbuf *out);

#endif
