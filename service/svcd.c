/* svcd: the logging service. `svcd run` serves in the foreground. */
#include "cmdline.h"
#include "codec.h"
#include "config.h"
#include "configure.h"
#include "diag.h"
#include "err.h"
#include "fs.h"
#include "paths.h"
#include "host.h"
#include "run.h"
#include "svcmgr.h"
#include "term.h"
#include "usage.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

/* Prints the list of commands (cmd NULL) or cmd's own help (usage.h).
 * Returns 0, or EXIT_USAGE after an error for a command svcd lacks. */
static int show_help(const char *cmd, FILE *out)
{
    struct sbuf b;
    int rc = EXIT_OK;

    sbuf_init(&b, 0);
    if (cmd == NULL) {
        usage_main(&b);
    } else if (usage_command(cmd, &b) < 0) {
        diag(DIAG_ERROR, "help: unknown command '%s' (try: svcd help)", cmd);
        rc = EXIT_USAGE;
    }
    fputs(sbuf_str(&b), out);
    sbuf_free(&b);
    return rc;
}

/* `svcd COMMAND --help` (or -h) anywhere after the command. */
static int wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

/* Reads a whole config file (bounded; only a regular file, so a FIFO or a
 * device never hangs or floods start-up) and applies it. Returns 0 or an
 * error with the reason in `err`. */
static int load_config_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    size_t got = 0;
    char *text;
    int rc;

    rc = configure_read_file(path, &text, &got);
    if (rc < 0) {
        configure_read_error(path, rc, err, errlen);
        return rc;
    }
    rc = config_parse(cfg, text, got, path, err, errlen);
    free(text);
    return rc;
}

/* "--flag=value" or "--flag value": the value, or NULL (cmdline.h). */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    return cmdline_flag_value(argc, argv, i, flag, NULL);
}

/* Parses run's options (also the SCM's `service` verb, and a reload) into
 * cfg. Returns -1 when they were parsed, else an exit status: help shown
 * (0), or an error (EXIT_USAGE) with its one line in `err`. */
static int parse_run_options(int argc, char **argv, int system_mode, struct config *cfg, char *err,
                             size_t errlen)
{
    const char *config_file = NULL, *env;

    config_defaults(cfg, system_mode);
    /* First pass: --help and --config, since the file sits under the flags. */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return show_help("run", stdout);
        const char *v = flag_value(argc, argv, &i, "--config");
        if (v)
            config_file = v;
    }
    if (config_file && load_config_file(cfg, config_file, err, errlen) < 0)
        return EXIT_USAGE;
    env = getenv("SVCD_ENDPOINT");
    if (env && *env && config_set_as(cfg, "endpoint", env, "SVCD_ENDPOINT", err, errlen) < 0)
        return EXIT_USAGE;
    for (int i = 2; i < argc; i++) {
        const struct config_key *k;
        const char *v;
        char name[64];
        if (flag_value(argc, argv, &i, "--config"))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(argv[i], "="), argv[i]);
        k = config_key_by_flag(name);
        if (k == NULL) {
            snprintf(err, errlen, "%s: unknown option '%s' (see svcd run --help)", argv[1],
                     argv[i]);
            return EXIT_USAGE;
        }
        v = flag_value(argc, argv, &i, k->flag);
        if (v == NULL) {
            snprintf(err, errlen, "%s: %s needs a value (%s)", argv[1], k->flag, k->arg);
            return EXIT_USAGE;
        }
        if (config_set_as(cfg, k->key, v, k->flag, err, errlen) < 0)
            return EXIT_USAGE;
    }
    return -1;
}

/* How svcd was started, so that a reload reads its configuration the same
 * way: the config file, SVCD_ENDPOINT (as it was at start) and the flags. */
struct run_args {
    int argc;
    char **argv;
    int system_mode;
    const char *config_file; /* the service's, for svcmgr_service_check */
    int service;             /* started by the service manager */
};

/* run_reload's loader (run.h): parse_run_options again, and for the
 * service the same trust check as at its start. */
