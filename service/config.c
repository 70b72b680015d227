#include "config.h"
#include "clock.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

#define INTERVAL_MIN_US 10000LL       /* 10 ms */
#define INTERVAL_MAX_US 86400000000LL /* 1 day */
#define LINE_MAX_LEN    4096

static const struct config_key keys[] = {
    {"endpoint", "--endpoint", "PATH",
     "where svcd listens (default: /run/svcd/svcd.sock as root, else "
     "$XDG_RUNTIME_DIR/svcd/svcd.sock)"},
    {"state_dir", "--state-dir", "DIR",
     "directory of the log (default: /var/log/svcd as root, else $XDG_STATE_HOME/svcd)"},
    {"interval", "--interval", "DURATION",
     "time between heartbeats: seconds, or with a unit: 500ms, 2s, 1m (default: 1s)"},
    {"heartbeat_message", "--heartbeat-message", "TEXT",
     "text of each heartbeat entry; {n} becomes its number (default: \"heartbeat {n}\")"},
    {NULL, NULL, NULL, NULL},
};

void config_defaults(struct config *c, int system_mode)
{
    memset(c, 0, sizeof(*c));
    paths_default_endpoint(system_mode, c->endpoint, sizeof(c->endpoint));
    paths_default_state_dir(system_mode, c->state_dir, sizeof(c->state_dir));
    c->interval_us = CLOCK_US_PER_SEC;
    snprintf(c->heartbeat_message, sizeof(c->heartbeat_message), "heartbeat {n}");
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

static int set_text(char *dst, size_t cap, const char *key, const char *value, char *err,
                    size_t errlen)
{
    size_t len = strlen(value);

    if (len == 0) {
        snprintf(err, errlen, "%s: must not be empty", key);
        return ERR_INVAL;
    }
    if (len >= cap) {
        snprintf(err, errlen, "%s: too long (%zu bytes, at most %zu)", key, len, cap - 1);
        return ERR_INVAL;
    }
    memcpy(dst, value, len + 1);
    return 0;
}

static int set_interval(struct config *c, const char *value, char *err, size_t errlen)
{
    int64_t us;

    if (clock_parse_duration(value, CLOCK_US_PER_SEC, &us) < 0) {
        snprintf(err, errlen, "interval: '%s' is not a duration (examples: 1, 0.5, 250ms, 2s, 1m)",
                 value);
        return ERR_INVAL;
    }
    if (us < INTERVAL_MIN_US || us > INTERVAL_MAX_US) {
        snprintf(err, errlen, "interval: '%s' is out of range (10ms to 1d)", value);
        return ERR_INVAL;
    }
    c->interval_us = (uint64_t)us;
    return 0;
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
    if (strcmp(key, "endpoint") == 0)
        return set_text(c->endpoint, sizeof(c->endpoint), key, value, err, errlen);
    if (strcmp(key, "state_dir") == 0)
        return set_text(c->state_dir, sizeof(c->state_dir), key, value, err, errlen);
    if (strcmp(key, "interval") == 0)
        return set_interval(c, value, err, errlen);
    if (strcmp(key, "heartbeat_message") == 0)
        return set_text(c->heartbeat_message, sizeof(c->heartbeat_message), key, value, err,
                        errlen);
    snprintf(err, errlen,
             "unknown key '%s' (known keys: endpoint, state_dir, interval, heartbeat_message)",
             key);
    return ERR_INVAL;
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

/* Parses one non-comment line into key and value buffers. */
static int split_line(const char *s, const char *e, char *key, size_t kcap, char *val, size_t vcap,
                      char *why, size_t whylen)
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
    if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
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

int config_parse(struct config *c, const char *text, size_t n, const char *origin, char *err,
                 size_t errlen)
{
    char key[128], val[LINE_MAX_LEN], why[CONFIG_ERR_MAX];
    const char *p = text, *end = text + n;
    unsigned line = 0;

    if (n > CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", origin, CONFIG_FILE_MAX);
        return ERR_INVAL;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *ls = p;
        p = nl ? nl + 1 : end;
        line++;
        trim(&ls, &le);
        if (ls == le || *ls == '#' || *ls == ';')
            continue;
        if (le - ls >= LINE_MAX_LEN) {
            snprintf(err, errlen, "%s:%u: line longer than %d bytes", origin, line, LINE_MAX_LEN);
            return ERR_INVAL;
        }
        if (split_line(ls, le, key, sizeof(key), val, sizeof(val), why, sizeof(why)) < 0 ||
            config_set(c, key, val, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s:%u: %s", origin, line, why);
            return ERR_INVAL;
        }
    }
    return 0;
}
