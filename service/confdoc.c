#include "confdoc.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

#define DOC_LINE_MAX 1024

int confdoc_split_help(const char *help, char *what, size_t whatlen, char *def, size_t deflen)
{
    static const char tag[] = " (default: ";
    const char *at = NULL, *p = help;
    size_t n = strlen(help), wl;

    /* The last " (default: ", which must run to the closing ')' at the end. */
    while ((p = strstr(p, tag)) != NULL)
        at = p++;
    if (at == NULL || n == 0 || help[n - 1] != ')')
        return ERR_INVAL;
    wl = (size_t)(at - help);
    if (wl == 0 || wl >= whatlen)
        return wl == 0 ? ERR_INVAL : ERR_NAMETOOLONG;
    memcpy(what, help, wl);
    what[wl] = '\0';
    at += sizeof(tag) - 1;
    if ((size_t)(help + n - 1 - at) >= deflen)
        return ERR_NAMETOOLONG;
    memcpy(def, at, (size_t)(help + n - 1 - at));
    def[help + n - 1 - at] = '\0';
    return *def ? 0 : ERR_INVAL;
}

void confdoc_accepted(const struct config_key *k, char *buf, size_t n)
{
    if (k->range) {
        snprintf(buf, n, "%s", k->range);
        return;
    }
    switch (k->kind) {
    case CONFIG_SWITCH:
        snprintf(buf, n, "on or off");
        break;
    case CONFIG_EVENTLOG:
        snprintf(buf, n, "lifecycle, audit, failures, clients (comma-separated), all or none");
        break;
    default:
        snprintf(buf, n, "text of %s%llu bytes%s", k->min ? "1 to " : "at most ",
                 (unsigned long long)k->max, k->min ? "" : ", or empty");
        break;
    }
}

/* --- roff ----------------------------------------------------------------- */

/* Appends `s` as roff text: backslashes and minus signs escaped, `code` in
 * bold, a break point after each ')', and a line that would begin with a
 * control character made safe.
 * `s` holds no newline (the tests check every table text). */
static void roff(struct sbuf *out, const char *s)
{
    int bold = 0;

    if (*s == '.' || *s == '\'')
        sbuf_adds(out, "\\&");
    for (; *s; s++) {
        if (*s == '`') {
            sbuf_adds(out, bold ? "\\fR" : "\\fB");
            bold = !bold;
        } else if (*s == '\\') {
            sbuf_adds(out, "\\e");
        } else if (*s == '-') {
            sbuf_adds(out, "\\-");
        } else if (*s == ')') {
            sbuf_adds(out, ")\\:"); /* a place to break a long SDDL at */
        } else {
            sbuf_addc(out, *s);
        }
    }
    if (bold)
        sbuf_adds(out, "\\fR");
}

/* A sentence from a help text: capital first letter, a full stop. */
static void sentence(char *s, size_t cap)
{
    size_t n = strlen(s);

    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    if (n > 0 && s[n - 1] != '.' && n + 1 < cap) {
        s[n] = '.';
        s[n + 1] = '\0';
    }
}

