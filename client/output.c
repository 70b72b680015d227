#include "output.h"
#include "clock.h"
#include "json.h"
#include "level.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static void json_key_str(struct sbuf *out, const char *key, const char *v, int first)
{
    sbuf_printf(out, "%s\"%s\":", first ? "" : ",", key);
    json_add_string(out, v ? v : "", v ? strlen(v) : 0);
}

static void json_key_time(struct sbuf *out, const char *key, int64_t us)
{
    char t[CLOCK_UTC_LEN];

    if (us == 0) {
        sbuf_printf(out, ",\"%s\":null", key);
        return;
    }
    clock_format_utc(us, t);
    sbuf_printf(out, ",\"%s\":\"%s\"", key, t);
}

/* paused_by as an object: {"user":..., "uid":N, "pid":N} (POSIX) or
 * {"user":..., "sid":..., "pid":N} (Windows); user null for a uid without
 * a name, pid absent when unknown; {"service_manager":true} for an SCM
 * pause. A service before paused_by_peer sends only the text: it becomes
 * the user, the rest is absent (docs/json.md). */
static void paused_by_json(const Svcd__Status *st, struct sbuf *out)
{
    const Svcd__Peer *p = st->paused_by_peer;

    sbuf_adds(out, ",\"paused_by\":{");
    if (st->paused_by_service_manager) {
        sbuf_adds(out, "\"service_manager\":true}");
        return;
    }
    if (p == NULL) {
        json_key_str(out, "user", st->paused_by, 1);
        sbuf_adds(out, "}");
        return;
    }
    if (p->user && p->user[0])
        json_key_str(out, "user", p->user, 1);
    else
        sbuf_adds(out, "\"user\":null");
    if (p->sid && p->sid[0])
        json_key_str(out, "sid", p->sid, 0);
    else
        sbuf_printf(out, ",\"uid\":%lld", (long long)p->uid);
    if (p->pid >= 0)
        sbuf_printf(out, ",\"pid\":%lld", (long long)p->pid);
    sbuf_adds(out, "}");
}

static void status_json(const Svcd__Status *st, struct sbuf *out)
{
    sbuf_printf(out, "\"schema\":%d", OUTPUT_STATUS_SCHEMA);
    json_key_str(out, "state", codec_state_name(st->state), 0);
    sbuf_printf(out, ",\"pid\":%u", st->pid);
    json_key_str(out, "version", st->version, 0);
    sbuf_printf(out, ",\"protocol_version\":%u", st->protocol_version);
    json_key_time(out, "started_at", st->started_at_us);
    sbuf_printf(out, ",\"uptime_us\":%llu,\"interval_us\":%llu,\"entries_written\":%llu",
                (unsigned long long)st->uptime_us, (unsigned long long)st->interval_us,
                (unsigned long long)st->entries_written);
    sbuf_printf(out, ",\"last_seq\":%llu", (unsigned long long)st->last_seq);
    json_key_time(out, "last_time", st->last_time_us);
    json_key_str(out, "log_path", st->log_path, 0);
    sbuf_printf(out, ",\"log_size\":%llu", (unsigned long long)st->log_size);
    json_key_time(out, "paused_since", st->paused_since_us);
    if (st->paused_since_us)
        paused_by_json(st, out);
    else
        sbuf_adds(out, ",\"paused_by\":null");
    json_key_str(out, "endpoint", st->endpoint, 0);
    sbuf_printf(out, ",\"degraded\":%s", st->degraded ? "true" : "false");
    if (st->degraded)
        json_key_str(out, "degraded_error", st->degraded_error, 0);
    else
        sbuf_adds(out, ",\"degraded_error\":null");
    json_key_time(out, "degraded_since", st->degraded_since_us);
    sbuf_printf(out, ",\"entries_held\":%llu,\"entries_lost\":%llu",
                (unsigned long long)st->entries_held, (unsigned long long)st->entries_lost);
    if (st->rotation_blocked && st->rotation_blocked[0])
        json_key_str(out, "rotation_blocked", st->rotation_blocked, 0);
    else
        sbuf_adds(out, ",\"rotation_blocked\":null");
    json_key_time(out, "rotation_blocked_since", st->rotation_blocked_since_us);
}

