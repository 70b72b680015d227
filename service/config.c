#include "config.h"
#include "clock.h"
#include "err.h"
#include "eventlog.h"
#include "logfilter.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096

#define F(field) offsetof(struct config, field)
#define US(s)    ((uint64_t)(s)*1000000ULL)

static const struct config_key keys[] = {
    {"endpoint", "--endpoint", "PATH",
     "where svcd listens (default: /run/svcd/svcd.sock as root, else "
     "$XDG_RUNTIME_DIR/svcd/svcd.sock)",
     CONFIG_TEXT, F(endpoint), 1, PATHS_MAX - 1, NULL,
     "A Unix domain socket on Linux, a named pipe on Windows (`\\\\.\\pipe\\...`). Its directory "
     "is made if missing and must belong to svcd's user or root and not be writable by others "
     "(unless sticky, like `/tmp`). `SVCD_ENDPOINT` overrides the file, the flag overrides both.",
     CONFIG_RESTART},
    {"state_dir", "--state-dir", "DIR",
     "directory of the log (default: /var/log/svcd as root, else $XDG_STATE_HOME/svcd)",
     CONFIG_TEXT, F(state_dir), 1, PATHS_MAX - 1, NULL,
     "Holds `svcd.log`, the rotated files, `svcd.seq` and `svcd.lock` (one svcd per directory). It "
     "and its parents must belong to root or svcd's user and not be writable by others unless "
     "sticky. The systemd unit mounts the system read-only: a `state_dir` outside `/var/log/svcd` "
     "needs `ReadWritePaths=` (see \"A moved state_dir\").",
     CONFIG_RESTART},
    {"interval", "--interval", "DURATION",
     "time between heartbeats: seconds, or with a unit: 500ms, 2s, 1m (default: 1s)",
     CONFIG_DURATION, F(interval_us), 10000, US(86400), "10ms to 1d", NULL, CONFIG_LIVE},
    {"heartbeat_message", "--heartbeat-message", "TEXT",
     "text of each heartbeat entry; {n} becomes its number (default: \"heartbeat {n}\")",
     CONFIG_TEXT, F(heartbeat_message), 1, CONFIG_TEXT_MAX - 1, NULL,
     "UTF-8 text; double-quote it to keep leading or trailing spaces.", CONFIG_LIVE},
    {"flush_window", "--flush-window", "DURATION",
     "heartbeats reach the disk at least this often; lifecycle and audit entries always at "
     "once (default: 1s)",
     CONFIG_DURATION, F(flush_window_us), 0, US(3600), "0 to 1h",
     "`0` syncs every heartbeat. A power failure loses at most one window of heartbeats, never a "
     "lifecycle, audit or client entry.",
     CONFIG_LIVE},
    {"rotate_size", "--rotate-size", "SIZE",
     "rotate the log before it grows past SIZE: 10MiB, 512K, 1G (default: 10MiB)", CONFIG_SIZE,
     F(rotate_size), 4096, 1ULL << 40, "4KiB to 1TiB",
     "Sizes take `K`, `M`, `G`, `T`, each also as `KB` or `KiB` and so on, all binary (`1K` is "
     "1024 bytes), as in journald.conf. The log is renamed to `svcd.log.<first seq>` and a new one "
     "begins.",
     CONFIG_LIVE},
    {"rotate_keep", "--rotate-keep", "COUNT", "rotated files to keep (default: 10)", CONFIG_COUNT,
     F(rotate_keep), 1, 10000, "1 to 10000",
     "Older rotated files are removed at a rotation, but never one younger than `rotate_min_age`.",
     CONFIG_LIVE},
    {"rotate_max_age", "--rotate-max-age", "DURATION",
     "remove rotated files older than this: 7d, 12h; 0 keeps them (default: 0)", CONFIG_DURATION,
     F(rotate_max_age_us), 0, US(86400) * 3650, "0 to 3650d",
     "Checked at each rotation; a file younger than `rotate_min_age` is kept whatever this says.",
     CONFIG_LIVE},
    {"rotate_min_age", "--rotate-min-age", "DURATION",
     "never rotate the log, nor remove a rotated file, younger than this, so a shipper that "
     "polls finds every file; a burst may grow the log past rotate_size meanwhile; 0 for no "
     "minimum (default: 10s)",
     CONFIG_DURATION, F(rotate_min_age_us), 0, US(86400), "0 to 1d",
     "Set it above a polling shipper's poll interval (twice is safe) and its restart time; `0` "
     "rotates at exactly `rotate_size`.",
     CONFIG_LIVE},
    {"max_connections", "--max-connections", "COUNT",
     "connections open at once; more get a 'busy' reply (default: 256)", CONFIG_COUNT,
     F(max_connections), 1, 100000, "1 to 100000",
     "The reply names this key. A user that holds no connection is still let in, within a "
     "reserve of an eighth of it (at least 4).",
     CONFIG_LIVE},
    {"max_connections_per_user", "--max-connections-per-user", "COUNT",
     "connections one user may have open, so no user starves the others (default: 16)",
     CONFIG_COUNT, F(max_connections_per_user), 1, 100000, "1 to 100000",
     "Counted per uid (per SID on Windows) from the moment a connection is accepted, whether or "
     "not it sends a request.",
     CONFIG_LIVE},
    {"request_timeout", "--request-timeout", "DURATION",
     "a client must send a whole request this soon after connecting or starting one "
     "(default: 5s)",
     CONFIG_DURATION, F(request_timeout_us), 100000, US(3600), "100ms to 1h",
     "Else it gets an error reply and is disconnected (slowloris).", CONFIG_LIVE},
    {"idle_timeout", "--idle-timeout", "DURATION",
     "close a connection that sends no request for this long; a follow stream is never idle "
     "(default: 60s)",
     CONFIG_DURATION, F(idle_timeout_us), 100000, US(86400), "100ms to 1d", NULL, CONFIG_LIVE},
    {"stall_timeout", "--stall-timeout", "DURATION",
     "cut off a client whose full output buffer it has not read from for this long "
     "(default: 10s)",
     CONFIG_DURATION, F(stall_timeout_us), 100000, US(3600), "100ms to 1h",
     "The cut is logged as a `service` warning naming the client.", CONFIG_LIVE},
    {"max_request_size", "--max-request-size", "SIZE",
     "largest request frame accepted; a longer one closes its connection (default: 64KiB)",
     CONFIG_SIZE, F(max_request_size), 1024, 1024 * 1024, "1KiB to 1MiB",
     "The length is checked before anything is allocated. Replies may be up to 1 MiB.",
     CONFIG_LIVE},
    {"max_grep", "--max-grep", "BYTES", "longest logs --grep text, in bytes (default: 255)",
     CONFIG_COUNT, F(max_grep), 1, LOGFILTER_GREP_MAX - 1, "1 to 255",
     "The text must be valid UTF-8.", CONFIG_LIVE},
    {"max_tail", "--max-tail", "COUNT",
     "most entries one logs --tail may ask for (default: 4294967295, that is all)", CONFIG_COUNT,
     F(max_tail), 1, 4294967295ULL, "1 to 4294967295",
     "A time range alone (`--since`, `--until` without `-n`) still returns all of itself.",
     CONFIG_LIVE},
    {"control_group", "--control-group", "GROUP",
     "POSIX, as root: members may read and pause/resume; it must exist (default: svcd)",
     CONFIG_TEXT, F(control_group), 1, CONFIG_NAME_MAX - 1, NULL,
     "svcd looks membership up from the caller's uid (primary and supplementary groups) and "
     "keeps it for 60 s; but the kernel checks the socket against the groups of the caller's "
     "login, so a new member who could not connect before must log in again. A group that "
     "does not exist stops svcd at start-up.",
     CONFIG_LIVE},
    {"read_group", "--read-group", "GROUP",
     "POSIX, as root: members may read status and logs only; empty for none (default: none)",
     CONFIG_TEXT, F(read_group), 0, CONFIG_NAME_MAX - 1, NULL,
     "Its members get access to the socket and its directory through a POSIX ACL entry; it must "
     "exist when set.",
     CONFIG_LIVE},
    {"control_sddl", "--control-sddl", "SDDL",
     "Windows service: who has the read (0x1) and control (0x2) rights "
     "(default: " CONFIG_DEFAULT_SDDL ")",
     CONFIG_TEXT, F(control_sddl), 1, CONFIG_TEXT_MAX - 1, NULL,
     "`GR` and `GX` map to read, `GW` to control, `GA` to both. A descriptor that does not "
     "parse, or lacks an owner, a group or a DACL, stops the service at start-up.",
     CONFIG_LIVE},
    {"eventlog", "--eventlog", "CLASSES",
     "Windows service: what also goes to the Application event log (source svcd): a "
     "comma-separated list of lifecycle, audit (denials), failures, clients (cut off); or all, "
     "or none (default: lifecycle,audit,failures)",
     CONFIG_EVENTLOG, F(eventlog), 0, EVENTLOG_CLASSES_ALL, NULL,
     "Accepted on Linux, where it changes nothing (the journal has svcd's stderr).", CONFIG_LIVE},
    {"log_host", "--log-host", "on|off",
     "write this machine's host name (fixed at start) into every entry as host_name, so "
     "(host_name, seq) names an entry fleet-wide (default: off)",
     CONFIG_SWITCH, F(log_host), 0, 1, NULL,
     "Also yes/no, true/false, 1/0. Restart svcd after renaming the machine.", CONFIG_RESTART},
    {"log_group", "--log-group", "GROUP",
     "POSIX: the log files become readable by GROUP (0640, e.g. adm on Debian) for log shippers; "
     "it must exist; empty for none (default: none)",
     CONFIG_TEXT, F(log_group), 0, CONFIG_NAME_MAX - 1, NULL,
     "The current and rotated files become `0640 root:GROUP`, files made later included, and the "
     "state directory group-searchable. A group that does not exist stops svcd at start-up. "
     "Ignored with a warning on Windows, where the log folder's DACL already lets Users read the "
     "files.",
     CONFIG_RESTART},
    {NULL, NULL, NULL, NULL, CONFIG_TEXT, 0, 0, 0, NULL, NULL, CONFIG_RESTART},
};