static const char man_head[] =
    ".SH NAME\n"
    "svcd.conf \\- configuration file of the svcd logging service\n"
    ".SH SYNOPSIS\n"
    ".I /etc/svcd/svcd.conf\n"
    ".br\n"
    ".I %ProgramData%\\esvcd\\esvcd.conf\n"
    "(the Windows service)\n"
    ".SH DESCRIPTION\n"
    ".BR svcd (8)\n"
    "reads this file once at start, from\n"
    ".BI \"svcd run \\-\\-config \" FILE\n"
    "(the systemd unit passes\n"
    ".IR /etc/svcd/svcd.conf ).\n"
    "One format on every platform: UTF\\-8 text, one\n"
    ".I key\n"
    "=\n"
    ".I value\n"
    "per line, blank lines, and comment lines that begin with\n"
    ".BR # .\n"
    "A comment takes a whole line: a value holding a space and then\n"
    ".B #\n"
    "is refused, unless it is double\\-quoted. Double quotes also keep the spaces\n"
    "around a value. A key set twice is an error naming both lines. A UTF\\-8\n"
    "byte order mark (as Notepad writes) is skipped at the very start and\n"
    "refused anywhere else.\n"
    ".PP\n"
    "Durations are seconds\n"
    ".RB ( 1 ,\n"
    ".BR 0.5 )\n"
    "or a number with a unit\n"
    ".RB ( 250ms ,\n"
    ".BR 2s ,\n"
    ".BR 1m ,\n"
    ".BR 12h ,\n"
    ".BR 7d ).\n"
    "Sizes take\n"
    ".BR K ,\n"
    ".BR M ,\n"
    ".BR G ,\n"
    ".BR T ,\n"
    "each also as\n"
    ".B KB\n"
    "or\n"
    ".BR KiB ,\n"
    "all binary (1K is 1024 bytes), as in\n"
    ".BR journald.conf (5).\n"
    ".PP\n"
    "Precedence, lowest first: the built\\-in defaults, this file, the\n"
    ".B SVCD_ENDPOINT\n"
    "environment variable, the command line flags. Each key has a flag of the same\n"
    "name\n"
    ".RB ( state_dir \" is \" \\-\\-state\\-dir );\n"
    ".B svcd run \\-\\-help\n"
    "lists them with the same words as this page.\n"
    ".PP\n"
    "An unknown key or a bad value stops svcd before it starts, with exit status 2\n"
    "and one line naming the file, the line and the key, and what is accepted.\n"
    "The file must be a regular file (a symbolic link to one is fine) of at most\n"
    "1 MiB; a FIFO, a device or a directory is refused at once.\n"
    ".SH KEYS\n";

static const char man_tail[] =
    ".SH A MOVED STATE_DIR\n"
    "The systemd unit\n"
    ".I svcd.service\n"
    "runs svcd with\n"
    ".BR ProtectSystem=strict :\n"
    "the whole file system is read\\-only for it except its\n"
    ".B LogsDirectory=\n"
    ".RI ( /var/log/svcd )\n"
    "and\n"
    ".B RuntimeDirectory=\n"
    ".RI ( /run/svcd ),\n"
    "and\n"
    ".B ProtectHome=yes\n"
    "and\n"
    ".B PrivateTmp=yes\n"
    "hide\n"
    ".IR /home ,\n"
    ".I /root\n"
    "and the real\n"
    ".IR /tmp .\n"
    "A\n"
    ".B state_dir\n"
    "(or an\n"
    ".BR endpoint 's\n"
    "directory) anywhere else must be made writable for the unit, or svcd cannot\n"
    "make or write its files there and does not start. Create the directory,\n"
    "then add it to the unit with a drop\\-in:\n"
    ".PP\n"
    ".nf\n"
    ".RS\n"
    "mkdir \\-p /srv/svcd\n"
    "systemctl edit svcd\n"
    "    [Service]\n"
    "    ReadWritePaths=/srv/svcd\n"
    "systemctl restart svcd\n"
    ".RE\n"
    ".fi\n"
    ".PP\n"
    "systemd refuses to start a unit whose\n"
    ".B ReadWritePaths=\n"
    "does not exist (unless it is written\n"
    ".BR \\-/srv/svcd ),\n"
    "hence the\n"
    ".BR mkdir .\n"
    "The directory and its parents must belong to root and not be writable by\n"
    "others; svcd gives the directory its own mode.\n"
    ".SH EXAMPLE\n"
    ".nf\n"
    ".RS\n"
    "# /etc/svcd/svcd.conf\n"
    "interval = 500ms\n"
    "heartbeat_message = \"still here: {n}\"\n"
    "rotate_size = 50MiB\n"
    "log_group = adm\n"
    ".RE\n"
    ".fi\n"
    ".SH FILES\n"
    ".TP\n"
    ".I /etc/svcd/svcd.conf\n"
    "this file, as the .deb installs it (a conffile, kept on removal).\n"
    ".TP\n"
    ".I /usr/lib/systemd/system/svcd.service\n"
    "the unit that runs\n"
    ".BR \"svcd run \\-\\-config /etc/svcd/svcd.conf\" .\n"
    ".SH SEE ALSO\n"
    ".BR svcd (8),\n"
    ".BR svcclient (1),\n"
    ".BR systemd.exec (5),\n"
    ".BR systemctl (1)\n";