static void human_size(uint64_t b, char *buf, size_t n)
{
    if (b < 1024)
        snprintf(buf, n, "%llu B", (unsigned long long)b);
    else if (b < 1024 * 1024)
        snprintf(buf, n, "%.1f KiB", (double)b / 1024);
    else if (b < 1024ULL * 1024 * 1024)
        snprintf(buf, n, "%.1f MiB", (double)b / (1024 * 1024));
    else
        snprintf(buf, n, "%.1f GiB", (double)b / (1024.0 * 1024 * 1024));
}

/* journalctl's colours (systemd's ansi_highlight_*), and the end of one */
#define COLOR_RED    "\033[1;31m"
#define COLOR_YELLOW "\033[1;33m"
#define COLOR_GREEN  "\033[1;32m"
#define COLOR_BOLD   "\033[1m"
#define COLOR_GREY   "\033[90m"
#define COLOR_OFF    "\033[0m"

/* The state's dot, as systemctl status draws it: green when running,
 * yellow when paused, grey while starting or stopping. */
static void status_dot(const Svcd__Status *st, int color, struct sbuf *out)
{
    int paused = st->state == SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED;
    const char *on = st->state == SVCD__SERVICE_STATE__SERVICE_STATE_RUNNING ? COLOR_GREEN
                     : paused                                                ? COLOR_YELLOW
                                                                             : COLOR_GREY;

    if (color)
        sbuf_printf(out, "%s%s%s", on, paused ? "○" : "●", COLOR_OFF);
    else
        sbuf_adds(out, paused ? "○" : "●");
}

static void status_human(const Svcd__Status *st, int64_t now, int color, struct sbuf *out)
{
    char t[CLOCK_UTC_LEN], ago[64], iv[32], size[32];
    int paused = st->state == SVCD__SERVICE_STATE__SERVICE_STATE_PAUSED;
    int64_t since = paused ? st->paused_since_us : st->started_at_us;

    clock_format_utc(since, t);
    clock_format_duration(now > since ? (uint64_t)(now - since) : 0, ago, sizeof(ago));
    status_dot(st, color, out);
    sbuf_adds(out, " svcd - logging service\n");
    sbuf_printf(out, "     State: %s since %s; %s ago\n", codec_state_name(st->state), t, ago);
    if (paused)
        sbuf_printf(out, " Paused by: %s\n", st->paused_by);
    sbuf_printf(out, "       PID: %u\n", st->pid);
    sbuf_printf(out, "   Version: %s (protocol %u)\n", st->version, st->protocol_version);
    clock_format_duration(st->uptime_us, ago, sizeof(ago));
    sbuf_printf(out, "    Uptime: %s\n", ago);
    clock_format_duration(st->interval_us, iv, sizeof(iv));
    sbuf_printf(out, "  Interval: %s%s\n", iv, paused ? " (no heartbeats while paused)" : "");
    sbuf_printf(out, "  Endpoint: %s\n", st->endpoint);
    human_size(st->log_size, size, sizeof(size));
    sbuf_printf(out, "       Log: %s (%s)\n", st->log_path, size);
    if (st->degraded) {
        clock_format_utc(st->degraded_since_us, t);
        sbuf_printf(out,
                    "    Health: degraded since %s: %s (%llu entries held in memory, %llu "
                    "lost)\n",
                    t, st->degraded_error, (unsigned long long)st->entries_held,
                    (unsigned long long)st->entries_lost);
    } else if (st->entries_lost) {
        sbuf_printf(out, "    Health: ok (%llu entries were lost while the log was not writable)\n",
                    (unsigned long long)st->entries_lost);
    }
    if (st->rotation_blocked && st->rotation_blocked[0]) {
        clock_format_utc(st->rotation_blocked_since_us, t);
        sbuf_printf(out, "  Rotation: blocked since %s: %s\n", t, st->rotation_blocked);
    }
    if (st->last_seq) {
        clock_format_utc(st->last_time_us, t);
        sbuf_printf(out, "   Entries: %llu written since start; last #%llu at %s\n",
                    (unsigned long long)st->entries_written, (unsigned long long)st->last_seq, t);
    } else {
        sbuf_printf(out, "   Entries: none yet\n");
    }
}

void output_status(const Svcd__Status *st, int json, int64_t now_wall_us, int color,
                   struct sbuf *out)
{
    if (json) {
        sbuf_addc(out, '{');
        status_json(st, out);
        sbuf_adds(out, "}\n");
    } else {
        status_human(st, now_wall_us, color, out);
    }
}