static int reload_config(void *ctx, const struct config *running, struct config *next, char *err,
                         size_t errlen)
{
    const struct run_args *a = ctx;

    if (parse_run_options(a->argc, a->argv, a->system_mode, next, err, errlen) >= 0)
        return ERR_INVAL;
    if (a->service && svcmgr_service_check(a->config_file, running->state_dir) < 0) {
        snprintf(err, errlen,
                 "%s, or a folder the service trusts, can be changed by others than the "
                 "administrators (svcd start would refuse it too)",
                 a->config_file ? a->config_file : "the config file");
        return ERR_ACCESS;
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    static struct config cfg;
    static struct run_args a;
    struct run_reload rl = {reload_config, &a};
    char err[CONFIG_ERR_MAX + PATHS_MAX];
    int system_mode = paths_system_mode();
    int rc = parse_run_options(argc, argv, system_mode, &cfg, err, sizeof(err));

    if (rc >= 0) {
        if (rc != EXIT_OK)
            diag(DIAG_ERROR, "%s", err);
        return rc;
    }
    a.argc = argc;
    a.argv = argv;
    a.system_mode = system_mode;
    diag_init("svcd", DIAG_INFO, 1);
    rc = run_service(&cfg, system_mode, &rl);
    /* 7 of its own, so a supervisor can tell "another svcd has this state
     * directory" from a failure; the rest stay 1, as documented. */
    if (rc == RUN_EXIT_IN_USE)
        return RUN_EXIT_IN_USE;
    return rc == RUN_EXIT_OK ? EXIT_OK : 1;
}

/* host_load_fn of the service: runs as the service, connected to its
 * manager, so every failure here is reported to it (run.h codes). */
static int load_service(void *ctx, struct config *cfg)
{
    const struct run_args *a = ctx;
    char err[CONFIG_ERR_MAX + PATHS_MAX] = "";

    if (svcmgr_service_setup(a->config_file) < 0)
        return RUN_EXIT_DATA_DIR;
    if (parse_run_options(a->argc, a->argv, 1, cfg, err, sizeof(err)) >= 0) {
        diag(DIAG_ERROR, "%s", err);
        return RUN_EXIT_CONFIG;
    }
    /* a file others can change would decide for a LocalSystem service */
    return svcmgr_service_check(a->config_file, cfg->state_dir) < 0 ? RUN_EXIT_UNSAFE : RUN_EXIT_OK;
}

/* Started by the service manager: always the system-wide defaults. It
 * connects to the manager before anything can fail. */
static int cmd_service(int argc, char **argv)
{
    static struct run_args a;
    static struct run_reload rl = {reload_config, &a};

    a.argc = argc;
    a.argv = argv;
    a.system_mode = 1;
    a.service = 1;
    for (int i = 2; i < argc; i++) {
        const char *v = flag_value(argc, argv, &i, "--config");
        if (v)
            a.config_file = v;
    }
    diag_init("svcd", DIAG_INFO, 1);
    return host_service_main(load_service, &rl, &a);
}

static int cmd_install(int argc, char **argv)
{
    static const char *const names[] = {"auto", "delayed", "manual", "disabled"};
    struct svcmgr_install_opts o = {SVCMGR_AUTO, NULL};

    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = flag_value(argc, argv, &i, "--config"))) {
            o.config_file = v;
        } else if ((v = flag_value(argc, argv, &i, "--startup"))) {
            size_t k = 0;
            while (k < 4 && strcmp(v, names[k]) != 0)
                k++;
            if (k == 4) {
                diag(DIAG_ERROR,
                     "install: --startup must be auto, delayed, manual or disabled, "
                     "not '%s'",
                     v);
                return EXIT_USAGE;
            }
            o.startup = (enum svcmgr_startup)k;
        } else {
            diag(DIAG_ERROR,
                 "install: unknown option '%s' (options: --startup MODE, --config "
                 "FILE)",
                 argv[i]);
            return EXIT_USAGE;
        }
    }
    return svcmgr_install(&o);
}

/* svcd reload [run's options]: which svcd is the one `svcd run` with the
 * same options would be (its state directory); as root with none, the
 * packaged config file's. */
