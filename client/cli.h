/* svcclient's command line: pure parsing into a struct, tested on its own. */
#ifndef SVCD_CLI_H
#define SVCD_CLI_H

#include <stddef.h>
#include <stdint.h>

#define CLI_ERR_MAX            256
#define CLI_DEFAULT_TIMEOUT_MS 5000
#define CLI_DEFAULT_TAIL       10

/* Exit codes, documented in README and --help. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,      /* the service refused or failed the request */
    CLI_EXIT_USAGE = 2,       /* bad command line */
    CLI_EXIT_UNREACHABLE = 3, /* no service answered at the endpoint */
    CLI_EXIT_PROTOCOL = 4,    /* the reply was not what the protocol says */
};

enum cli_command {
    CLI_NONE = 0,
    CLI_STATUS,
    CLI_PAUSE,
    CLI_RESUME,
    CLI_LOGS,
    CLI_VERSION,
    CLI_HELP,
};

struct cli_opts {
    enum cli_command cmd;
    enum cli_command help_for; /* with CLI_HELP: which command, or CLI_NONE */
    int json;                  /* --json, -o json or -o json-pretty: errors as JSON too */
    int output;                /* logs: an enum output_mode (output.h); --json is OUTPUT_JSON */
    const char *endpoint;      /* NULL: SVCD_ENDPOINT, then the defaults */
    int timeout_ms;
    uint32_t tail;
    int tail_given;
    int follow;
    int64_t since_us, until_us; /* 0: no bound */
    int min_level;              /* 0: all; else svcd.Level */
    int max_level;              /* 0: no upper bound; else svcd.Level */
    int reverse;                /* newest first */
    const char *grep;           /* NULL: none */
    int ignore_case;
};

/* Parses argv. Options may come before or after the command; short ones
 * combine (-fn 5) and take their value glued (-n1) or next. --help turns any
 * command into CLI_HELP, --version into CLI_VERSION. Returns 0, or ERR_INVAL
 * with a one-line reason in `err`. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

/* Writes help text for a command (CLI_NONE: the overview). */
void cli_help(enum cli_command cmd, char *buf, size_t n);

const char *cli_command_name(enum cli_command cmd);

#endif