void config_defaults(struct config *c, int system_mode)
{
    memset(c, 0, sizeof(*c));
    paths_default_endpoint(system_mode, c->endpoint, sizeof(c->endpoint));
    paths_default_state_dir(system_mode, c->state_dir, sizeof(c->state_dir));
    c->interval_us = CLOCK_US_PER_SEC;
    snprintf(c->heartbeat_message, sizeof(c->heartbeat_message), "heartbeat {n}");
    c->flush_window_us = CLOCK_US_PER_SEC;
    c->rotate_size = 10u * 1024u * 1024u;
    c->rotate_keep = 10;
    c->rotate_max_age_us = 0;
    c->rotate_min_age_us = US(10);
    c->max_connections = 256;
    c->max_connections_per_user = 16;
    c->request_timeout_us = US(5);
    c->idle_timeout_us = US(60);
    c->stall_timeout_us = US(10);
    c->max_request_size = 64 * 1024;
    c->max_grep = LOGFILTER_GREP_MAX - 1;
    c->max_tail = 4294967295ULL;
    snprintf(c->control_group, sizeof(c->control_group), "svcd");
    snprintf(c->control_sddl, sizeof(c->control_sddl), "%s", CONFIG_DEFAULT_SDDL);
    c->eventlog = EVENTLOG_CLASSES_DEFAULT;
}