void output_change(const Svcd__StateChange *ch, int json, struct sbuf *out)
{
    if (json) {
        sbuf_printf(out, "{\"changed\":%s", ch->changed ? "true" : "false");
        json_key_str(out, "state", codec_state_name(ch->state), 0);
        json_key_str(out, "message", ch->message, 0);
        sbuf_adds(out, "}\n");
    } else {
        sbuf_printf(out, "svcd %s\n", ch->message);
    }
}

/* Writes text for a terminal: control characters become visible escapes so a
 * message cannot move the cursor or change colours. */
static void add_printable(struct sbuf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            sbuf_printf(out, "\\x%02x", *p);
        else
            sbuf_addc(out, (char)*p);
    }
}

/* The entry as JSON when the service sent no stored line (a service older
 * than LogEntry.json): rebuilt from the typed fields, with the names the
 * log uses. */
static void entry_json_rebuilt(const Svcd__LogEntry *e, struct sbuf *out)
{
    char t[CLOCK_UTC_LEN];

    clock_format_utc(e->time_us, t);
    sbuf_printf(out, "{\"seq\":%llu,\"time\":\"%s\"", (unsigned long long)e->seq, t);
    json_key_str(out, "level", level_name((int)e->level), 0);
    json_key_str(out, "logger", e->source, 0);
    json_key_str(out, "msg", e->message, 0);
    sbuf_adds(out, "}\n");
}

/* Who caused it, when the message does not say so already (audit and
 * pause/resume entries name the caller in their text). */
static void add_who(const Svcd__LogEntry *e, struct sbuf *out)
{
    if (!e->user_name || !e->user_name[0] || (e->message && strstr(e->message, e->user_name)))
        return;
    sbuf_adds(out, " [by ");
    add_printable(out, e->user_name);
    if (e->user_id >= 0)
        sbuf_printf(out, ", uid %lld", (long long)e->user_id);
    if (e->pid >= 0)
        sbuf_printf(out, ", pid %lld", (long long)e->pid);
    sbuf_addc(out, ']');
}

static const struct {
    const char *name;
    int mode;
} modes[] = {{"short-iso", OUTPUT_SHORT_ISO},
             {"json", OUTPUT_JSON},
             {"short", OUTPUT_SHORT},
             {"cat", OUTPUT_CAT},
             {"json-pretty", OUTPUT_JSON_PRETTY}};

int output_mode_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(s, modes[i].name) == 0)
            return modes[i].mode;
    return -1;
}

const char *output_mode_name(size_t i)
{
    return i < sizeof(modes) / sizeof(modes[0]) ? modes[i].name : NULL;
}

static int pretty_member(void *ctx, const struct json_member *m)
{
    struct sbuf *out = ctx;

    /* raw text as stored: strings keep their escapes, so nothing changes */
    sbuf_printf(out, "%s\n\t\"%.*s\": ", out->len && out->p[out->len - 1] == '{' ? "" : ",",
                (int)m->klen, m->key);
    if (m->type == JSON_STRING)
        return sbuf_printf(out, "\"%.*s\"", (int)m->vlen, m->val);
    return sbuf_printf(out, "%.*s", (int)m->vlen, m->val);
}

/* The entry's JSON (stored, or rebuilt) as one line, or with `pretty` one
 * member per line, tab-indented like journalctl -o json-pretty. */
static void entry_json(const Svcd__LogEntry *e, int pretty, struct sbuf *out)
{
    struct sbuf line;
    size_t from = out->len;

    sbuf_init(&line, 0);
    /* Exactly the stored line; one that is not one line is never passed
     * on (a JSON Lines reader would split it). */
    if (e->json && e->json[0] && !strpbrk(e->json, "\r\n")) {
        sbuf_adds(&line, e->json);
        sbuf_addc(&line, '\n');
    } else {
        entry_json_rebuilt(e, &line);
    }
    if (pretty) {
        sbuf_addc(out, '{');
        if (json_parse_flat(line.p, line.len - 1, pretty_member, out) == 0) {
            sbuf_adds(out, "\n}\n");
            sbuf_free(&line);
            return;
        }
        out->len = from; /* not flat JSON: shown as it is */
    }
    sbuf_add(out, line.p, line.len);
    sbuf_free(&line);
}

