/* svcd's configuration: defaults, a config file and command-line flags, with
 * one table of keys so that every key has a flag and a documented default.
 *
 * File format (the same on every platform), UTF-8:
 *   # a comment (whole lines only: "5s # x" is refused, with a hint)
 *   interval = 500ms
 *   heartbeat_message = "구동중 {n}번 째 로그"
 * Values may be double-quoted to keep surrounding spaces. Precedence, lowest
 * first: built-in defaults, the config file, SVCD_ENDPOINT, flags. */
#ifndef SVCD_CONFIG_H
#define SVCD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "paths.h"

#define CONFIG_TEXT_MAX 256
#define CONFIG_ERR_MAX  512
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_NAME_MAX 64

/* Who holds which right on Windows (authz_win.c): 0x1 read, 0x2 control.
 * SYSTEM, Administrators and interactive users have both; every other
 * authenticated user (services, network logons) reads only. */
#define CONFIG_DEFAULT_SDDL "O:SYG:SYD:(A;;0x3;;;SY)(A;;0x3;;;BA)(A;;0x3;;;IU)(A;;0x1;;;AU)"

struct config {
    char endpoint[PATHS_MAX];
    char state_dir[PATHS_MAX];
    uint64_t interval_us;
    char heartbeat_message[CONFIG_TEXT_MAX];
    uint64_t flush_window_us;   /* heartbeats reach the disk at least this often */
    uint64_t rotate_size;       /* bytes; the log is rotated before it grows past this */
    uint64_t rotate_keep;       /* rotated files kept */
    uint64_t rotate_max_age_us; /* rotated files older than this are removed; 0: never */
    uint64_t rotate_min_age_us; /* no rotation or pruning of a file younger; 0: none */
    uint64_t max_connections;   /* open at once, from everyone */
    uint64_t max_connections_per_user;
    uint64_t request_timeout_us;         /* connect or first byte -> whole request */
    uint64_t idle_timeout_us;            /* no request on a connection without a stream */
    uint64_t stall_timeout_us;           /* output buffer full and unread */
    uint64_t max_request_size;           /* bytes in one request frame */
    uint64_t max_grep;                   /* bytes of grep text */
    uint64_t max_tail;                   /* entries in one tail; 4294967295: all */
    char control_group[CONFIG_NAME_MAX]; /* POSIX system mode: read + control */
    char read_group[CONFIG_NAME_MAX];    /* POSIX system mode: read only; "" for none */
    char control_sddl[CONFIG_TEXT_MAX];  /* Windows service mode */
    uint64_t eventlog;                   /* Windows service: eventlog.h class bits */
    uint64_t log_host;                   /* 1: entries carry this machine's host name */
    char log_group[CONFIG_NAME_MAX];     /* POSIX: the log files are readable by it; "" none */
};

/* CONFIG_EVENTLOG: a list of event log classes (eventlog_parse_classes).
 * CONFIG_SWITCH: on/off (also yes/no, true/false, 1/0), stored as 1 or 0. */
enum config_kind {
    CONFIG_TEXT,
    CONFIG_DURATION,
    CONFIG_SIZE,
    CONFIG_COUNT,
    CONFIG_EVENTLOG,
    CONFIG_SWITCH
};

/* What a reload (SIGHUP, `svcd reload`) does with a key: CONFIG_LIVE keys
 * take their new value at once; CONFIG_RESTART keys keep the running value
 * (with a warning naming them) until svcd restarts. */
enum config_reload { CONFIG_RESTART, CONFIG_LIVE };

struct config_key {
    const char *key;  /* in the file */
    const char *flag; /* on the command line */
    const char *arg;  /* metavariable for --help */
    const char *help;
    enum config_kind kind;
    size_t offset; /* of the field in struct config */
    uint64_t min, max;
    const char *range; /* for errors, e.g. "10ms to 1d" */
    /* More than `help` says, for svcd.conf(5) and docs/configuration.md
     * (confdoc.h), or NULL; `code` in backquotes. */
    const char *doc;
    enum config_reload reload;
};

/* Parses a size: a number with an optional unit B, K/KB/KiB, M/MB/MiB,
 * G/GB/GiB or T/TB/TiB (all binary: K is 1024, as in journald.conf).
 * Returns 0 or ERR_INVAL. */
int config_parse_size(const char *s, uint64_t *bytes);

/* Returns 1 when a bare value holds " #" (or a tab before '#'): an
 * inline comment to the parser, which refuses it; a writer quotes such a
 * value. */
int config_has_inline_comment(const char *value);

/* Fills in the built-in defaults; endpoint and state_dir come from paths.h. */
void config_defaults(struct config *c, int system_mode);

/* The table of keys, terminated by an entry with key == NULL. */
const struct config_key *config_keys(void);

/* Finds a key by its flag name (e.g. "--interval"), or NULL. */
const struct config_key *config_key_by_flag(const char *flag);

/* Sets one key from text. Returns 0, or ERR_INVAL (unknown key or bad value)
 * with a one-line reason in `err`, which names the key and says what is
 * accepted. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);

/* config_set with errors naming `name` once instead of the key (a flag such
 * as "--interval", or "SVCD_ENDPOINT"); NULL names the key. */
int config_set_as(struct config *c, const char *key, const char *value, const char *name, char *err,
                  size_t errlen);

/* Parses a config file's text. `origin` (the file name) prefixes errors as
 * "origin:line: ...". A UTF-8 BOM is skipped at the very start and refused
 * anywhere else; a key set twice is refused naming both lines; a bare value
 * with " #" in it is refused with a hint that comments take whole lines.
 * Returns 0 or ERR_INVAL with the reason in `err`. */
int config_parse(struct config *c, const char *text, size_t n, const char *origin, char *err,
                 size_t errlen);

/* A reload's outcome, as text for its log entries. */
#define CONFIG_DIFF_MAX 4096
struct config_diff {
    unsigned changed;               /* live keys that took a new value */
    unsigned refused;               /* CONFIG_RESTART keys whose value differs */
    char changes[CONFIG_DIFF_MAX];  /* "interval 1s → 3s, rotate_keep 5 → 8" */
    char refusals[CONFIG_DIFF_MAX]; /* "endpoint /a → /b, state_dir /x → /y" */
};

/* Pure. Compares the running configuration `cur` with `next` (read anew):
 * into *out goes `cur` with every CONFIG_LIVE key that differs taken from
 * `next`; CONFIG_RESTART keys keep cur's value. *d names both sets, in the
 * table's order, as "key old → new" (text values quoted, long ones cut
 * with "..."). */
void config_diff(const struct config *cur, const struct config *next, struct config *out,
                 struct config_diff *d);

/* Pure. The reload's log lines from *d: `applied` gets "config reloaded:
 * interval 1s → 3s" or "config reloaded: no change"; `refused` (empty when
 * nothing was refused) gets a warning naming the keys that need a restart.
 * Each buffer should hold CONFIG_DIFF_MAX + 256 bytes. */
void config_diff_messages(const struct config_diff *d, char *applied, size_t an, char *refused,
                          size_t rn);

/* Formats key k's value in `c` the way the file could say it ("1s",
 * "10MiB", "on", "\"text\""). */
void config_format_value(const struct config_key *k, const struct config *c, char *buf, size_t n);

#endif
