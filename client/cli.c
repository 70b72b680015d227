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
     "usage: svcclient logs [-n N|all] [-f] [--since T] [--until T] [--level L] [--grep TEXT "
     "[-i]]\n"
     "                      [--json]\n\n"
     "Prints svcd's log entries, oldest first: the last 10, or with --since/--until every\n"
     "entry in that range.\n"
     "  -n, --tail N       the last N matching entries; 'all' for every one\n"
     "  -f, --follow       then print new entries as they are written, until Ctrl-C\n"
     "  --since T          entries at or after T: RFC 3339 (2026-11-24T13:00:00Z, +09:00\n"
     "                     offsets; no zone means UTC), a date, or an age: 10m, 2h, 1d\n"
     "  --until T          entries at or before T (same forms)\n"
     "  --level L          L and above: debug, info, notice, warning, error\n"
     "  --grep TEXT        messages containing TEXT; -i, --ignore-case for ASCII letters\n"
     "  --json             one JSON object per line: seq, time, level, source, msg\n"},
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
    "  logs [-n N] [-f] the last N log entries (default 10), filters, --follow\n"
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

static int parse_when(const char *flag, const char *v, int64_t *out, char *err, size_t errlen)
{
    if (clock_parse_when(v, clock_wall_us(), out) < 0 || *out <= 0) {
        snprintf(err, errlen,
                 "%s: '%s' is not a time (e.g. 2026-11-24T13:00:00Z, 2026-11-24, "
                 "10m, 2h, 1d)",
                 flag, v);
        return ERR_INVAL;
    }
    return 0;
}

static int parse_level(const char *v, int *out, char *err, size_t errlen)
{
    static const char *const names[] = {"debug", "info", "notice", "warning", "error"};

    for (int i = 0; i < 5; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i + 1;
            return 0;
        }
    }
    snprintf(err, errlen, "--level: '%s' is not a level (debug, info, notice, warning, error)", v);
    return ERR_INVAL;
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
    const char *logs_only = NULL; /* an option only logs takes */
    int want_help = 0;

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
        } else if (strcmp(a, "--follow") == 0 || strcmp(a, "-f") == 0) {
            o->follow = 1;
            logs_only = a;
        } else if (strcmp(a, "--ignore-case") == 0 || strcmp(a, "-i") == 0) {
            o->ignore_case = 1;
            logs_only = a;
        } else if ((v = opt_value(argc, argv, &i, "--since", NULL, &missing))) {
            if (parse_when("--since", v, &o->since_us, err, errlen) < 0)
                return ERR_INVAL;
            logs_only = "--since";
        } else if ((v = opt_value(argc, argv, &i, "--until", NULL, &missing))) {
            if (parse_when("--until", v, &o->until_us, err, errlen) < 0)
                return ERR_INVAL;
            logs_only = "--until";
        } else if ((v = opt_value(argc, argv, &i, "--level", NULL, &missing))) {
            if (parse_level(v, &o->min_level, err, errlen) < 0)
                return ERR_INVAL;
            logs_only = "--level";
        } else if ((v = opt_value(argc, argv, &i, "--grep", NULL, &missing))) {
            o->grep = v;
            logs_only = "--grep";
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
            o->tail_given = 1;
            logs_only = "--tail";
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
    if (logs_only && o->cmd != CLI_LOGS) {
        snprintf(err, errlen, "%s: %s applies only to the logs command", cli_command_name(o->cmd),
                 logs_only);
        return ERR_INVAL;
    }
    if (o->since_us && o->until_us && o->since_us > o->until_us) {
        snprintf(err, errlen, "logs: --since is after --until");
        return ERR_INVAL;
    }
    if (o->ignore_case && o->grep == NULL) {
        snprintf(err, errlen, "logs: --ignore-case needs --grep TEXT");
        return ERR_INVAL;
    }
    /* Like docker logs / journalctl: a time range alone means all of it. */
    if (!o->tail_given && (o->since_us || o->until_us))
        o->tail = UINT32_MAX;
    return 0;
}