void output_entry(const Svcd__LogEntry *e, int mode, int color, struct sbuf *out)
{
    char t[CLOCK_ZONED_LEN];
    const char *on = "", *off = "";
    /* journalctl's habit: local time with its offset, unless --utc */
    clock_offset_fn zone = (mode & OUTPUT_F_UTC) ? NULL : clock_local_offset;
    int stamp = (mode & OUTPUT_F_TIMESTAMPS) != 0;

    mode &= OUTPUT_MODE_MASK;
    if (mode == OUTPUT_JSON || mode == OUTPUT_JSON_PRETTY) {
        entry_json(e, mode == OUTPUT_JSON_PRETTY, out);
        return;
    }
    /* -t as docker logs: the precise time first, where the line lacks it */
    if (stamp && mode != OUTPUT_SHORT_ISO) {
        clock_format_zoned(e->time_us, zone, t);
        sbuf_printf(out, "%s ", t);
    }
    if (color && e->level >= SVCD__LEVEL__LEVEL_ERROR)
        on = COLOR_RED;
    else if (color && e->level == SVCD__LEVEL__LEVEL_WARNING)
        on = COLOR_YELLOW;
    else if (color && e->level == SVCD__LEVEL__LEVEL_NOTICE)
        on = COLOR_BOLD;
    else if (color && e->level == SVCD__LEVEL__LEVEL_DEBUG)
        on = COLOR_GREY;
    if (*on)
        off = COLOR_OFF;
    if (mode == OUTPUT_CAT) {
        sbuf_adds(out, on);
        add_printable(out, e->message);
        sbuf_printf(out, "%s\n", off);
        return;
    }
    if (mode == OUTPUT_SHORT)
        clock_format_short(e->time_us, zone, t);
    else
        clock_format_zoned(e->time_us, zone, t);
    sbuf_printf(out, "%s ", t);
    if (e->host_name && e->host_name[0]) {
        add_printable(out, e->host_name);
        sbuf_addc(out, ' ');
    }
    if (mode == OUTPUT_SHORT)
        sbuf_adds(out, on);
    else
        sbuf_printf(out, "%s%-7s ", on, level_name((int)e->level));
    add_printable(out, e->source);
    sbuf_adds(out, ": ");
    add_printable(out, e->message);
    add_who(e, out);
    sbuf_printf(out, "%s\n", off);
}

int output_gap(const Svcd__LogGap *g, int json, struct sbuf *out)
{
    const char *reason = g->reason && *g->reason ? g->reason : "retention";
    unsigned long long missed = g->missed, resume = g->resume_seq, first = resume - missed;

    if (missed == 0 || missed >= resume)
        return -1;
    if (json) {
        sbuf_printf(out, "{\"gap\":{\"missed\":%llu,\"first_missing\":%llu,\"resume_seq\":%llu",
                    missed, first, resume);
        json_key_str(out, "reason", reason, 0);
        sbuf_adds(out, "}}\n");
        return 0;
    }
    if (missed == 1)
        sbuf_printf(out, "svcclient: warning: 1 entry (#%llu) was removed", first);
    else
        sbuf_printf(out, "svcclient: warning: %llu entries (#%llu-#%llu) were removed", missed,
                    first, resume - 1);
    if (strcmp(reason, "retention") == 0) {
        sbuf_adds(out, " by retention");
    } else {
        sbuf_adds(out, " (");
        add_printable(out, reason);
        sbuf_addc(out, ')');
    }
    sbuf_printf(out, " before %s could be read; resuming at #%llu\n", missed == 1 ? "it" : "they",
                resume);
    return 0;
}

void output_error_json(const char *msg, int exit_code, struct sbuf *out)
{
    sbuf_adds(out, "{\"error\":");
    json_add_string(out, msg, strlen(msg));
    sbuf_printf(out, ",\"exit_code\":%d}\n", exit_code);
}

void output_version(int json, struct sbuf *out)
{
    if (json)
        sbuf_printf(out, "{\"version\":\"%s\",\"protocol_version\":%d}\n", SVCD_VERSION,
                    CODEC_PROTOCOL_VERSION);
    else
        sbuf_printf(out, "svcclient %s (protocol %d)\n", SVCD_VERSION, CODEC_PROTOCOL_VERSION);
}