const struct config_key *config_keys(void)
{
    return keys;
}

const struct config_key *config_key_by_flag(const char *flag)
{
    for (const struct config_key *k = keys; k->key; k++)
        if (strcmp(k->flag, flag) == 0)
            return k;
    return NULL;
}

int config_parse_size(const char *s, uint64_t *bytes)
{
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {{"", 1},
                 {"B", 1},
                 {"K", 1ULL << 10},
                 {"KB", 1ULL << 10},
                 {"KiB", 1ULL << 10},
                 {"M", 1ULL << 20},
                 {"MB", 1ULL << 20},
                 {"MiB", 1ULL << 20},
                 {"G", 1ULL << 30},
                 {"GB", 1ULL << 30},
                 {"GiB", 1ULL << 30},
                 {"T", 1ULL << 40},
                 {"TB", 1ULL << 40},
                 {"TiB", 1ULL << 40}};
    uint64_t n = 0;
    const char *p = s;

    if (*p < '0' || *p > '9')
        return ERR_INVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (UINT64_MAX - 9) / 10)
            return ERR_INVAL;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(p, units[i].name) == 0) {
            if (n > UINT64_MAX / units[i].mult)
                return ERR_INVAL;
            *bytes = n * units[i].mult;
            return 0;
        }
    }
    return ERR_INVAL;
}

static int set_text(const struct config_key *k, const char *name, char *dst, const char *value,
                    char *err, size_t errlen)
{
    size_t len = strlen(value);

    if (len == 0 && k->min > 0) {
        snprintf(err, errlen, "%s: must not be empty", name);
        return ERR_INVAL;
    }
    if (len > k->max) {
        snprintf(err, errlen, "%s: too long (%zu bytes, at most %llu)", name, len,
                 (unsigned long long)k->max);
        return ERR_INVAL;
    }
    memcpy(dst, value, len + 1);
    return 0;
}