static int cmd_reload(int argc, char **argv)
{
    static struct config cfg;
    char err[CONFIG_ERR_MAX + PATHS_MAX], path[PATHS_MAX];
    int system_mode = paths_system_mode(), rc;
    int64_t t;

    rc = parse_run_options(argc, argv, system_mode, &cfg, err, sizeof(err));
    if (rc >= 0) {
        diag(DIAG_ERROR, "%s", err);
        return rc;
    }
    if (argc == 2 && system_mode && configure_default_path(path, sizeof(path)) == 0 &&
        fs_mtime(path, &t) == 0 && load_config_file(&cfg, path, err, sizeof(err)) < 0)
        diag(DIAG_WARN, "reload: %s; looking for svcd in %s", err, cfg.state_dir);
    return svcmgr_reload(&cfg, argc > 2);
}

/* svcd configure: its options into configure_opts, then configure.c. */
static int cmd_configure(int argc, char **argv)
{
    static struct configure_opts o;

    o.startup = -1;
    for (int i = 2; i < argc; i++) {
        const struct config_key *k;
        const char *v;
        char name[64];
        if ((v = flag_value(argc, argv, &i, "--config"))) {
            o.config_file = v;
        } else if ((v = flag_value(argc, argv, &i, "--startup"))) {
            o.startup = configure_startup_from_name(v);
            if (o.startup < 0) {
                diag(DIAG_ERROR,
                     "configure: --startup must be auto, delayed, manual or disabled, not '%s'", v);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--start") == 0) {
            o.start = 1;
        } else {
            snprintf(name, sizeof(name), "%.*s", (int)strcspn(argv[i], "="), argv[i]);
            k = config_key_by_flag(name);
            v = k ? flag_value(argc, argv, &i, k->flag) : NULL;
            if (v == NULL || o.nsets == CONFEDIT_MAX_SETS) {
                diag(DIAG_ERROR,
                     "configure: %s '%s' (options: --config FILE, --KEY VALUE, "
                     "--startup MODE, --start; keys: svcd run --help)",
                     k ? "missing value for" : "unknown option", argv[i]);
                return EXIT_USAGE;
            }
            o.sets[o.nsets].key = k->key;
            o.sets[o.nsets++].value = v;
        }
    }
    return configure_run(&o);
}

int main(int argc, char **argv)
{
    const char *cmd;

    diag_init("svcd", DIAG_INFO, 0);
    term_args_utf8(&argc, &argv);
    cmd = argc > 1 ? argv[1] : NULL;
    if (cmd == NULL) {
        show_help(NULL, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv);
    if (usage_has(cmd) && wants_help(argc, argv))
        return show_help(cmd, stdout);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("svcd %s (protocol %d)\n", SVCD_VERSION, CODEC_PROTOCOL_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return show_help(argc > 2 && strcmp(cmd, "help") == 0 ? argv[2] : NULL, stdout);

    if (strcmp(cmd, "service") == 0)
        return cmd_service(argc, argv);
    if (strcmp(cmd, "install") == 0)
        return cmd_install(argc, argv);
    if (strcmp(cmd, "configure") == 0)
        return cmd_configure(argc, argv);
    if (strcmp(cmd, "reload") == 0)
        return cmd_reload(argc, argv);
    if (argc > 2 &&
        (strcmp(cmd, "remove") == 0 || strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0 ||
         strcmp(cmd, "restart") == 0 || strcmp(cmd, "status") == 0)) {
        diag(DIAG_ERROR, "%s takes no arguments", cmd);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "remove") == 0)
        return svcmgr_remove();
    if (strcmp(cmd, "start") == 0)
        return svcmgr_start();
    if (strcmp(cmd, "stop") == 0)
        return svcmgr_stop();
    if (strcmp(cmd, "restart") == 0)
        return svcmgr_restart();
    if (strcmp(cmd, "status") == 0)
        return svcmgr_status();
    diag(DIAG_ERROR, "unknown command '%s' (try: svcd help)", cmd);
    return EXIT_USAGE;
}
