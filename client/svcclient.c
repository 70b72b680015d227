/* svcclient: the unprivileged command-line client of svcd. */
#include "cli.h"
#include "clock.h"
#include "complete.h"
#include "err.h"
#include "output.h"
#include "pager.h"
#include "rpc.h"
#include "term.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
    struct cli_opts o;
    struct rpc rpc;
    struct sbuf out;
    int color; /* ANSI colours in text output (--color, decided once) */
    int page;  /* the output may be long: start the pager before it */
    /* --reverse: the entries as printed, kept until the stream ends */
    struct sbuf rev;
    size_t *rev_at; /* where each line starts in rev */
    size_t rev_n, rev_cap;
    int until_grace; /* -f --until: T has passed, the wait is the grace */
};

/* Reports a failure on stderr (and, with --json, as an object on stdout) and
 * returns the exit code. */
static int fail(struct ctx *x, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(struct ctx *x, int code, const char *fmt, ...)
{
    char msg[RPC_ERR_MAX + 256], line[RPC_ERR_MAX + 300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(line, sizeof(line), "svcclient: %s\n", msg);
    term_puts(stderr, line); /* one write: the line stays whole */
    if (x->o.json) {
        sbuf_reset(&x->out);
        output_error_json(msg, code, &x->out);
        term_write(stdout, x->out.p, x->out.len);
        sbuf_reset(&x->out);
    }
    return code;
}

/* Starts the pager, once, when the first output is ready: an error before
 * it (svcd unreachable, a refusal) goes straight to the terminal, and an
 * empty answer starts nothing. Not started, the output goes to stdout. */
static void start_pager(struct ctx *x)
{
    const char *cmd;

    if (!x->page || x->out.len == 0)
        return;
    x->page = 0;
    cmd = pager_pick(getenv("SYSTEMD_PAGER"), getenv("PAGER"), pager_default());
    if (cmd != NULL)
        pager_start(cmd);
}

/* Writes out what is kept in x->out. A write the pager did not take (it
 * quit) stops the output: see pager_stopped. */
static void flush_out(struct ctx *x)
{
    int rc;

    start_pager(x);
    rc = term_write(stdout, x->out.p ? x->out.p : "", x->out.len);
    if (fflush(stdout) != 0) /* a follower's reader sees each entry as it comes */
        rc = ERR_IO;
    if (rc < 0 && pager_active())
        pager_write_failed();
    sbuf_reset(&x->out);
}

/* Turns a transport error while waiting for a reply into an exit code. */
static int reply_failure(struct ctx *x, int rc)
{
    if (rc == ERR_TIMEDOUT)
        return fail(x, CLI_EXIT_UNREACHABLE,
                    "svcd at %s did not answer within %d ms (is it stuck? try a longer --timeout)",
                    x->rpc.endpoint, x->o.timeout_ms);
    if (rc == ERR_CLOSED)
        return fail(x, CLI_EXIT_UNREACHABLE,
                    "svcd at %s closed the connection before answering (did it stop or "
                    "crash? check 'svcclient status')",
                    x->rpc.endpoint);
    if (rc == ERR_PROTO || rc == ERR_TOOBIG)
        return fail(x, CLI_EXIT_PROTOCOL,
                    "svcd at %s sent a reply that is not valid svcd protocol (%s); is it really "
                    "svcd, and of a compatible version?",
                    x->rpc.endpoint, err_str(rc));
    return fail(x, CLI_EXIT_UNREACHABLE, "connection to svcd at %s failed: %s", x->rpc.endpoint,
                err_str(rc));
}

/* Checks a reply's envelope: right id, success, and the expected body. */
static int check_reply(struct ctx *x, const Svcd__Request *req, const Svcd__Response *resp,
                       Svcd__Response__BodyCase want, Svcd__Response__BodyCase alt)
{
    /* The service's words say what was refused, for whom, and how to get
     * the right: nothing to add. */
    if (resp->result == SVCD__RESULT__RESULT_DENIED && resp->error && *resp->error)
        return fail(x, CLI_EXIT_FAILED, "%s", resp->error);
    if (resp->result != SVCD__RESULT__RESULT_OK)
        return fail(x, CLI_EXIT_FAILED, "%s refused: %s (%s)", cli_command_name(x->o.cmd),
                    resp->error && *resp->error ? resp->error : "no reason given",
                    codec_result_name(resp->result));
    if (resp->id != req->id || (resp->body_case != want && resp->body_case != alt))
        return fail(x, CLI_EXIT_PROTOCOL,
                    "svcd at %s answered something else than the %s request (protocol error)",
                    x->rpc.endpoint, cli_command_name(x->o.cmd));
    return CLI_EXIT_OK;
}

/* Sends the request. A connection the service closed before reading it
 * may still hold the reason (a "busy" refusal is sent as soon as the
 * connection is accepted), so a send that finds it closed is not the end:
 * the reply, if any, is read as usual. */
static int send_request(struct ctx *x, Svcd__Request *req)
{
    int rc = rpc_send(&x->rpc, req);

    return rc == ERR_CLOSED ? 0 : rc;
}

static int simple_request(struct ctx *x, Svcd__Request *req, Svcd__Response__BodyCase want)
{
    Svcd__Response *resp;
    int rc;

    rc = send_request(x, req);
    if (rc < 0)
        return reply_failure(x, rc);
    rc = rpc_recv(&x->rpc, &resp);
    if (rc < 0)
        return reply_failure(x, rc);
    rc = check_reply(x, req, resp, want, want);
    if (rc == CLI_EXIT_OK) {
        if (want == SVCD__RESPONSE__BODY_STATUS)
            output_status(resp->status, x->o.json, clock_wall_us(), x->color, &x->out);
        else
            output_change(resp->state_change, x->o.json, &x->out);
        flush_out(x);
    }
    svcd__response__free_unpacked(resp, NULL);
    return rc;
}

/* A stream the service ended before it was complete (e.g. it stopped while
 * we followed): say so, and fail. */
static int stream_cut(struct ctx *x, const Svcd__LogEnd *end)
{
    return fail(x, CLI_EXIT_UNREACHABLE, "svcd ended the log stream: %s",
                end->reason && *end->reason ? end->reason : "no reason given");
}

/* With --reverse, where the next kept line starts: the buffer to write it
 * into (x->rev), or NULL when out of memory. Without, x->out. */
static struct sbuf *line_buf(struct ctx *x)
{
    if (!x->o.reverse)
        return &x->out;
    if (x->rev_n == x->rev_cap) {
        size_t cap = x->rev_cap ? x->rev_cap * 2 : 256;
        size_t *p = realloc(x->rev_at, cap * sizeof(*p));
        if (p == NULL)
            return NULL;
        x->rev_at = p;
        x->rev_cap = cap;
    }
    x->rev_at[x->rev_n++] = x->rev.len;
    return &x->rev;
}

/* A gap in the stream: the warning on stderr, where it reaches the user
 * even through a pipe and leaves stdout to entries; with --json also the
 * gap record on stdout, in its place among the entries (with --reverse,
 * its place in the reversed order). */
static int show_gap(struct ctx *x, const Svcd__LogGap *g)
{
    struct sbuf line, *to;
    int rc;

    sbuf_init(&line, 0);
    rc = output_gap(g, 0, &line);
    if (rc == 0 && x->o.json)
        rc = (to = line_buf(x)) == NULL ? ERR_NOMEM : output_gap(g, 1, to);
    if (rc == ERR_NOMEM) {
        sbuf_free(&line);
        return fail(x, CLI_EXIT_FAILED, "out of memory keeping entries for --reverse");
    }
    if (rc < 0) {
        sbuf_free(&line);
        sbuf_reset(&x->out);
        return fail(x, CLI_EXIT_PROTOCOL,
                    "svcd at %s reported a gap in the log stream that does not add up "
                    "(%llu missed before #%llu; protocol error)",
                    x->rpc.endpoint, (unsigned long long)g->missed,
                    (unsigned long long)g->resume_seq);
    }
    flush_out(x);
    term_puts(stderr, sbuf_str(&line)); /* one write: the line stays whole */
    sbuf_free(&line);
    return CLI_EXIT_OK;
}

/* output_entry's mode: -o's, and --utc and -t. */
static int entry_mode(const struct ctx *x)
{
    return x->o.output | (x->o.utc ? OUTPUT_F_UTC : 0) |
           (x->o.timestamps ? OUTPUT_F_TIMESTAMPS : 0);
}

/* Shows one entry, or with --reverse keeps it for show_reversed. An entry
 * above --priority's range (from a service that does not know max_level) is
 * left out. Returns 0, or ERR_NOMEM. */
static int show_entry(struct ctx *x, const Svcd__LogEntry *e, int color)
{
    struct sbuf *to;

    if (x->o.max_level && (int)e->level > x->o.max_level)
        return 0;
    if ((to = line_buf(x)) == NULL)
        return ERR_NOMEM;
    output_entry(e, entry_mode(x), color, to);
    return 0;
}

/* --reverse at the end of the stream: the kept lines, newest first. */
static void show_reversed(struct ctx *x)
{
    for (size_t i = x->rev_n; i-- > 0;) {
        size_t end = i + 1 < x->rev_n ? x->rev_at[i + 1] : x->rev.len;
        sbuf_add(&x->out, x->rev.p + x->rev_at[i], end - x->rev_at[i]);
        if (x->out.len >= 65536)
            flush_out(x);
        if (pager_stopped())
            return;
    }
    flush_out(x);
}

/* With -f --until T, how long svcclient still waits after T for entries
 * stamped at or before T that are on their way (a backlog being streamed):
 * the stream ends after this long without a reply. */
#define FOLLOW_UNTIL_GRACE_MS 500

/* How long the next wait for a reply may be: following, forever; with
 * --until, until the clock passes it (in waits of at most an hour, as the
 * wait takes an int), then FOLLOW_UNTIL_GRACE_MS at a time. */
static int follow_wait_ms(struct ctx *x)
{
    int64_t left;

    if (!x->o.until_us)
        return -1;
    left = x->o.until_us - clock_wall_us();
    x->until_grace = left <= 0;
    if (left <= 0)
        return FOLLOW_UNTIL_GRACE_MS;
    return left > 3600 * CLOCK_US_PER_SEC ? 3600 * 1000 : (int)(left / 1000 + 1);
}

static int logs_request(struct ctx *x, Svcd__Request *req)
{
    Svcd__Response *resp;
    int rc;

    rc = send_request(x, req);
    if (rc < 0)
        return reply_failure(x, rc);
    for (int replies = 0;; replies++) {
        rc = rpc_recv(&x->rpc, &resp);
        /* the pager quit or Ctrl-C: the user has seen what they wanted */
        if (pager_stopped()) {
            if (rc == 0)
                svcd__response__free_unpacked(resp, NULL);
            return CLI_EXIT_OK;
        }
        /* -f --until T ends at T, as docker logs does: nothing stamped
         * at or before T can be written after it, and the backlog that was
         * still arriving at T has had its grace. A wait that ended before
         * T (the hour-long cap) waits again. */
        if (rc == ERR_TIMEDOUT && x->o.follow && replies > 0 && x->o.until_us) {
            if (x->until_grace)
                return CLI_EXIT_OK;
            x->rpc.timeout_ms = follow_wait_ms(x);
            continue;
        }
        if (rc == ERR_CLOSED && replies > 0 && x->o.reverse)
            show_reversed(x); /* what came is shown; the failure says the rest did not */
        if (rc == ERR_CLOSED && replies > 0)
            return fail(x, CLI_EXIT_UNREACHABLE,
                        "the connection to svcd at %s broke in the middle of the log stream, "
                        "without an end message (did svcd crash? check 'svcclient status'); "
                        "entries after the last one shown were not received",
                        x->rpc.endpoint);
        if (rc < 0)
            return reply_failure(x, rc);
        /* Following, the service speaks when something is written: no time
         * limit after its first reply. */
        if (x->o.follow)
            x->rpc.timeout_ms = follow_wait_ms(x);
        rc = check_reply(x, req, resp,
                         resp->body_case == SVCD__RESPONSE__BODY_LOG_GAP
                             ? SVCD__RESPONSE__BODY_LOG_GAP
                             : SVCD__RESPONSE__BODY_LOG_CHUNK,
                         SVCD__RESPONSE__BODY_LOG_END);
        if (rc == CLI_EXIT_OK && resp->body_case == SVCD__RESPONSE__BODY_LOG_GAP) {
            rc = show_gap(x, resp->log_gap);
            svcd__response__free_unpacked(resp, NULL);
            if (rc != CLI_EXIT_OK)
                return rc;
            continue;
        }
        if (rc != CLI_EXIT_OK || resp->body_case == SVCD__RESPONSE__BODY_LOG_END) {
            if (rc == CLI_EXIT_OK && x->o.reverse)
                show_reversed(x); /* a cut stream too: what came, then why no more */
            if (rc == CLI_EXIT_OK && !resp->log_end->complete)
                rc = stream_cut(x, resp->log_end);
            svcd__response__free_unpacked(resp, NULL);
            return rc;
        }
        for (size_t i = 0; i < resp->log_chunk->n_entries && rc == 0; i++)
            rc = show_entry(x, resp->log_chunk->entries[i], x->color);
        if (rc < 0) {
            svcd__response__free_unpacked(resp, NULL);
            return fail(x, CLI_EXIT_FAILED, "out of memory keeping entries for --reverse");
        }
        flush_out(x);
        svcd__response__free_unpacked(resp, NULL);
    }
}

/* rpc_connect's warnings, each line "svcclient: " + line, in one write. */
static void show_notice(const char *notice)
{
    char out[2 * RPC_ERR_MAX];
    size_t n = 0;

    while (*notice && n + 12 < sizeof(out)) {
        size_t len = strcspn(notice, "\n");
        int w = snprintf(out + n, sizeof(out) - n, "svcclient: %.*s\n", (int)len, notice);
        if (w < 0 || (size_t)w >= sizeof(out) - n)
            break;
        n += (size_t)w;
        notice += len + (notice[len] == '\n');
    }
    if (n > 0)
        term_puts(stderr, out);
}

static int run_remote(struct ctx *x)
{
    Svcd__Request req = SVCD__REQUEST__INIT;
    Svcd__StatusRequest st = SVCD__STATUS_REQUEST__INIT;
    Svcd__PauseRequest pa = SVCD__PAUSE_REQUEST__INIT;
    Svcd__ResumeRequest re = SVCD__RESUME_REQUEST__INIT;
    Svcd__LogsRequest lg = SVCD__LOGS_REQUEST__INIT;
    char err[RPC_ERR_MAX];

    int rc = rpc_connect(&x->rpc, x->o.endpoint, x->o.timeout_ms, err, sizeof(err));

    show_notice(x->rpc.notice);
    if (rc < 0)
        return fail(x, CLI_EXIT_UNREACHABLE, "%s", err);
    switch (x->o.cmd) {
    case CLI_STATUS:
        req.command_case = SVCD__REQUEST__COMMAND_STATUS;
        req.status = &st;
        return simple_request(x, &req, SVCD__RESPONSE__BODY_STATUS);
    case CLI_PAUSE:
        req.command_case = SVCD__REQUEST__COMMAND_PAUSE;
        req.pause = &pa;
        return simple_request(x, &req, SVCD__RESPONSE__BODY_STATE_CHANGE);
    case CLI_RESUME:
        req.command_case = SVCD__REQUEST__COMMAND_RESUME;
        req.resume = &re;
        return simple_request(x, &req, SVCD__RESPONSE__BODY_STATE_CHANGE);
    case CLI_LOGS:
        req.command_case = SVCD__REQUEST__COMMAND_LOGS;
        req.logs = &lg;
        lg.tail = x->o.tail;
        /* a range that ended already has nothing more to follow */
        lg.follow = x->o.follow && !(x->o.until_us && x->o.until_us <= clock_wall_us());
        lg.since_us = x->o.since_us;
        lg.until_us = x->o.until_us;
        lg.min_level = (Svcd__Level)x->o.min_level;
        lg.max_level = (Svcd__Level)x->o.max_level;
        lg.grep = (char *)(x->o.grep ? x->o.grep : "");
        lg.ignore_case = x->o.ignore_case;
        x->page = pager_wanted(x->o.no_pager, x->o.follow, term_is_tty(stdout), getenv("TERM"));
        return logs_request(x, &req);
    default:
        return CLI_EXIT_USAGE;
    }
}

int main(int argc, char **argv)
{
    static struct ctx x;
    char err[CLI_ERR_MAX], help[4096];
    int rc;

    term_args_utf8(&argc, &argv);
    sbuf_init(&x.out, 0);
    sbuf_init(&x.rev, 0);
    if (cli_parse(argc, argv, &x.o, err, sizeof(err)) < 0) {
        char line[CLI_ERR_MAX + 16];
        snprintf(line, sizeof(line), "svcclient: %s\n", err);
        term_puts(stderr, line);
        return CLI_EXIT_USAGE;
    }
    /* JSON is for programs: never coloured */
    x.color =
        !x.o.json &&
        pager_color_wanted(x.o.color, term_is_tty(stdout), getenv("TERM"), getenv("NO_COLOR")) &&
        pager_color_ready() == 0;
    switch (x.o.cmd) {
    case CLI_HELP:
        cli_help(x.o.help_for, help, sizeof(help));
        term_puts(stdout, help);
        return CLI_EXIT_OK;
    case CLI_VERSION:
        output_version(x.o.json, &x.out);
        flush_out(&x);
        return CLI_EXIT_OK;
    case CLI_COMPLETION:
        if (complete_script(x.o.shell, &x.out) < 0)
            return fail(&x, CLI_EXIT_FAILED, "completion: out of memory");
        flush_out(&x);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    default:
        break;
    }
    rc = run_remote(&x);
    rpc_close(&x.rpc);
    pager_finish();
    if (pager_stopped())
        rc = CLI_EXIT_OK; /* quitting the pager early is no failure */
    sbuf_free(&x.out);
    sbuf_free(&x.rev);
    free(x.rev_at);
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
        rc = CLI_EXIT_FAILED;
    return rc;
}
