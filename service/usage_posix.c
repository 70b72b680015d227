/* svcd's help on Linux: systemd's words (usage.h). */
#include "usage.h"

#include <string.h>

static const struct usage_cmd cmds[] = {
    {"run", "svcd run [--config FILE] [--KEY VALUE]...",
     "run in the foreground until Ctrl-C (console mode)",
     "Runs svcd in the foreground until Ctrl-C or SIGTERM. As root it serves the system-wide "
     "endpoint and log; as another user, that user's own. svcd.service runs it as "
     "'svcd run --config /etc/svcd/svcd.conf'."},
    {"install", "svcd install [--startup auto|delayed|manual|disabled] [--config FILE]",
     "write the systemd unit svcd.service and, unless manual or disabled, enable and start it",
     "Writes /etc/systemd/system/svcd.service (ExecStart: this svcd, run --config FILE; default "
     "/etc/svcd/svcd.conf, written when missing), creates the group svcd when missing, and "
     "reloads systemd. With auto (the default) or delayed, which systemd treats alike, it then "
     "runs 'systemctl enable --now svcd.service'; manual and disabled only install the unit. "
     "Needs root and a system booted with systemd; the Debian package installs the unit itself."},
    {"remove", "svcd remove", "stop and disable the service and delete its unit",
     "Runs 'systemctl disable --now svcd.service', deletes /etc/systemd/system/svcd.service and "
     "reloads systemd. The logs (/var/log/svcd), /etc/svcd/svcd.conf and the group svcd are "
     "kept. Needs root."},
    {"start", "svcd start", "start the installed service, waiting for the result",
     "Runs 'systemctl start svcd.service', which waits until svcd is ready or has failed. "
     "Starting a running service succeeds. Needs root."},
    {"stop", "svcd stop", "stop the installed service, waiting for the result",
     "Runs 'systemctl stop svcd.service', which waits until svcd has stopped. Stopping a stopped "
     "service succeeds. Needs root."},
    {"restart", "svcd restart", "stop and start the installed service",
     "Runs 'systemctl restart svcd.service', waiting for the result. Needs root."},
    {"status", "svcd status", "the installed service's state and pid (systemctl status)",
     "Shows 'systemctl status svcd.service'. Exit status 0 when it runs, 3 when it is stopped "
     "or not installed. svcclient status asks svcd itself."},
    {"reload", "svcd reload [--config FILE] [--state-dir DIR]",
     "make the running svcd re-read its config file (SIGHUP, as systemctl reload svcd)",
     "Asks the running svcd to re-read its configuration: sends it SIGHUP, as 'systemctl reload "
     "svcd' does. The svcd is found by its state directory's lock: give the --config or "
     "--state-dir it runs with (svcd run --help); as root with none, the state_dir of "
     "/etc/svcd/svcd.conf or the default. It does not wait: what changed, or why nothing did, "
     "is in svcd's log (svcclient logs -n 3). Exit status 3 when no svcd runs there."},
    {"configure", "svcd configure [--config FILE] [--KEY VALUE]...",
     "set keys of the config file in place (every other line kept)",
     "Sets keys of the config file (default /etc/svcd/svcd.conf) in place, keeping every other "
     "line and comment; KEY as in svcd run --help, e.g. --interval 5s. A value svcd would refuse "
     "changes nothing. svcd reads the file when it starts: restart it after a change. "
     "--startup and --start are for Windows; here systemctl enable and start do that."},
    {NULL, NULL, NULL, NULL},
};

const struct usage_cmd *usage_platform_cmds(void)
{
    return cmds;
}

const char *usage_platform_exit(void)
{
    return "exit status: 0 done, 1 failed, 2 usage error, 3 not installed (status: not "
           "running), 4 permission denied (run it as root, e.g. with sudo)";
}

const char *usage_key_help(const struct config_key *k)
{
    /* Windows-only keys: accepted, so one file serves both, but not shown */
    if (strcmp(k->key, "control_sddl") == 0 || strcmp(k->key, "eventlog") == 0)
        return NULL;
    return k->help;
}
