/* The pure half of pager.h: what to colour, whether and what to page. */
#include "pager.h"

#include <stdlib.h>
#include <string.h>

static const char *const color_names[] = {"auto", "always", "never"};

const char *pager_color_name(size_t i)
{
    return i < sizeof(color_names) / sizeof(color_names[0]) ? color_names[i] : NULL;
}

int pager_color_parse(const char *s)
{
    for (size_t i = 0; pager_color_name(i); i++)
        if (strcmp(s, pager_color_name(i)) == 0)
            return (int)i; /* the table is in enum pager_color's order */
    return -1;
}

static int term_is_dumb(const char *term)
{
    return term != NULL && strcmp(term, "dumb") == 0;
}

int pager_color_wanted(int when, int is_tty, const char *term, const char *no_color)
{
    if (when == PAGER_COLOR_ALWAYS)
        return 1;
    if (when == PAGER_COLOR_NEVER)
        return 0;
    return is_tty && !term_is_dumb(term) && (no_color == NULL || no_color[0] == '\0');
}

int pager_wanted(int no_pager, int follow, int is_tty, const char *term)
{
    return !no_pager && !follow && is_tty && !term_is_dumb(term);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

const char *pager_pick(const char *systemd_pager, const char *pager, const char *dflt)
{
    const char *v = systemd_pager ? systemd_pager : pager ? pager : dflt;
    size_t n;

    if (v == NULL)
        return NULL;
    while (is_blank(*v))
        v++;
    n = strlen(v);
    while (n > 0 && is_blank(v[n - 1]))
        n--;
    if (n == 0 || (n == 3 && memcmp(v, "cat", 3) == 0))
        return NULL;
    return v;
}

const char *pager_less_value(const char *systemd_less, const char *less)
{
    return systemd_less ? systemd_less : less ? less : "FRSXMK";
}

int pager_split(const char *cmd, char *buf, size_t buflen, char **argv, size_t max)
{
    size_t len = strlen(cmd), n = 0;
    char *p;

    if (max == 0)
        return 0;
    if (len >= buflen)
        return -1;
    /* what a shell would read otherwise than as plain words */
    if (strpbrk(cmd, "\"'\\$`|&;<>(){}*?[]~#!\n\r") != NULL)
        return 0;
    memcpy(buf, cmd, len + 1);
    for (p = buf; *p;) {
        while (is_blank(*p))
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (n + 1 >= max)
            return 0;
        argv[n++] = p;
        while (*p && !is_blank(*p))
            p++;
    }
    argv[n] = NULL;
    return (int)n;
}

int pager_spool_room(struct pager_spool *sp)
{
    size_t cap;
    char *p;

    /* what is left moves to the front once half is written, or when only
     * that keeps the spool within its bound */
    if (sp->head > 0 && (sp->head >= sp->len / 2 || sp->len + PAGER_SPOOL_CHUNK > sp->cap)) {
        memmove(sp->buf, sp->buf + sp->head, sp->len - sp->head);
        sp->len -= sp->head;
        sp->head = 0;
    }
    if (sp->cap - sp->len >= PAGER_SPOOL_CHUNK)
        return 0; /* cap never passes PAGER_SPOOL_MAX, so neither does len */
    if (sp->len + PAGER_SPOOL_CHUNK > PAGER_SPOOL_MAX)
        return -1;
    cap = sp->cap ? sp->cap * 2 : 4 * PAGER_SPOOL_CHUNK;
    if (cap > PAGER_SPOOL_MAX)
        cap = PAGER_SPOOL_MAX;
    p = realloc(sp->buf, cap);
    if (p == NULL)
        return -1;
    sp->buf = p;
    sp->cap = cap;
    return 0;
}

void pager_spool_free(struct pager_spool *sp)
{
    free(sp->buf);
    memset(sp, 0, sizeof(*sp));
}