/* on/off and the usual synonyms, as systemd's boolean settings take them. */
static int parse_switch(const char *name, const char *value, uint64_t *dst, char *err,
                        size_t errlen)
{
    static const char *const on[] = {"on", "yes", "true", "1"}, *const off[] = {"off", "no",
                                                                                "false", "0"};

    for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
        if (strcmp(value, on[i]) == 0 || strcmp(value, off[i]) == 0) {
            *dst = strcmp(value, on[i]) == 0;
            return 0;
        }
    }
    snprintf(err, errlen, "%s: '%s' is not on or off (also yes/no, true/false, 1/0)", name, value);
    return ERR_INVAL;
}

/* Parses a duration, size or count into *v, with the key's own wording. */
static int parse_number(const struct config_key *k, const char *name, const char *value,
                        uint64_t *v, char *err, size_t errlen)
{
    int64_t us;
    char *end;

    switch (k->kind) {
    case CONFIG_DURATION:
        if (clock_parse_duration(value, CLOCK_US_PER_SEC, &us) == 0) {
            *v = (uint64_t)us;
            return 0;
        }
        snprintf(err, errlen, "%s: '%s' is not a duration (examples: 1, 0.5, 250ms, 2s, 1m)", name,
                 value);
        return ERR_INVAL;
    case CONFIG_SIZE:
        if (config_parse_size(value, v) == 0)
            return 0;
        snprintf(err, errlen, "%s: '%s' is not a size (examples: 4096, 512K, 10MiB, 1G, 1T)", name,
                 value);
        return ERR_INVAL;
    default:
        if (*value >= '0' && *value <= '9') {
            *v = strtoull(value, &end, 10);
            if (*end == '\0')
                return 0;
        }
        snprintf(err, errlen, "%s: '%s' is not a whole number", name, value);
        return ERR_INVAL;
    }
}

static const struct config_key *find_key(const char *key)
{
    const struct config_key *k;

    for (k = keys; k->key && strcmp(k->key, key) != 0; k++)
        ;
    return k->key ? k : NULL;
}

static int unknown_key(const char *key, char *err, size_t errlen)
{
    size_t off = (size_t)snprintf(err, errlen, "unknown key '%s' (known keys:", key);

    for (const struct config_key *k = keys; k->key && off < errlen; k++)
        off += (size_t)snprintf(err + off, errlen - off, "%s %s", k == keys ? "" : ",", k->key);
    if (off < errlen)
        snprintf(err + off, errlen - off, ")");
    return ERR_INVAL;
}