static int man_key(struct sbuf *out, const struct config_key *k)
{
    char what[DOC_LINE_MAX], def[DOC_LINE_MAX], acc[DOC_LINE_MAX];
    int rc = confdoc_split_help(k->help, what, sizeof(what) - 1, def, sizeof(def));

    if (rc < 0)
        return rc;
    sentence(what, sizeof(what));
    confdoc_accepted(k, acc, sizeof(acc));
    sbuf_adds(out, ".TP\n\\fB");
    roff(out, k->key);
    sbuf_adds(out, "\\fR = \\fI");
    roff(out, k->arg);
    sbuf_adds(out, "\\fR\n");
    roff(out, what);
    if (k->doc) {
        sbuf_addc(out, ' ');
        roff(out, k->doc);
    }
    sbuf_adds(out, "\n.br\nDefault: ");
    roff(out, def);
    sbuf_adds(out, ". Accepted: ");
    roff(out, acc);
    sbuf_adds(out, ". Flag: \\fB");
    roff(out, k->flag);
    sbuf_adds(out, "\\fR.\n");
    return 0;
}

int confdoc_man(struct sbuf *out, const char *version)
{
    int rc;

    sbuf_adds(out,
              ".\\\" Generated by gen_confdoc from service/config.c's key table; do not edit.\n");
    sbuf_adds(out, ".TH SVCD.CONF 5 \"2026-12-02\" \"svcd ");
    roff(out, version);
    sbuf_adds(out, "\" \"File Formats\"\n");
    sbuf_adds(out, man_head);
    for (const struct config_key *k = config_keys(); k->key; k++)
        if ((rc = man_key(out, k)) < 0)
            return rc;
    sbuf_adds(out, man_tail);
    return out->failed ? ERR_NOMEM : 0;
}

/* --- markdown ------------------------------------------------------------- */

/* Appends `s` for a markdown table cell: a '|' would end the cell. */
static void cell(struct sbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sbuf_addc(out, '\\');
        sbuf_addc(out, *s);
    }
}

int confdoc_markdown_table(struct sbuf *out)
{
    char what[DOC_LINE_MAX], def[DOC_LINE_MAX], acc[DOC_LINE_MAX];
    int rc;

    sbuf_adds(out, "| key | flag | default | accepted | meaning |\n|---|---|---|---|---|\n");
    for (const struct config_key *k = config_keys(); k->key; k++) {
        if ((rc = confdoc_split_help(k->help, what, sizeof(what) - 1, def, sizeof(def))) < 0)
            return rc;
        sentence(what, sizeof(what));
        confdoc_accepted(k, acc, sizeof(acc));
        sbuf_printf(out, "| `%s` | `%s ", k->key, k->flag);
        cell(out, k->arg);
        sbuf_adds(out, "` | ");
        cell(out, def);
        sbuf_adds(out, " | ");
        cell(out, acc);
        sbuf_adds(out, " | ");
        cell(out, what);
        if (k->doc) {
            sbuf_addc(out, ' ');
            cell(out, k->doc);
        }
        sbuf_adds(out, " |\n");
    }
    return out->failed ? ERR_NOMEM : 0;
}

/* The offset just past the line of `text` that is exactly `line`, searched
 * from `from`, or -1. `*start` is set to where that line begins. */
static long find_line(const char *text, size_t n, size_t from, const char *line, size_t *start)
{
    size_t ll = strlen(line);

    for (size_t i = from; i < n;) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - text) : n;

        if (end - i == ll && memcmp(text + i, line, ll) == 0) {
            *start = i;
            return (long)(nl ? end + 1 : end);
        }
        i = end + 1;
    }
    return -1;
}

int confdoc_markdown(struct sbuf *out, const char *text, size_t n, char *err, size_t errlen)
{
    size_t b0, e0;
    long b1 = find_line(text, n, 0, CONFDOC_BEGIN, &b0), e1;
    int rc;

    if (b1 < 0) {
        snprintf(err, errlen, "no line '%s' to put the table of keys after", CONFDOC_BEGIN);
        return ERR_INVAL;
    }
    e1 = find_line(text, n, (size_t)b1, CONFDOC_END, &e0);
    if (e1 < 0) {
        snprintf(err, errlen, "no line '%s' after the line '%s'", CONFDOC_END, CONFDOC_BEGIN);
        return ERR_INVAL;
    }
    sbuf_add(out, text, (size_t)b1);
    if ((rc = confdoc_markdown_table(out)) < 0) {
        snprintf(err, errlen, "a key's help in service/config.c does not end in '(default: ...)'");
        return rc;
    }
    sbuf_add(out, text + e0, n - e0);
    return out->failed ? ERR_NOMEM : 0;
}
