#include "cli.h"
#include "clock.h"
#include "cmdline.h"
#include "err.h"
#include "level.h"
#include "output.h"
#include "pager.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const shells[] = {"bash", "zsh", "fish", "powershell"};

const char *cli_shell_name(size_t i)
{
    return i < sizeof(shells) / sizeof(shells[0]) ? shells[i] : NULL;
}

static const char *command_name_at(size_t i);

static const struct {
    const char *name;
    enum cli_command cmd;
    cli_value_fn args;
    const char *help;
} commands[] = {
    {"status", CLI_STATUS, NULL,
     "usage: svcclient status [--json]\n\nShows whether svcd runs or is paused, since when and "
     "by whom, its\nversion, heartbeat interval, log file and the last entry written. --json:\n"
     "one object, its members described in docs/json.md (\"schema\": 1).\n"},
    {"pause", CLI_PAUSE, NULL,
     "usage: svcclient pause [--json]\n\nStops the heartbeat entries; svcd keeps answering. "
     "Pausing a paused\nservice succeeds and says so.\n"},
    {"resume", CLI_RESUME, NULL,
     "usage: svcclient resume [--json]\n\nRestarts the heartbeat entries after a pause. "
     "Resuming a running\nservice succeeds and says so.\n"},
    {"logs", CLI_LOGS, NULL,
     "usage: svcclient logs [-n N|all] [-f|-r] [--since T] [--until T] [-p PRIO]\n"
     "                      [--grep TEXT [-i]] [-o MODE] [-t] [--utc] [--json]\n\n"
     "Prints svcd's log entries, oldest first: the last 10, or with --since/--until\n"
     "every entry in that range. Short options combine: -fn 5, -n5.\n"
     "  -n, --tail, --lines N  the last N matching entries; 'all' for every one\n"
     "  -f, --follow       then print new entries as they are written, until Ctrl-C\n"
     "                     (with --until T: until T, then exit 0)\n"
     "  -r, --reverse      the same entries, newest first (not with -f)\n"
     "  --since T          entries at or after T, as journalctl: 2026-11-24 13:00,\n"
     "                     local time unless it has a zone (Z, +09:00, UTC); a date\n"
     "                     (its midnight); 13:00 (today); today, yesterday, tomorrow;\n"
     "                     @EPOCH; an age: 10m, 1h30m, \"2h 5min ago\"; +1h (ahead)\n"
     "  --until T          entries at or before T (same forms)\n"
     "  -p, --priority P   P and more severe, as journalctl: emerg, alert, crit, err\n"
     "                     (all svcd's error), warning, notice, info, debug, or 0-7;\n"
     "                     FROM..TO for a range (warning..err)\n"
     "  --level L          L and above: debug, info, notice, warning, error\n"
     "  --grep TEXT        messages containing TEXT; -i, --ignore-case: ASCII case\n"
     "  -o, --output MODE  short-iso (the default), short (journalctl's), cat\n"
     "                     (messages only), json (as --json), json-pretty\n"
     "  -t, --timestamps   short and cat lines start with the RFC 3339 time in\n"
     "                     microseconds (as docker logs -t; short-iso has it)\n"
     "  --utc              times shown in UTC, and T without a zone read as UTC\n"
     "                     (default: local time with its offset, as journalctl)\n"
     "  --json             each entry as svcd.log stores it, one JSON object per line:\n"
     "                     seq, time (UTC), level, msg,\n"
     "                     logger (worker, service, audit, client);\n"
     "                     user_name, user_id, pid: the client that caused it\n"},
    {"version", CLI_VERSION, NULL,
     "usage: svcclient version [--json]\n\nPrints svcclient's version "
     "and protocol version.\n"},
    {"completion", CLI_COMPLETION, cli_shell_name,
     "usage: svcclient completion bash|zsh|fish|powershell\n\n"
     "Prints a completion script for that shell, made from svcclient's own table of\n"
     "commands and options. Load it with:\n"
     "  bash:        source <(svcclient completion bash)\n"
     "  zsh:         source <(svcclient completion zsh)\n"
     "  fish:        svcclient completion fish | source\n"
     "  PowerShell:  svcclient completion powershell | Out-String | Invoke-Expression\n"
     "(the Debian package installs the bash and zsh ones; the MSI installs the\n"
     "PowerShell one as svcclient-completion.ps1 next to svcclient.exe: add\n"
     "'. \"$env:ProgramFiles\\svcd\\svcclient-completion.ps1\"' to your $PROFILE).\n"},
    {"help", CLI_HELP, command_name_at, "usage: svcclient help [COMMAND]\n"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *command_name_at(size_t i)
{
    return i < NCOMMANDS ? commands[i].name : NULL;
}

int cli_command_info(size_t i, struct cli_cmdinfo *out)
{
    if (i >= NCOMMANDS)
        return ERR_INVAL;
    out->name = commands[i].name;
    out->cmd = commands[i].cmd;
    out->args = commands[i].args;
    return 0;
}

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
    "  completion SHELL a completion script: bash, zsh, fish or powershell\n"
    "  help [COMMAND]   help for a command (also: COMMAND --help)\n"
    "\n"
    "options (anywhere on the line):\n"
    "  --json             machine-readable output\n"
    "  --version          svcclient's version (as the version command)\n"
    "  --endpoint PATH    svcd's endpoint (default: SVCD_ENDPOINT, then the same\n"
    "                     default svcd uses)\n"
    "  --timeout SECONDS  how long to wait for connecting and for each reply\n"
    "                     (default 5)\n"
    "  --color WHEN       auto (the default: on a terminal, unless NO_COLOR is set\n"
    "                     or TERM=dumb), always or never\n"
    "  --no-pager         logs straight to the terminal, not through the pager:\n"
    "                     $SYSTEMD_PAGER, $PAGER, or (not on Windows) less -FRSXMK;\n"
    "                     logs -f and output to a pipe or file are never paged\n"
    "\n"
    "exit status: 0 success, 1 the service refused or failed the request,\n"
    "             2 usage error, 3 service unreachable, 4 unexpected reply\n"
    "             (protocol error)\n";

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

/* Where cli_parse is: the options seen so far, and what only the end of
 * the line can decide. */
struct pstate {
    struct cli_opts *o;
    int want_help, want_version;
    unsigned restricted;       /* commands the last restricted option allows */
    char restricted_as[32];    /* that option as written, for the error */
    char as[32];               /* the option being parsed, as written: errors name it so */
    const char *since, *until; /* as written: read in finish(), after --utc */
    char *err;
    size_t errlen;
};

/* An option's parser: `v` is its value (NULL for one that takes none).
 * Returns 0, or ERR_INVAL with the reason in st->err. */
typedef int (*opt_parse_fn)(struct pstate *st, const char *v);

#define FOR_ALL  0u
#define FOR_LOGS (1u << CLI_LOGS)

struct option {
    const char *name; /* "--tail" */
    char letter;      /* 'n' for -n; 0 when none */
    int takes_value;
    unsigned commands; /* a bit per enum cli_command that accepts it; FOR_ALL */
    opt_parse_fn parse;
    cli_value_fn values; /* the value's fixed set, for completion; NULL: free */
};

/* Writes the reason into st->err; returns ERR_INVAL. */
static int bad(struct pstate *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int bad(struct pstate *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->err, st->errlen, fmt, ap);
    va_end(ap);
    return ERR_INVAL;
}

static int opt_tail(struct pstate *st, const char *v)
{
    char *end;
    unsigned long long n;

    st->o->tail_given = 1;
    if (strcmp(v, "all") == 0) {
        st->o->tail = UINT32_MAX;
        return 0;
    }
    if (*v < '0' || *v > '9')
        return bad(st, "%s: '%s' is not a count (a number of entries, or 'all')", st->as, v);
    n = strtoull(v, &end, 10);
    if (*end != '\0' || n > UINT32_MAX)
        return bad(st, "%s: '%s' is not a count (0 to %u, or 'all')", st->as, v, UINT32_MAX);
    st->o->tail = (uint32_t)n;
    return 0;
}

/* A --since/--until value, in local time or with --utc in UTC. */
static int parse_when(struct pstate *st, const char *flag, const char *v, int64_t *out)
{
    clock_offset_fn zone = st->o->utc ? NULL : clock_local_offset;

    if (v == NULL)
        return 0;
    if (clock_parse_when(v, clock_wall_us(), zone, out) < 0)
        return bad(st,
                   "%s: '%s' is not a time (e.g. '2026-11-24 13:00' local, "
                   "2026-11-24T13:00:00Z, today, @1795525932, 10m, 1h30m)",
                   flag, v);
    if (*out <= 0)
        return bad(st, "%s: '%s' is not after 1970-01-01T00:00:00Z (no entry can be that old)",
                   flag, v);
    return 0;
}

static int opt_since(struct pstate *st, const char *v)
{
    st->since = v;
    return 0;
}

static int opt_until(struct pstate *st, const char *v)
{
    st->until = v;
    return 0;
}

static int opt_utc(struct pstate *st, const char *v)
{
    (void)v;
    st->o->utc = 1;
    return 0;
}

static int opt_timestamps(struct pstate *st, const char *v)
{
    (void)v;
    st->o->timestamps = 1;
    return 0;
}

static int opt_level(struct pstate *st, const char *v)
{
    if (level_parse(v, strlen(v), &st->o->min_level) < 0)
        return bad(st, "--level: '%s' is not a level (%s)", v, LEVEL_NAMES);
    st->o->max_level = 0;
    return 0;
}

/* journalctl's -p: one priority (it and everything more severe) or a range
 * FROM..TO in either order, both ends included. */
static int opt_priority(struct pstate *st, const char *v)
{
    const char *dots = strstr(v, "..");
    char from[16];
    int a, b;

    if (dots == NULL) {
        if (level_from_priority(v, &a) < 0)
            goto bad_priority;
        st->o->min_level = a;
        st->o->max_level = 0;
        return 0;
    }
    if ((size_t)(dots - v) >= sizeof(from))
        goto bad_priority;
    snprintf(from, sizeof(from), "%.*s", (int)(dots - v), v);
    if (level_from_priority(from, &a) < 0 || level_from_priority(dots + 2, &b) < 0)
        goto bad_priority;
    st->o->min_level = a < b ? a : b;
    st->o->max_level = a < b ? b : a;
    if (st->o->max_level == LEVEL_ERROR)
        st->o->max_level = 0; /* the top level: no bound to send */
    return 0;
bad_priority:
    return bad(st,
               "%s: '%s' is not a priority (emerg, alert, crit, err, warning, notice, "
               "info, debug or 0-7, or a range such as warning..err)",
               st->as, v);
}

static int opt_grep(struct pstate *st, const char *v)
{
    st->o->grep = v;
    return 0;
}

static int opt_endpoint(struct pstate *st, const char *v)
{
    if (*v == '\0')
        return bad(st, "--endpoint: must not be empty");
    st->o->endpoint = v;
    return 0;
}

static int opt_timeout(struct pstate *st, const char *v)
{
    int64_t us;

    if (clock_parse_duration(v, CLOCK_US_PER_SEC, &us) < 0 || us <= 0 ||
        us > 3600 * CLOCK_US_PER_SEC)
        return bad(st,
                   "--timeout: '%s' is not a duration between 1ms and 1h (e.g. 5, 0.5, "
                   "500ms)",
                   v);
    st->o->timeout_ms = (int)((us + 999) / 1000);
    return 0;
}

static int opt_json(struct pstate *st, const char *v)
{
    (void)v;
    st->o->json = 1;
    st->o->output = OUTPUT_JSON;
    return 0;
}

static int opt_output(struct pstate *st, const char *v)
{
    int mode = output_mode_parse(v);

    if (mode < 0)
        return bad(st,
                   "%s: '%s' is not an output mode (short-iso, short, cat, json, "
                   "json-pretty)",
                   st->as, v);
    st->o->output = mode;
    st->o->json = mode == OUTPUT_JSON || mode == OUTPUT_JSON_PRETTY;
    return 0;
}

static int opt_color(struct pstate *st, const char *v)
{
    int when = pager_color_parse(v);

    if (when < 0)
        return bad(st, "--color: '%s' is not auto, always or never", v);
    st->o->color = when;
    return 0;
}

static int opt_no_pager(struct pstate *st, const char *v)
{
    (void)v;
    st->o->no_pager = 1;
    return 0;
}

static int opt_help(struct pstate *st, const char *v)
{
    (void)v;
    st->want_help = 1;
    return 0;
}

static int opt_version(struct pstate *st, const char *v)
{
    (void)v;
    st->want_version = 1;
    return 0;
}

static int opt_follow(struct pstate *st, const char *v)
{
    (void)v;
    st->o->follow = 1;
    return 0;
}

static int opt_reverse(struct pstate *st, const char *v)
{
    (void)v;
    st->o->reverse = 1;
    return 0;
}

static int opt_ignore_case(struct pstate *st, const char *v)
{
    (void)v;
    st->o->ignore_case = 1;
    return 0;
}

/* --level's values: svcd's level names. */
static const char *level_name_at(size_t i)
{
    return i < LEVEL_ERROR ? level_name((int)i + LEVEL_DEBUG) : NULL;
}

const char *cli_values_path(size_t i)
{
    (void)i;
    return NULL;
}

/* Every option, once. Aliases are rows of their own with the same parser,
 * so each spelling can be found by name or letter. */
static const struct option options[] = {
    {"--json", 0, 0, FOR_ALL, opt_json, NULL},
    {"--help", 'h', 0, FOR_ALL, opt_help, NULL},
    {"--version", 0, 0, FOR_ALL, opt_version, NULL},
    {"--endpoint", 0, 1, FOR_ALL, opt_endpoint, cli_values_path},
    {"--timeout", 0, 1, FOR_ALL, opt_timeout, NULL},
    {"--color", 0, 1, FOR_ALL, opt_color, pager_color_name},
    {"--no-pager", 0, 0, FOR_ALL, opt_no_pager, NULL},
    {"--tail", 'n', 1, FOR_LOGS, opt_tail, NULL},
    {"--lines", 0, 1, FOR_LOGS, opt_tail, NULL},
    {"--follow", 'f', 0, FOR_LOGS, opt_follow, NULL},
    {"--reverse", 'r', 0, FOR_LOGS, opt_reverse, NULL},
    {"--since", 0, 1, FOR_LOGS, opt_since, NULL},
    {"--until", 0, 1, FOR_LOGS, opt_until, NULL},
    {"--level", 0, 1, FOR_LOGS, opt_level, level_name_at},
    {"--priority", 'p', 1, FOR_LOGS, opt_priority, level_priority_name},
    {"--output", 'o', 1, FOR_LOGS, opt_output, output_mode_name},
    {"--grep", 0, 1, FOR_LOGS, opt_grep, NULL},
    {"--ignore-case", 'i', 0, FOR_LOGS, opt_ignore_case, NULL},
    {"--timestamps", 't', 0, FOR_LOGS, opt_timestamps, NULL},
    {"--utc", 0, 0, FOR_LOGS, opt_utc, NULL},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

int cli_option_info(size_t i, struct cli_optinfo *out)
{
    if (i >= NOPTIONS)
        return ERR_INVAL;
    out->name = options[i].name;
    out->letter = options[i].letter;
    out->takes_value = options[i].takes_value;
    out->values = options[i].values;
    out->commands = options[i].commands;
    return 0;
}

/* Runs one option's parser and remembers a restricted one, as written. */
static int apply(struct pstate *st, const struct option *op, const char *as, size_t aslen,
                 const char *v)
{
    snprintf(st->as, sizeof(st->as), "%.*s", (int)aslen, as);
    if (op->commands != FOR_ALL) {
        st->restricted = op->commands;
        snprintf(st->restricted_as, sizeof(st->restricted_as), "%.*s", (int)aslen, as);
    }
    return op->parse(st, v);
}

/* "--name", "--name=value" or "--name value" at argv[*i]. */
static int parse_long(struct pstate *st, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    size_t nl = strcspn(a, "=");
    int missing = 0;

    for (size_t k = 0; k < NOPTIONS; k++) {
        const struct option *op = &options[k];
        if (strlen(op->name) != nl || memcmp(op->name, a, nl) != 0)
            continue;
        if (!op->takes_value) {
            if (a[nl] == '=')
                return bad(st, "%s takes no value (in '%s')", op->name, a);
            return apply(st, op, a, nl, NULL);
        }
        v = cmdline_flag_value(argc, argv, i, op->name, &missing);
        if (v == NULL)
            return bad(st, "%s needs a value", op->name);
        return apply(st, op, a, nl, v);
    }
    return bad(st, "unknown option '%s' (see svcclient --help)", a);
}

/* "-f", "-n5", "-n 5", "-fn 5": letters in one word, the first that takes
 * a value taking the rest of the word, or else the next word. */
static int parse_short(struct pstate *st, int argc, char **argv, int *i)
{
    const char *a = argv[*i];

    for (size_t j = 1; a[j]; j++) {
        const struct option *op = NULL;
        char as[3] = {'-', a[j], '\0'};
        const char *v = NULL;

        for (size_t k = 0; k < NOPTIONS && op == NULL; k++)
            if (options[k].letter == a[j])
                op = &options[k];
        if (op == NULL && j == 1 && a[2] == '\0')
            return bad(st, "unknown option '%s' (see svcclient --help)", a);
        if (op == NULL)
            return bad(st, "unknown option '%s' in '%s' (see svcclient --help)", as, a);
        if (!op->takes_value) {
            if (apply(st, op, as, 2, NULL) < 0)
                return ERR_INVAL;
            continue;
        }
        if (a[j + 1])
            v = a + j + 1;
        else if (*i + 1 < argc)
            v = argv[++*i];
        if (v == NULL)
            return bad(st, "%s needs a value", as);
        return apply(st, op, as, 2, v);
    }
    return 0;
}

/* completion's argument: one of the shells. */
static int parse_shell(struct pstate *st, const char *a)
{
    for (size_t i = 0; cli_shell_name(i); i++) {
        if (strcmp(a, cli_shell_name(i)) == 0) {
            st->o->shell = cli_shell_name(i);
            return 0;
        }
    }
    return bad(st, "completion: unknown shell '%s' (accepted: bash, zsh, fish, powershell)", a);
}

/* A word that is not an option: the command, help's command, or
 * completion's shell. */
static int parse_word(struct pstate *st, const char *a)
{
    struct cli_opts *o = st->o;

    if (o->cmd == CLI_NONE) {
        o->cmd = find_command(a);
        if (o->cmd == CLI_NONE)
            return bad(st,
                       "unknown command '%s' (commands: status, logs, pause, resume, version, "
                       "completion, help)",
                       a);
        return 0;
    }
    if (o->cmd == CLI_HELP && o->help_for == CLI_NONE) {
        o->help_for = find_command(a);
        if (o->help_for == CLI_NONE)
            return bad(st, "help: unknown command '%s'", a);
        return 0;
    }
    if (o->cmd == CLI_COMPLETION && o->shell == NULL)
        return parse_shell(st, a);
    return bad(st, "%s: unexpected argument '%s'", cli_command_name(o->cmd), a);
}

/* What needs the whole line: help and version, the command's own options,
 * and the combinations that cannot be. */
static int finish(struct pstate *st)
{
    struct cli_opts *o = st->o;
    const char *cmd = cli_command_name(o->cmd);

    if (st->want_help) {
        o->help_for = o->cmd == CLI_HELP ? o->help_for : o->cmd;
        o->cmd = CLI_HELP;
        return 0;
    }
    if (st->want_version)
        o->cmd = CLI_VERSION;
    if (o->cmd == CLI_NONE)
        return bad(st, "no command given (try: svcclient status, or svcclient --help)");
    if (st->restricted && !(st->restricted & (1u << o->cmd)))
        return bad(st, "%s: %s applies only to the logs command", cmd, st->restricted_as);
    if (o->cmd == CLI_COMPLETION && o->shell == NULL)
        return bad(st, "completion: which shell? (bash, zsh, fish or powershell)");
    if (parse_when(st, "--since", st->since, &o->since_us) < 0 ||
        parse_when(st, "--until", st->until, &o->until_us) < 0)
        return ERR_INVAL;
    if (o->since_us && o->until_us && o->since_us > o->until_us)
        return bad(st, "logs: --since is after --until");
    if (o->ignore_case && o->grep == NULL)
        return bad(st, "logs: --ignore-case needs --grep TEXT");
    /* journalctl refuses it too: newest first has no end to start from */
    if (o->reverse && o->follow)
        return bad(st, "logs: --reverse and --follow cannot be combined (newest first needs the "
                       "last entry; use one or the other)");
    /* Like docker logs / journalctl: a time range alone means all of it. */
    if (!o->tail_given && (o->since_us || o->until_us))
        o->tail = UINT32_MAX;
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
    struct pstate st = {.o = o, .err = err, .errlen = errlen};

    memset(o, 0, sizeof(*o));
    o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    o->tail = CLI_DEFAULT_TAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc;

        if (a[0] == '-' && a[1] == '-' && a[2] != '\0')
            rc = parse_long(&st, argc, argv, &i);
        else if (a[0] == '-' && a[1] != '\0')
            rc = parse_short(&st, argc, argv, &i);
        else
            rc = parse_word(&st, a);
        if (rc < 0)
            return ERR_INVAL;
    }
    return finish(&st);
}
