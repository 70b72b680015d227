#include "confedit.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

static const char bom_utf8[] = "\xEF\xBB\xBF";

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The key of an active line [s, e) (without its line ending): 1 with the key
 * in [*ks, *ks + *kn), or 0 for a blank line, a comment or a line without
 * '=' (which the parser would refuse; it is left for it to report). */
static int line_key(const char *s, const char *e, const char **ks, size_t *kn)
{
    const char *eq, *ke;

    while (s < e && is_blank(*s))
        s++;
    if (s == e || *s == '#' || *s == ';')
        return 0;
    eq = memchr(s, '=', (size_t)(e - s));
    if (eq == NULL)
        return 0;
    for (ke = eq; ke > s && is_blank(ke[-1]); ke--)
        ;
    *ks = s;
    *kn = (size_t)(ke - s);
    return 1;
}

/* The index of the last set for key [ks, ks + kn), or -1. */
static int find_set(const struct confedit_set *sets, size_t nsets, const char *ks, size_t kn)
{
    for (size_t i = nsets; i-- > 0;)
        if (strlen(sets[i].key) == kn && memcmp(sets[i].key, ks, kn) == 0)
            return (int)i;
    return -1;
}

/* Writes "key = value" (no line ending), quoted when the parser would trim,
 * unquote or refuse (an inline comment) the bare value. */
static void put_line(struct sbuf *out, const struct confedit_set *s)
{
    size_t len = strlen(s->value);
    int quote = len > 0 && (is_blank(s->value[0]) || is_blank(s->value[len - 1]) ||
                            (len >= 2 && s->value[0] == '"' && s->value[len - 1] == '"') ||
                            config_has_inline_comment(s->value));

    sbuf_printf(out, quote ? "%s = \"%s\"" : "%s = %s", s->key, s->value);
}

/* Checks each new value on its own, so its error names the key, not a line
 * of ours. */
static int check_sets(const struct confedit_set *sets, size_t nsets, char *err, size_t errlen)
{
    struct config scratch;

    if (nsets > CONFEDIT_MAX_SETS) {
        snprintf(err, errlen, "more than %d keys at once", CONFEDIT_MAX_SETS);
        return ERR_INVAL;
    }
    config_defaults(&scratch, 1);
    for (size_t i = 0; i < nsets; i++) {
        if (strpbrk(sets[i].value, "\r\n")) {
            snprintf(err, errlen, "%s: the value must be one line", sets[i].key);
            return ERR_INVAL;
        }
        if (config_set(&scratch, sets[i].key, sets[i].value, err, errlen) < 0)
            return ERR_INVAL;
    }
    return 0;
}

int confedit_apply(const char *text, size_t n, const struct confedit_set *sets, size_t nsets,
                   const char *origin, struct sbuf *out, char *err, size_t errlen)
{
    struct config parsed;
    return confedit_apply_parsed(text, n, sets, nsets, origin, out, &parsed, err, errlen);
}

int confedit_apply_parsed(const char *text, size_t n, const struct confedit_set *sets, size_t nsets,
                          const char *origin, struct sbuf *out, struct config *parsed, char *err,
                          size_t errlen)
{
    unsigned char written[CONFEDIT_MAX_SETS] = {0};
    const char *eol = "\r\n", *p, *end, *nl;
    size_t bom = 0;

    if (text == NULL) /* no file yet */
        text = "";
    end = text + n;

    if (n > CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", origin, CONFIG_FILE_MAX);
        return ERR_TOOBIG;
    }
    if (check_sets(sets, nsets, err, errlen) < 0)
        return ERR_INVAL;
    if (n >= 3 && memcmp(text, bom_utf8, 3) == 0)
        bom = 3;
    if (n > 0 && (nl = memchr(text, '\n', n)) != NULL)
        eol = nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
    if (bom)
        sbuf_add(out, text, bom);
    for (p = text + bom; p < end;) {
        const char *next, *ce, *ks;
        size_t kn;
        int i = -1;

        nl = memchr(p, '\n', (size_t)(end - p));
        next = nl ? nl + 1 : end;
        ce = nl ? nl : end;
        if (ce > p && ce[-1] == '\r')
            ce--;
        if (line_key(p, ce, &ks, &kn))
            i = find_set(sets, nsets, ks, kn);
        if (i >= 0) {
            put_line(out, &sets[i]);
            sbuf_add(out, ce, (size_t)(next - ce)); /* its own line ending */
            written[i] = 1;
        } else {
            sbuf_add(out, p, (size_t)(next - p));
        }
        p = next;
    }
    for (size_t i = 0; i < nsets; i++) {
        if (written[i] || find_set(sets, nsets, sets[i].key, strlen(sets[i].key)) != (int)i)
            continue; /* in place already, or a later set of the same key wins */
        if (out->len > bom && out->p[out->len - 1] != '\n')
            sbuf_adds(out, eol);
        put_line(out, &sets[i]);
        sbuf_adds(out, eol);
    }
    if (out->failed) {
        snprintf(err, errlen, "%s: out of memory", origin);
        return ERR_NOMEM;
    }
    config_defaults(parsed, 1);
    return config_parse(parsed, sbuf_str(out), out->len, origin, err, errlen) < 0 ? ERR_INVAL : 0;
}

int confedit_quote_arg(struct sbuf *out, const char *arg)
{
    size_t backslashes = 0;

    sbuf_addc(out, '"');
    for (const char *c = arg;; c++) {
        if (*c == '\\') {
            backslashes++;
            continue;
        }
        /* Backslashes count only before a quote: then each is doubled. */
        for (size_t i = 0; i < (*c == '"' || *c == '\0' ? 2 * backslashes : backslashes); i++)
            sbuf_addc(out, '\\');
        backslashes = 0;
        if (*c == '\0')
            break;
        if (*c == '"')
            sbuf_addc(out, '\\');
        sbuf_addc(out, *c);
    }
    sbuf_addc(out, '"');
    return out->failed ? ERR_NOMEM : 0;
}
