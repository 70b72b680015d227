#include "cli.h"
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum cli_command cmd;
    const char *help;
} commands[] = {
    {"status", CLI_STATUS,
     "usage: svcclient status [--json]\n\nShows whether svcd runs or is paused, since when and "
     "by whom, its version, heartbeat interval, log file and the last entry written.\n"},
    {"pause", CLI_PAUSE,
     "usage: svcclient pause [--json]\n\nStops the heartbeat entries; svcd keeps answering. "
     "Pausing a paused service succeeds and says so.\n"},
    {"resume", CLI_RESUME,
     "usage: svcclient resume [--json]\n\nRestarts the heartbeat entries after a pause. "
     "Resuming a running service succeeds and says so.\n"},
    {"logs", CLI_LOGS,
     "usage: svcclient logs [--tail N|all] [--json]\n\nPrints the last N entries of svcd's log, "
     "oldest first (default 10).\n  -n, --tail N   how many entries; 'all' for the whole log\n"
     "  --json         one JSON object per line: seq, time, level, source, msg\n"},
    {"version", CLI_VERSION,
     "usage: svcclient version [--json]\n\nPrints svcclient's version "
     "and protocol version.\n"},
    {"help", CLI_HELP, "usage: svcclient help [COMMAND]\n"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char overview[] =
    "usage: svcclient [OPTIONS] COMMAND [COMMAND OPTIONS]\n"
    "\n"
    "Controls and queries the svcd logging service.\n"
    "\n"
    "commands:\n"
    "  status           state, pid, version, interval, log file, last entry\n"
    "  logs [--tail N]  the last N log entries (default 10)\n"
    "  pause            stop heartbeat entries\n"
    "  resume           restart heartbeat entries\n"
    "  version          svcclient's version\n"
    "  help [COMMAND]   help for a command (also: COMMAND --help)\n"
    "\n"
    "options (anywhere on the line):\n"
    "  --json             machine-readable output\n"
    "  --endpoint PATH    svcd's endpoint (default: SVCD_ENDPOINT, then the same default svcd "
    "uses)\n"
    "  --timeout SECONDS  how long to wait for connecting and for each reply (default 5)\n"
    "\n"
    "exit status: 0 success, 1 the service refused or failed the request, 2 usage error,\n"
    "             3 service unreachable, 4 unexpected reply (protocol error)\n";

const char *cli_command_name(enum cli_command cmd)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].cmd == cmd)
            return commands[i].name;
    return "";
}

void cli_help(enum cli_command cmd, char *buf, size_t n)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (commands[i].cmd == cmd && cmd != CLI_HELP) {
            snprintf(buf, n, "%s", commands[i].help);
            return;
        }
    }
    snprintf(buf, n, "%s", overview);
}

static enum cli_command find_command(const char *s)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, s) == 0)
            return commands[i].cmd;
    return CLI_NONE;
}

static int parse_tail(const char *v, uint32_t *out, char *err, size_t errlen)
{
    char *end;
    unsigned long long n;

    if (strcmp(v, "all") == 0) {
        *out = UINT32_MAX;
        return 0;
    }
    if (*v < '0' || *v > '9') {
        snprintf(err, errlen, "--tail: '%s' is not a count (a number of entries, or 'all')", v);
        return ERR_INVAL;
    }
    n = strtoull(v, &end, 10);
    if (*end != '\0' || n > UINT32_MAX) {
        snprintf(err, errlen, "--tail: '%s' is not a count (0 to %u, or 'all')", v, UINT32_MAX);
        return ERR_INVAL;
    }
    *out = (uint32_t)n;
    return 0;
}

static int parse_timeout(const char *v, int *out, char *err, size_t errlen)
{
    int64_t us;

    if (clock_parse_duration(v, CLOCK_US_PER_SEC, &us) < 0 || us <= 0 ||
        us > 3600 * CLOCK_US_PER_SEC) {
        snprintf(err, errlen,
                 "--timeout: '%s' is not a duration between 1ms and 1h (e.g. 5, 0.5, "
                 "500ms)",
                 v);
        return ERR_INVAL;
    }
    *out = (int)((us + 999) / 1000);
    return 0;
}

/* Matches "--name value", "--name=value" or a short alias; returns the value
 * or NULL, and sets *missing when the option was there without a value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, const char *alias,
                             int *missing)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);

    if (strncmp(a, name, nl) == 0 && a[nl] == '=')
        return a + nl + 1;
    if (strcmp(a, name) == 0 || (alias && strcmp(a, alias) == 0)) {
        if (*i + 1 < argc)
            return argv[++*i];
        *missing = 1;
    }
    return NULL;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
    int want_help = 0, tail_given = 0;

    memset(o, 0, sizeof(*o));
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    o->tail = CLI_DEFAULT_TAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;

        if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            want_help = 1;
        } else if ((v = opt_value(argc, argv, &i, "--endpoint", NULL, &missing))) {
            if (*v == '\0') {
                snprintf(err, errlen, "--endpoint: must not be empty");
                return ERR_INVAL;
            }
            o->endpoint = v;
        } else if ((v = opt_value(argc, argv, &i, "--timeout", NULL, &missing))) {
            if (parse_timeout(v, &o->timeout_ms, err, errlen) < 0)
                return ERR_INVAL;
        } else if ((v = opt_value(argc, argv, &i, "--tail", "-n", &missing))) {
            if (parse_tail(v, &o->tail, err, errlen) < 0)
                return ERR_INVAL;
            tail_given = 1;
        } else if (missing) {
            snprintf(err, errlen, "%s needs a value", a);
            return ERR_INVAL;
        } else if (a[0] == '-' && a[1] != '\0') {
            snprintf(err, errlen, "unknown option '%s' (see svcclient --help)", a);
            return ERR_INVAL;
        } else if (o->cmd == CLI_NONE) {
            o->cmd = find_command(a);
            if (o->cmd == CLI_NONE) {
                snprintf(err, errlen,
                         "unknown command '%s' (commands: status, logs, pause, resume, version, "
                         "help)",
                         a);
                return ERR_INVAL;
            }
        } else if (o->cmd == CLI_HELP && o->help_for == CLI_NONE) {
            o->help_for = find_command(a);
            if (o->help_for == CLI_NONE) {
                snprintf(err, errlen, "help: unknown command '%s'", a);
                return ERR_INVAL;
            }
        } else {
            snprintf(err, errlen, "%s: unexpected argument '%s'", cli_command_name(o->cmd), a);
            return ERR_INVAL;
        }
    }
    if (want_help) {
        o->help_for = o->cmd == CLI_HELP ? o->help_for : o->cmd;
        o->cmd = CLI_HELP;
        return 0;
    }
    if (o->cmd == CLI_NONE) {
        snprintf(err, errlen, "no command given (try: svcclient status, or svcclient --help)");
        return ERR_INVAL;
    }
    if (tail_given && o->cmd != CLI_LOGS) {
        snprintf(err, errlen, "%s: --tail applies only to the logs command",
                 cli_command_name(o->cmd));
        return ERR_INVAL;
    }
    return 0;
}
