#include "cmdline.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_space(char c)
{
    return is_blank(c) || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The program name: up to the closing quote, or to white space. Copies it
 * to *d (when d is not NULL) and returns where parsing goes on. */
static const char *first_arg(const char *s, char **d)
{
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            if (d)
                *(*d)++ = *s;
        return *s ? s + 1 : s;
    }
    for (; *s && !is_space(*s); s++)
        if (d)
            *(*d)++ = *s;
    return s;
}

/* One pass over the line: counts the arguments into *argc and, when `out`
 * is not NULL, stores them there with their strings at `d`. */
static void split(const char *s, int *argc, char **out, char *d)
{
    int n = 0, quoted = 0;
    size_t bs = 0;

    if (*s == '\0') {
        *argc = 0;
        return;
    }
    if (out)
        out[0] = d;
    s = first_arg(s, out ? &d : NULL);
    n = 1;
    while (is_blank(*s))
        s++;
    if (*s == '\0')
        goto done;
    if (out) {
        *d++ = '\0';
        out[n] = d;
    }
    n++;
    for (; *s; s++) {
        if (*s == '\\') {
            bs++;
            continue;
        }
        if (*s == '"') {
            for (size_t i = 0; out && i < bs / 2; i++)
                *d++ = '\\';
            if (bs % 2) {
                if (out)
                    *d++ = '"';
            } else if (!quoted) {
                quoted = 1;
            } else {
                quoted = 0;
                if (s[1] == '"') { /* "" inside quotes: a quote, and the end of them */
                    s++;
                    if (out)
                        *d++ = '"';
                }
            }
            bs = 0;
            continue;
        }
        for (size_t i = 0; out && i < bs; i++)
            *d++ = '\\';
        bs = 0;
        if (is_blank(*s) && !quoted) {
            while (is_blank(s[1]))
                s++;
            if (s[1] == '\0')
                break;
            if (out) {
                *d++ = '\0';
                out[n] = d;
            }
            n++;
            continue;
        }
        if (out)
            *d++ = *s;
    }
    for (size_t i = 0; out && i < bs; i++)
        *d++ = '\\';
done:
    if (out) {
        *d = '\0';
        out[n] = NULL;
    }
    *argc = n;
}

int cmdline_split(const char *line, int *argc, char ***argv)
{
    size_t len = strlen(line);
    char **out;
    int n;

    split(line, &n, NULL, NULL);
    /* No argument is longer than the line, and each has one terminator. */
    out = malloc(((size_t)n + 1) * sizeof(char *) + len + (size_t)n + 1);
    if (out == NULL)
        return ERR_NOMEM;
    split(line, &n, out, (char *)(out + n + 1));
    out[n] = NULL;
    *argc = n;
    *argv = out;
    return 0;
}

const char *cmdline_flag_value(int argc, char **argv, int *i, const char *flag, int *missing)
{
    const char *a = argv[*i];
    size_t fl = strlen(flag);

    if (strncmp(a, flag, fl) != 0 || (a[fl] != '=' && a[fl] != '\0'))
        return NULL;
    if (a[fl] == '=')
        return a + fl + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    if (missing)
        *missing = 1;
    return NULL;
}
