/* svcd's help on Windows: the Service Control Manager's words (usage.h). */
#include "usage.h"

#include <string.h>

static const struct usage_cmd cmds[] = {
    {"run", "svcd run [--config FILE] [--KEY VALUE]...",
     "run in the foreground until Ctrl-C (console mode)",
     "Runs svcd in the console until Ctrl-C or Ctrl-Break, as the user who starts it: from an "
     "elevated prompt it serves the system-wide pipe and log; otherwise the user's own. The "
     "installed service runs the same code under the Service Control Manager."},
    {"install", "svcd install [--startup auto|delayed|manual|disabled] [--config FILE]",
     "register the Windows service (LocalSystem) and, unless manual or disabled, start it",
     "Registers the service svcd with the Service Control Manager, running as LocalSystem and "
     "reading FILE when --config is given (written at its first start when missing; the MSI "
     "gives %ProgramData%\\svcd\\svcd.conf), with restart on failure after 5s/10s/60s and the "
     "event source svcd in the "
     "Application log. With auto (the default) or delayed (automatic, after the boot) it then "
     "starts it and waits; manual and disabled only register it. Run it from an elevated "
     "prompt; the MSI does this itself."},
    {"remove", "svcd remove", "stop and unregister the service",
     "Stops the service (waiting for it) and deletes it from the Service Control Manager. The "
     "logs and the config in %ProgramData%\\svcd are kept. Run it from an elevated prompt."},
    {"start", "svcd start", "start the installed service, waiting for the result",
     "Asks the Service Control Manager to start svcd and waits until it runs or has failed (and "
     "says why). Starting a running service succeeds."},
    {"stop", "svcd stop", "stop the installed service, waiting for the result",
     "Asks the Service Control Manager to stop svcd and waits until it has stopped. Stopping a "
     "stopped service succeeds."},
    {"restart", "svcd restart", "stop and start the installed service",
     "Stops svcd, waiting for it, then starts it and waits for the result."},
    {"status", "svcd status", "the installed service's state and pid (as sc queryex)",
     "Shows the service's state and pid from the Service Control Manager. Exit status 0 when it "
     "runs, 3 when it is stopped or not installed. svcclient status asks svcd itself."},
    {"reload", "svcd reload",
     "make the running service re-read its config file (the SCM's paramchange)",
     "Asks the running service to re-read its configuration, through the Service Control "
     "Manager's paramchange control (as 'sc control svcd paramchange'). It does not wait: what "
     "changed, or why nothing did, is in svcd's log (svcclient logs -n 3). Takes no options; "
     "run it from an elevated prompt."},
    {"configure",
     "svcd configure [--config FILE] [--KEY VALUE]... [--startup MODE]\n"
     "                      [--start]",
     "set keys of the config file in place, the startup, then with --start start it",
     "Sets keys of the config file (default %ProgramData%\\svcd\\svcd.conf) in place, keeping "
     "every other line and comment; KEY as in svcd run --help, e.g. --interval 5s. --startup "
     "auto|delayed|manual|disabled sets the service's startup type. With --start it then starts "
     "the service unless its startup is manual or disabled. A value svcd would refuse changes "
     "nothing, and a failed step restores what was changed. Run it from an elevated prompt."},
    {NULL, NULL, NULL, NULL},
};

const struct usage_cmd *usage_platform_cmds(void)
{
    return cmds;
}

const char *usage_platform_exit(void)
{
    return "exit status: 0 done, 1 failed, 2 usage error, 3 not installed (status: not "
           "running), 4 access denied (run it from an elevated prompt)";
}

const char *usage_key_help(const struct config_key *k)
{
    /* POSIX-only keys: accepted, so one file serves both, but not shown */
    if (strcmp(k->key, "control_group") == 0 || strcmp(k->key, "read_group") == 0 ||
        strcmp(k->key, "log_group") == 0)
        return NULL;
    if (strcmp(k->key, "endpoint") == 0)
        return "where svcd listens: a named pipe (default: "
               "\\\\.\\pipe\\ProtectedPrefix\\Administrators\\svcd\\control for the service, "
               "else \\\\.\\pipe\\svcd-USER)";
    if (strcmp(k->key, "state_dir") == 0)
        return "folder of the log (default: %ProgramData%\\svcd\\logs for the service, else "
               "%LOCALAPPDATA%\\svcd\\logs)";
    return k->help;
}