/* Parses `value` for key k into v (CONFIG_TEXT aside), errors named `name`. */
static int parse_value(const struct config_key *k, const char *name, const char *value, uint64_t *v,
                       char *err, size_t errlen)
{
    char why[CONFIG_ERR_MAX];
    unsigned mask;

    switch (k->kind) {
    case CONFIG_EVENTLOG:
        if (eventlog_parse_classes(value, &mask, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s: %s", name, why);
            return ERR_INVAL;
        }
        *v = mask;
        return 0;
    case CONFIG_SWITCH:
        return parse_switch(name, value, v, err, errlen);
    default:
        if (parse_number(k, name, value, v, err, errlen) < 0)
            return ERR_INVAL;
        if (*v < k->min || *v > k->max) {
            snprintf(err, errlen, "%s: '%s' is out of range (%s)", name, value, k->range);
            return ERR_INVAL;
        }
        return 0;
    }
}

int config_set_as(struct config *c, const char *key, const char *value, const char *name, char *err,
                  size_t errlen)
{
    const struct config_key *k = find_key(key);
    uint64_t v;

    if (k == NULL)
        return unknown_key(key, err, errlen);
    if (name == NULL)
        name = k->key;
    if (k->kind == CONFIG_TEXT)
        return set_text(k, name, (char *)c + k->offset, value, err, errlen);
    if (parse_value(k, name, value, &v, err, errlen) < 0)
        return ERR_INVAL;
    memcpy((char *)c + k->offset, &v, sizeof(v));
    return 0;
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
    return config_set_as(c, key, value, NULL, err, errlen);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Trims [*s, *e) in place. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

int config_has_inline_comment(const char *value)
{
    for (const char *p = strchr(value, '#'); p; p = strchr(p + 1, '#'))
        if (p > value && is_space(p[-1]))
            return 1;
    return 0;
}

/* Parses one non-comment line into key and value buffers; *quoted says
 * whether the value was in double quotes. */
static int split_line(const char *s, const char *e, char *key, size_t kcap, char *val, size_t vcap,
                      int *quoted, char *why, size_t whylen)
{
    const char *eq = memchr(s, '=', (size_t)(e - s));
    const char *ks = s, *ke, *vs, *ve;

    if (eq == NULL) {
        snprintf(why, whylen, "expected 'key = value'");
        return ERR_INVAL;
    }
    ke = eq;
    vs = eq + 1;
    ve = e;
    trim(&ks, &ke);
    trim(&vs, &ve);
    if (ks == ke) {
        snprintf(why, whylen, "missing key before '='");
        return ERR_INVAL;
    }
    *quoted = ve - vs >= 2 && *vs == '"' && ve[-1] == '"';
    if (*quoted) {
        vs++;
        ve--;
    }
    if ((size_t)(ke - ks) >= kcap || (size_t)(ve - vs) >= vcap) {
        snprintf(why, whylen, "line too long");
        return ERR_INVAL;
    }
    memcpy(key, ks, (size_t)(ke - ks));
    key[ke - ks] = '\0';
    memcpy(val, vs, (size_t)(ve - vs));
    val[ve - vs] = '\0';
    if (strlen(val) != (size_t)(ve - vs)) {
        snprintf(why, whylen, "%s: value contains a NUL byte", key);
        return ERR_INVAL;
    }
    return 0;
}

/* Sets one parsed line. A bare value with " #" in it is most likely a
 * comment the writer meant to end the line with: a value the key refuses
 * gets that hint, and a text value (which would keep the comment) is
 * refused, since "state_dir = /srv/log # big disk" must not log there. */
static int set_line(struct config *c, const char *key, const char *val, int quoted, char *why,
                    size_t whylen)
{
    static const char hint[] = "comments must be on their own line";
    int commented = !quoted && config_has_inline_comment(val);
    size_t used;

    if (config_set(c, key, val, why, whylen) < 0) {
        used = strlen(why);
        if (commented && used < whylen)
            snprintf(why + used, whylen - used, "; %s", hint);
        return ERR_INVAL;
    }
    if (commented) {
        snprintf(why, whylen,
                 "%s: '%s' has a '#' after a space: %s (quote the value if the '#' "
                 "belongs to it)",
                 key, val, hint);
        return ERR_INVAL;
    }
    return 0;
}

/* The line a key was set on first, to refuse a second setting: with two,
 * the reader of the file cannot tell which one svcd uses. */
static int check_once(unsigned *first, const char *key, unsigned line, char *why, size_t whylen)
{
    const struct config_key *k = find_key(key);

    if (k == NULL)
        return 0; /* config_set names it */
    if (first[k - keys]) {
        snprintf(why, whylen, "'%s' is set again (first set on line %u)", key, first[k - keys]);
        return ERR_INVAL;
    }
    first[k - keys] = line;
    return 0;
}

int config_parse(struct config *c, const char *text, size_t n, const char *origin, char *err,
                 size_t errlen)
{
    static const char bom[] = "\xEF\xBB\xBF";
    char key[128], val[LINE_MAX_LEN], why[CONFIG_ERR_MAX];
    unsigned first[sizeof(keys) / sizeof(keys[0])] = {0};
    const char *p = text, *end = text + n;
    unsigned line = 0;
    int quoted;

    if (n > CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", origin, CONFIG_FILE_MAX);
        return ERR_INVAL;
    }
    if (n >= 3 && memcmp(p, bom, 3) == 0)
        p += 3; /* a UTF-8 BOM, as Notepad may write */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *ls = p;
        p = nl ? nl + 1 : end;
        line++;
        /* Another BOM is a pasted-in file or an editor's slip; its bytes
         * would end up in a key or a value unseen. */
        for (const char *b = ls; (b = memchr(b, bom[0], (size_t)(le - b))) != NULL; b++) {
            if (le - b >= 3 && memcmp(b, bom, 3) == 0) {
                snprintf(err, errlen,
                         "%s:%u: a UTF-8 byte order mark (BOM) inside the file; only the very "
                         "start may have one (remove it, e.g. resave the file as UTF-8)",
                         origin, line);
                return ERR_INVAL;
            }
        }
        trim(&ls, &le);
        if (ls == le || *ls == '#' || *ls == ';')
            continue;
        if (le - ls >= LINE_MAX_LEN) {
            snprintf(err, errlen, "%s:%u: line longer than %d bytes", origin, line, LINE_MAX_LEN);
            return ERR_INVAL;
        }
        if (split_line(ls, le, key, sizeof(key), val, sizeof(val), &quoted, why, sizeof(why)) < 0 ||
            check_once(first, key, line, why, sizeof(why)) < 0 ||
            set_line(c, key, val, quoted, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s:%u: %s", origin, line, why);
            return ERR_INVAL;
        }
    }
    return 0;
}

/* A size in the largest binary unit that divides it exactly. */
static void format_size(uint64_t v, char *buf, size_t n)
{
    static const char *const units[] = {"TiB", "GiB", "MiB", "KiB"};

    for (int i = 0; i < 4; i++) {
        uint64_t mult = 1ULL << (10 * (4 - i));
        if (v && v % mult == 0) {
            snprintf(buf, n, "%llu%s", (unsigned long long)(v / mult), units[i]);
            return;
        }
    }
    snprintf(buf, n, "%llu", (unsigned long long)v);
}

void config_format_value(const struct config_key *k, const struct config *c, char *buf, size_t n)
{
    const char *field = (const char *)c + k->offset;
    uint64_t v;

    if (k->kind == CONFIG_TEXT) {
        /* Long texts (an SDDL, a message) are cut so one line stays readable. */
        size_t len = strlen(field);
        snprintf(buf, n, "\"%.*s%s\"", len > 60 ? 57 : (int)len, field, len > 60 ? "..." : "");
        return;
    }
    memcpy(&v, field, sizeof(v));
    switch (k->kind) {
    case CONFIG_DURATION:
        clock_format_duration(v, buf, n);
        break;
    case CONFIG_SIZE:
        format_size(v, buf, n);
        break;
    case CONFIG_EVENTLOG:
        eventlog_format_classes((unsigned)v, buf, n);
        break;
    case CONFIG_SWITCH:
        snprintf(buf, n, "%s", v ? "on" : "off");
        break;
    default:
        snprintf(buf, n, "%llu", (unsigned long long)v);
        break;
    }
}

static int same_value(const struct config_key *k, const struct config *a, const struct config *b)
{
    const char *fa = (const char *)a + k->offset, *fb = (const char *)b + k->offset;

    if (k->kind == CONFIG_TEXT)
        return strcmp(fa, fb) == 0;
    return memcmp(fa, fb, sizeof(uint64_t)) == 0;
}

/* Appends "key old → new" to a comma-separated list; a list that is full
 * ends in "..." rather than in a cut-off value. */
static void add_change(char *list, const struct config_key *k, const struct config *from,
                       const struct config *to)
{
    char was[CONFIG_TEXT_MAX], now[CONFIG_TEXT_MAX], item[2 * CONFIG_TEXT_MAX + 80];
    size_t used = strlen(list);

    config_format_value(k, from, was, sizeof(was));
    config_format_value(k, to, now, sizeof(now));
    snprintf(item, sizeof(item), "%s%s %s \u2192 %s", used ? ", " : "", k->key, was, now);
    if (used + strlen(item) + 5 < CONFIG_DIFF_MAX)
        memcpy(list + used, item, strlen(item) + 1);
    else if (used + 5 < CONFIG_DIFF_MAX && (used < 3 || strcmp(list + used - 3, "...") != 0))
        memcpy(list + used, ", ...", 6);
}

void config_diff(const struct config *cur, const struct config *next, struct config *out,
                 struct config_diff *d)
{
    memset(d, 0, sizeof(*d));
    *out = *cur;
    for (const struct config_key *k = keys; k->key; k++) {
        if (same_value(k, cur, next))
            continue;
        if (k->reload == CONFIG_LIVE) {
            size_t size = k->kind == CONFIG_TEXT ? k->max + 1 : sizeof(uint64_t);
            memcpy((char *)out + k->offset, (const char *)next + k->offset, size);
            add_change(d->changes, k, cur, next);
            d->changed++;
        } else {
            add_change(d->refusals, k, cur, next);
            d->refused++;
        }
    }
}

void config_diff_messages(const struct config_diff *d, char *applied, size_t an, char *refused,
                          size_t rn)
{
    snprintf(applied, an, "config reloaded: %s", d->changed ? d->changes : "no change");
    if (d->refused == 0)
        snprintf(refused, rn, "%s", "");
    else
        snprintf(refused, rn,
                 "config reload: %s cannot change while svcd runs; kept the running value%s "
                 "(restart svcd to apply: svcd restart)",
                 d->refusals, d->refused > 1 ? "s" : "");
}
