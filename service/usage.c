#include "usage.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

/* A word longer than a line (`room` columns): its length up to the last
 * ')' that fits, so an SDDL string breaks between its ACEs and continues
 * on the next line with no space added (*cut set); else the whole word,
 * which is never cut elsewhere (a path stays copyable). */
static size_t cut_after_paren(const char *p, size_t len, size_t room, int *cut)
{
    for (size_t i = room < len ? room : len; i > 0; i--) {
        if (p[i - 1] == ')' && i < len) {
            *cut = 1;
            return i;
        }
    }
    return len;
}

/* Appends `text`'s words from column `at`, the first one at `col` at least,
 * breaking lines before USAGE_WIDTH and indenting each new one to `col`. */
static void wrap_from(struct sbuf *out, size_t at, size_t col, const char *text)
{
    int fresh = 1, cut = 0; /* no word on this line yet; the last word was cut */
    size_t len;

    for (const char *p = text; *p; p += len) {
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (len == 0)
            break;
        if (!fresh && (cut || at + 1 + len > USAGE_WIDTH)) {
            sbuf_addc(out, '\n');
            at = 0;
            fresh = 1;
        }
        cut = 0;
        if (fresh && (at > col ? at : col) + len > USAGE_WIDTH)
            len = cut_after_paren(p, len, USAGE_WIDTH - (at > col ? at : col), &cut);
        if (!fresh) {
            sbuf_addc(out, ' ');
            at++;
        } else if (at < col) {
            sbuf_printf(out, "%*s", (int)(col - at), "");
            at = col;
        }
        for (size_t i = 0; i < len; i++) /* USAGE_GLUE: a space no line breaks at */
            sbuf_addc(out, p[i] == USAGE_GLUE ? ' ' : p[i]);
        at += len;
        fresh = 0;
    }
    sbuf_addc(out, '\n');
}

void usage_wrap(struct sbuf *out, const char *left, size_t col, const char *text)
{
    size_t at = 2 + strlen(left);

    sbuf_printf(out, "  %s", left);
    if (at + 1 > col) { /* no room for a space before the text */
        sbuf_addc(out, '\n');
        at = 0;
    }
    wrap_from(out, at, col, text);
}

/* A paragraph, wrapped from column 0. */
static void paragraph(struct sbuf *out, const char *text)
{
    wrap_from(out, 0, 0, text);
}

/* The commands every platform has, worded alike, after the platform's own. */
static const struct usage_cmd shared_cmds[] = {
    {"version", "svcd version", "print the version (also: svcd --version)",
     "Prints svcd's version and protocol version, as svcclient --version does."},
    {"help", "svcd help [COMMAND]", "this help, or a command's (also: svcd COMMAND --help)",
     "Shows the list of commands, or COMMAND's own help."},
    {NULL, NULL, NULL, NULL},
};

static const struct usage_cmd *first_cmd(void)
{
    const struct usage_cmd *c = usage_platform_cmds();

    return c->name ? c : shared_cmds;
}

/* The command after `c`: the platform's, then shared_cmds; NULL at the end. */
static const struct usage_cmd *next_cmd(const struct usage_cmd *c)
{
    c++;
    if (c->name)
        return c;
    return c == &shared_cmds[sizeof(shared_cmds) / sizeof(shared_cmds[0]) - 1] ? NULL : shared_cmds;
}

void usage_main(struct sbuf *out)
{
    sbuf_adds(out, "usage: svcd COMMAND [OPTIONS]\n\ncommands:\n");
    for (const struct usage_cmd *c = first_cmd(); c; c = next_cmd(c))
        usage_wrap(out, c->name, 13, c->summary);
    sbuf_addc(out, '\n');
    paragraph(out, "svcd COMMAND --help (or svcd help COMMAND) shows a command's options; "
                   "svcd run --help every config key.");
    sbuf_addc(out, '\n');
    paragraph(out, usage_platform_exit());
    sbuf_adds(out, "\nsvcd is controlled with svcclient (status, logs, pause, resume).\n");
}

/* run's options: --config, then every key that means something here. */
static void run_options(struct sbuf *out)
{
    char left[96];

    sbuf_adds(out, "\noptions:\n");
    usage_wrap(out, "--config FILE", 27, "read settings from FILE (keys below, 'key = value')");
    for (const struct config_key *k = config_keys(); k->key; k++) {
        const char *help = usage_key_help(k);
        struct sbuf text;
        if (help == NULL)
            continue;
        snprintf(left, sizeof(left), "%s %s", k->flag, k->arg);
        sbuf_init(&text, 0);
        sbuf_printf(&text, "%s [key:%c%s]", help, USAGE_GLUE, k->key);
        usage_wrap(out, left, 27, sbuf_str(&text));
        sbuf_free(&text);
    }
    sbuf_addc(out, '\n');
    paragraph(out, "SVCD_ENDPOINT, when set, overrides the config file's endpoint; flags "
                   "override both.");
}

/* reload's list of the keys that need a restart, from the key table. */
static void restart_keys(struct sbuf *out)
{
    const char *sep = "  ";

    sbuf_adds(out, "\nKeys take effect at once, except these, which need a restart:\n");
    for (const struct config_key *k = config_keys(); k->key; k++) {
        if (k->reload == CONFIG_RESTART && usage_key_help(k) != NULL) {
            sbuf_printf(out, "%s%s", sep, k->key);
            sep = ", ";
        }
    }
    sbuf_addc(out, '\n');
}

int usage_has(const char *cmd)
{
    for (const struct usage_cmd *c = first_cmd(); c; c = next_cmd(c))
        if (strcmp(c->name, cmd) == 0)
            return 1;
    return 0;
}

int usage_command(const char *cmd, struct sbuf *out)
{
    for (const struct usage_cmd *c = first_cmd(); c; c = next_cmd(c)) {
        if (strcmp(c->name, cmd) != 0)
            continue;
        sbuf_printf(out, "usage: %s\n\n", c->synopsis);
        paragraph(out, c->text);
        if (strcmp(cmd, "run") == 0)
            run_options(out);
        if (strcmp(cmd, "reload") == 0)
            restart_keys(out);
        return 0;
    }
    return ERR_NOENT;
}
