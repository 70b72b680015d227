/* svcclient's command line: pure parsing into a struct, tested on its own. */
#ifndef SVCD_CLI_H
#define SVCD_CLI_H

#include <stddef.h>
#include <stdint.h>

#define CLI_ERR_MAX            256
#define CLI_DEFAULT_TIMEOUT_MS 5000
#define CLI_DEFAULT_TAIL       10

/* Exit codes, documented in docs/svcclient.md and --help. */
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
    CLI_COMPLETION,
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
    int utc;           /* --utc: times shown in, and zone-less ones read as, UTC */
    int timestamps;    /* -t: short and cat lines start with the precise time */
    const char *shell; /* completion: one of cli_shell_name's */
    int color;         /* --color: an enum pager_color (pager.h); auto by default */
    int no_pager;      /* --no-pager */
};

/* Parses argv. Options may come before or after the command; short ones
 * combine (-fn 5) and take their value glued (-n1) or next. --help turns any
 * command into CLI_HELP, --version into CLI_VERSION. Returns 0, or ERR_INVAL
 * with a one-line reason in `err`. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

/* Writes help text for a command (CLI_NONE: the overview). */
void cli_help(enum cli_command cmd, char *buf, size_t n);

const char *cli_command_name(enum cli_command cmd);

/* The tables the parser works from, read by the completion generator
 * (complete.c) so that completion and parsing cannot disagree. */

/* A value from a fixed set, by index; NULL past the end. */
typedef const char *(*cli_value_fn)(size_t i);

/* The values of an option whose value is a file name (--endpoint): none
 * fixed, and the shells complete names of files for it. */
const char *cli_values_path(size_t i);

struct cli_optinfo {
    const char *name;    /* "--tail" */
    char letter;         /* 'n' for -n; 0 when none */
    int takes_value;     /* 1: a value follows (glued, after '=' or as the next word) */
    cli_value_fn values; /* the value's fixed set; NULL: free text */
    unsigned commands;   /* bit (1u << cmd) per command that takes it; 0: every one */
};

struct cli_cmdinfo {
    const char *name;
    enum cli_command cmd;
    cli_value_fn args; /* its one argument's fixed set; NULL: no argument */
};

/* The i-th option or command; returns 0, or ERR_INVAL past the end. */
int cli_option_info(size_t i, struct cli_optinfo *out);
int cli_command_info(size_t i, struct cli_cmdinfo *out);

/* The shells `completion` takes (bash, zsh, fish, powershell), by index. */
const char *cli_shell_name(size_t i);

#endif
